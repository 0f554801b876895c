/* read.c: the one read entry of libpprof: refuses what cannot be a profile, then tries the table of readers in order. */
#include "readers.h"
#include "report.h"

#include <string.h>

/* Whether a reader may take the bytes. Every reader still checks for itself
 * and answers PPROF_EUNRECOGNIZED (or, for protobuf, PPROF_EWIRE) when the
 * bytes are not its format, so a sniff only has to be cheap and never
 * wrong in refusing. */
static bool sniff_any(const uint8_t *data, size_t len)
{
    return true;
}

/* Text (legacy text profiles, folded stacks): no NUL, and few control
 * characters besides white space (hostile names may hold some). */
static bool sniff_text(const uint8_t *data, size_t len)
{
    size_t controls = 0;
    for (size_t i = 0; i < len; i++) {
        if (data[i] == 0)
            return false;
        if (data[i] < 0x20 && !(data[i] >= '\t' && data[i] <= '\r'))
            controls++;
    }
    return len > 0 && controls * 8 <= len;
}

/* Legacy: text, or a gperftools/Java binary CPU profile, whose header
 * starts with a zero word in either byte order and word size. */
static bool sniff_legacy(const uint8_t *data, size_t len)
{
    if (len >= 8 && memcmp(data, "\0\0\0\0", 4) == 0)
        return true;
    return sniff_text(data, len);
}

static int read_proto(pprof_profile **out, const uint8_t *data, size_t len, const pprof_parse_options *opt,
                      pprof_error *err)
{
    return pprof_profile_parse(out, data, len, opt, err);
}

static int read_legacy(pprof_profile **out, const uint8_t *data, size_t len, const pprof_parse_options *opt,
                       pprof_error *err)
{
    return pprof_read_legacy(out, data, len, err);
}

static bool sniff_perf(const uint8_t *data, size_t len)
{
    return pprof_perf_sniff(data, len);
}

static int read_perf(pprof_profile **out, const uint8_t *data, size_t len, const pprof_parse_options *opt,
                     pprof_error *err)
{
    return pprof_read_perf(out, data, len, err);
}

static int read_folded(pprof_profile **out, const uint8_t *data, size_t len, const pprof_parse_options *opt,
                       pprof_error *err)
{
    return pprof_read_folded(out, data, len, err);
}

/* The readers, tried in this order. A reader with inflated set gets the
 * bytes with gzip undone; the protobuf reader inflates as it decodes. Each
 * sniff sees only the first PPROF_SNIFF_BYTES (inflated): data that broke the
 * protobuf reader is inflated whole again only when a text or legacy
 * reader may take it, never for binary junk behind a gzip header. */
static const struct reader {
    const char *name;
    bool inflated;
    bool (*sniff)(const uint8_t *data, size_t len);
    int (*parse)(pprof_profile **out, const uint8_t *data, size_t len, const pprof_parse_options *opt,
                 pprof_error *err);
} readers[] = {
    {"perf", false, sniff_perf, read_perf},    /* Linux perf.data (its magic decides; before protobuf,
                                                * which would take its bytes for a broken message) */
    {"proto", false, sniff_any, read_proto},   /* profile.proto, gzip or raw */
    {"perf", true, sniff_perf, read_perf},       /* perf.data, gzip-compressed */
    {"legacy", true, sniff_legacy, read_legacy}, /* gperftools, Go debug=1 text, threadz, contention, Java */
    {"folded", true, sniff_text, read_folded},   /* folded stacks ("a;b;c 10") */
};

/* Errors that mean "not this format": the next reader may try. A broken
 * profile.proto (ESEMANTIC) still lets the others try, since text formats
 * can look like wire data; its message is kept in case none of them fits. */
static bool try_next(int rc)
{
    return rc == PPROF_EUNRECOGNIZED || rc == PPROF_EWIRE || rc == PPROF_ESEMANTIC;
}

/* pprof_read_check_prefix, leaving in head the gzip data's first
 * PPROF_SNIFF_BYTES inflated (all that the sniffs look at), when *whole
 * says they are those of all of data, not of its prefix only. */
static int check_prefix(pprof_buf *head, bool *whole, const void *data, size_t len, pprof_error *err)
{
    *whole = len <= PPROF_READ_PREFIX;
    if (len > PPROF_READ_PREFIX)
        len = PPROF_READ_PREFIX;
    const char *what = pprof_sniff_not_profile(data, len, false);
    if (!what && pprof_is_gzip(data, len)) {
        pprof_error ignored;
        int rc = pprof_gunzip(head, data, len, PPROF_SNIFF_BYTES, &ignored);
        /* Truncated or over the small cap is fine here: only the head
         * matters. Over the cap, the prefix gave the whole head. */
        if (rc == PPROF_ELIMIT)
            *whole = true;
        if (rc == 0 || rc == PPROF_ELIMIT || head->len >= 2)
            what = pprof_sniff_not_profile(head->data, head->len, true);
    }
    if (what)
        return pprof_error_set(err, PPROF_EUNRECOGNIZED, "parsing profile: %s", what);
    return 0;
}

int pprof_read_check_prefix(const void *data, size_t len, pprof_error *err)
{
    pprof_buf head = {0};
    bool whole;
    int rc = check_prefix(&head, &whole, data, len, err);
    pprof_buf_release(&head);
    return rc;
}

int pprof_read(pprof_profile **out, const void *data, size_t len, const pprof_parse_options *opt,
               pprof_error *err)
{
    *out = NULL;
    pprof_error local;
    if (!err)
        err = &local;
    /* The head the sniffs look at, inflated when the data is gzip: the
     * check's, unless that came from a prefix too short to give it. */
    pprof_buf head = {0};
    bool whole;
    int rc = check_prefix(&head, &whole, data, len, err);
    if (rc) {
        pprof_buf_release(&head);
        return rc;
    }
    const uint8_t *hd = data;
    size_t hn = len < PPROF_SNIFF_BYTES ? len : PPROF_SNIFF_BYTES;
    if (pprof_is_gzip(data, len)) {
        if (!whole) {
            pprof_error ignored;
            head.len = 0;
            pprof_gunzip(&head, data, len, PPROF_SNIFF_BYTES, &ignored); /* a truncated head is fine */
        }
        hd = head.data;
        hn = head.len < PPROF_SNIFF_BYTES ? head.len : PPROF_SNIFF_BYTES;
    }
    pprof_buf raw = {0};
    bool inflated = false;
    int first = 0; /* the first reader's complaint, reported when none fits */
    pprof_error first_err;
    const char *first_name = NULL;
    /* Why the folded reader refused text: for text input, a better reason
     * than protobuf's wire complaint about its first bytes. */
    pprof_error text_err;
    bool have_text_err = false;
    for (size_t i = 0; i < sizeof readers / sizeof readers[0]; i++) {
        const struct reader *r = &readers[i];
        const uint8_t *d = data;
        size_t n = len;
        if (!r->sniff(hd ? hd : (const uint8_t *)"", hn))
            continue;
        if (r->inflated && pprof_is_gzip(data, len)) {
            if (!inflated) {
                pprof_error gz;
                /* Without the inflated bytes no other reader can try: the
                 * first complaint stands. */
                /* The inflated bytes are held: the memory budget bounds them too. */
                uint64_t most = opt && opt->max_inflated ? opt->max_inflated : PPROF_DEFAULT_MAX_INFLATED;
                if (pprof_parse_max_memory(opt) < most)
                    most = pprof_parse_max_memory(opt);
                int grc = pprof_gunzip(&raw, data, len, most, &gz);
                if (grc == PPROF_ELIMIT && most < (opt && opt->max_inflated ? opt->max_inflated
                                                                           : PPROF_DEFAULT_MAX_INFLATED)) {
                    pprof_buf_release(&raw);
                    pprof_buf_release(&head);
                    return pprof_error_set(err, PPROF_ELIMIT,
                                           "parsing profile: the inflated input passes the memory budget of "
                                           "%llu MiB (max_memory)",
                                           (unsigned long long)(most >> 20));
                }
                if (grc != 0)
                    break;
                inflated = true;
            }
            d = raw.data;
            n = raw.len;
        }
        pprof_error e;
        rc = r->parse(out, d, n, opt, &e);
        /* The text and binary readers' samples are merged as profile.proto's
         * are while they decode, so a profile reads the same in every format. */
        if (rc == 0 && strcmp(r->name, "proto") != 0 && pprof_profile_merge_samples(*out) != 0) {
            pprof_profile_free(*out);
            *out = NULL;
            rc = pprof_error_set(&e, PPROF_ENOMEM, "out of memory");
        }
        if (rc == 0) {
            pprof_buf_release(&raw);
            pprof_buf_release(&head);
            return 0;
        }
        if (!try_next(rc) || (rc != PPROF_EUNRECOGNIZED && r->inflated)) {
            /* A reader that recognised its format and found it broken. */
            pprof_buf_release(&raw);
            pprof_buf_release(&head);
            *err = e;
            return rc;
        }
        if (!first && rc != PPROF_EUNRECOGNIZED) {
            first = rc;
            first_err = e;
            first_name = r->name;
        }
        if (rc == PPROF_EUNRECOGNIZED && strcmp(r->name, "folded") == 0) {
            text_err = e;
            have_text_err = true;
        }
    }
    pprof_buf_release(&raw);
    pprof_buf_release(&head);
    if (!first)
        return pprof_error_set(err, PPROF_EUNRECOGNIZED, "parsing profile: unrecognized profile format");
    if (first == PPROF_EWIRE && have_text_err) {
        /* Text taken for a broken profile.proto: say why it is not folded stacks. */
        const char *d = text_err.msg;
        if (strncmp(d, "parsing profile: ", 17) == 0)
            d += 17;
        return pprof_error_set(err, PPROF_EUNRECOGNIZED, "parsing profile: unrecognized profile format (%s)", d);
    }
    if (first == PPROF_EWIRE) {
        const char *d = first_err.msg;
        if (strncmp(d, "parsing profile: ", 17) == 0)
            d += 17;
        return pprof_error_set(err, PPROF_EUNRECOGNIZED,
                               "parsing profile: unrecognized profile format (not %s: %s)",
                               strcmp(first_name, "proto") == 0 ? "profile.proto" : first_name, d);
    }
    *err = first_err;
    return first;
}
