/* speedscope.c: -speedscope: a stack set as a speedscope JSON file ("sampled" profiles, https://www.speedscope.app/file-format-schema.json). */
#include "formats.h"

#include <stdlib.h>
#include <string.h>

/* Until formats/formats.h declares it (keeps -Wmissing-prototypes quiet). */
int pprof_write_speedscope(pprof_buf *out, const pprof_stack_set *s, const char *name, pprof_error *err);

static const char hex_digits[] = "0123456789abcdef";

/* Appends v in decimal. */
static void put_u64(pprof_buf *out, uint64_t v)
{
    char tmp[24];
    size_t n = sizeof tmp;
    do {
        tmp[--n] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    pprof_buf_append(out, tmp + n, sizeof tmp - n);
}

/* speedscope rejects negative weights, and s->total is a sum of magnitudes. */
static uint64_t magnitude(int64_t v)
{
    return v >= 0 ? (uint64_t)v : (uint64_t)0 - (uint64_t)v;
}

/* Length of the well-formed UTF-8 sequence at p (n bytes available), or 0
 * when it is ill-formed; then *bad is the length of its maximal subpart (the
 * bytes one U+FFFD replaces: at least 1). Rejects overlongs, surrogates,
 * code points above U+10FFFF and truncated sequences (Unicode table 3-7). */
static size_t utf8_len(const unsigned char *p, size_t n, size_t *bad)
{
    unsigned char c = p[0];
    size_t len;
    unsigned char lo = 0x80, hi = 0xbf; /* range of the second byte */
    if (c >= 0xc2 && c <= 0xdf)
        len = 2;
    else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        if (c == 0xe0)
            lo = 0xa0; /* overlong */
        else if (c == 0xed)
            hi = 0x9f; /* surrogates */
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        if (c == 0xf0)
            lo = 0x90; /* overlong */
        else if (c == 0xf4)
            hi = 0x8f; /* above U+10FFFF */
    } else {
        *bad = 1;
        return 0;
    }
    for (size_t i = 1; i < len; i++) {
        unsigned char min = i == 1 ? lo : 0x80, max = i == 1 ? hi : 0xbf;
        if (i >= n || p[i] < min || p[i] > max) {
            *bad = i;
            return 0;
        }
    }
    return len;
}

/* Appends str as a JSON string literal: quotes and backslashes escaped,
 * control characters (C0, DEL, C1) and U+2028/U+2029 as \u escapes, and
 * each ill-formed UTF-8 subpart as \ufffd. Runs of plain bytes go out in
 * one append. */
static void put_json_string(pprof_buf *out, const char *str)
{
    const unsigned char *p = (const unsigned char *)(str ? str : "");
    size_t n = strlen((const char *)p), run = 0, i = 0;
    pprof_buf_append(out, "\"", 1);
    while (i < n) {
        unsigned char c = p[i];
        size_t len = 1, bad = 0;
        unsigned cp = 0; /* the code point written as an escape */
        bool escape = false;
        if (c < 0x80) {
            if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') {
                escape = true;
                cp = c;
            }
        } else if ((len = utf8_len(p + i, n - i, &bad)) == 0) {
            escape = true;
            cp = 0xfffd;
            len = bad;
        } else if (len == 2 && c == 0xc2 && p[i + 1] < 0xa0) {
            escape = true;
            cp = p[i + 1]; /* C1 control U+0080..U+009F */
        } else if (len == 3 && c == 0xe2 && p[i + 1] == 0x80 && (p[i + 2] == 0xa8 || p[i + 2] == 0xa9)) {
            escape = true;
            cp = 0x2000u | (p[i + 2] == 0xa8 ? 0x28u : 0x29u); /* line/paragraph separator */
        }
        if (!escape) {
            run += len;
            i += len;
            continue;
        }
        if (run)
            pprof_buf_append(out, p + i - run, run);
        run = 0;
        char e[6];
        if (cp == '"' || cp == '\\') {
            e[0] = '\\';
            e[1] = (char)cp;
            pprof_buf_append(out, e, 2);
        } else {
            e[0] = '\\';
            e[1] = 'u';
            e[2] = hex_digits[(cp >> 12) & 15];
            e[3] = hex_digits[(cp >> 8) & 15];
            e[4] = hex_digits[(cp >> 4) & 15];
            e[5] = hex_digits[cp & 15];
            pprof_buf_append(out, e, 6);
        }
        i += len;
    }
    if (run)
        pprof_buf_append(out, p + n - run, run);
    pprof_buf_append(out, "\"", 1);
}

/* Does unit (ASCII case-insensitive, one trailing "s" dropped when longer
 * than two bytes, as pprof's unit sniffing does, so a 3-byte "mu s" becomes
 * just the mu) match one of the aliases? */
static bool unit_is(const char *unit, const char *const *aliases)
{
    size_t n = strlen(unit);
    if (n > 2 && (unit[n - 1] == 's' || unit[n - 1] == 'S'))
        n--;
    for (; *aliases; aliases++) {
        const char *a = *aliases;
        if (strlen(a) != n)
            continue;
        size_t i = 0;
        while (i < n) {
            char c = unit[i];
            if (c >= 'A' && c <= 'Z')
                c = (char)(c - 'A' + 'a');
            if (c != a[i])
                break;
            i++;
        }
        if (i == n)
            return true;
    }
    return false;
}

/* speedscope's ValueUnit for a pprof sample unit; values are not scaled, so
 * only units speedscope knows map, everything else (count, kilobytes, ...)
 * is "none". */
static const char *speedscope_unit(const char *unit)
{
    static const char *const ns[] = {"ns", "nanosecond", NULL};
    static const char *const us[] = {"us", "\xce\xbc", "\xc2\xb5", "microsecond", NULL};
    static const char *const ms[] = {"ms", "millisecond", NULL};
    static const char *const sec[] = {"s", "sec", "second", NULL};
    static const char *const bytes[] = {"b", "byte", NULL};
    if (!unit)
        return "none";
    if (unit_is(unit, ns))
        return "nanoseconds";
    if (unit_is(unit, us))
        return "microseconds";
    if (unit_is(unit, ms))
        return "milliseconds";
    if (unit_is(unit, sec))
        return "seconds";
    if (unit_is(unit, bytes))
        return "bytes";
    return "none";
}

/* One "sampled" profile: the stacks whose chosen weight (base or value) is
 * nonzero, in set order, weights as magnitudes; endValue is their sum. */
static void put_profile(pprof_buf *out, const pprof_stack_set *s, const char *name, const char *unit,
                        bool base)
{
    uint64_t total = 0;
    for (size_t i = 0; i < s->n_stacks; i++) {
        uint64_t w = magnitude(base ? s->stacks[i].base : s->stacks[i].value);
        total = total > UINT64_MAX - w ? UINT64_MAX : total + w;
    }
    if (total > INT64_MAX)
        total = INT64_MAX; /* saturate as pprof_stacks_build does */
    pprof_buf_puts(out, "{\"type\":\"sampled\",\"name\":");
    put_json_string(out, name);
    pprof_buf_puts(out, ",\"unit\":\"");
    pprof_buf_puts(out, unit);
    pprof_buf_puts(out, "\",\"startValue\":0,\"endValue\":");
    put_u64(out, total);
    pprof_buf_puts(out, ",\"samples\":[");
    bool first = true;
    for (size_t i = 0; i < s->n_stacks && !out->failed; i++) {
        const pprof_stack *st = &s->stacks[i];
        if ((base ? st->base : st->value) == 0)
            continue;
        pprof_buf_append(out, first ? "[" : ",[", first ? 1 : 2);
        first = false;
        const uint32_t *f = pprof_stack_frames(s, st);
        for (uint32_t k = 0; k < st->n_frames; k++) {
            if (k)
                pprof_buf_append(out, ",", 1);
            put_u64(out, f[k]);
        }
        pprof_buf_append(out, "]", 1);
    }
    pprof_buf_puts(out, "],\"weights\":[");
    first = true;
    for (size_t i = 0; i < s->n_stacks && !out->failed; i++) {
        int64_t v = base ? s->stacks[i].base : s->stacks[i].value;
        if (v == 0)
            continue;
        if (!first)
            pprof_buf_append(out, ",", 1);
        first = false;
        put_u64(out, magnitude(v));
    }
    pprof_buf_puts(out, "]}");
}

int pprof_write_speedscope(pprof_buf *out, const pprof_stack_set *s, const char *name, pprof_error *err)
{
    /* Check every frame reference first, so a bad set writes nothing. */
    for (size_t i = 0; i < s->n_stacks; i++) {
        const pprof_stack *st = &s->stacks[i];
        if (st->frames_off > s->n_frames || st->n_frames > s->n_frames - st->frames_off)
            return pprof_error_set(err, PPROF_EINVAL, "speedscope: stack %zu has frames past the end", i);
        for (uint32_t k = 0; k < st->n_frames; k++)
            if (s->frames[st->frames_off + k] >= s->n_names)
                return pprof_error_set(err, PPROF_EINVAL, "speedscope: stack %zu frame %u names no frame name",
                                       i, (unsigned)k);
    }
    if (!name || !*name)
        name = s->type && *s->type ? s->type : "profile";
    const char *unit = speedscope_unit(s->unit);

    pprof_buf_puts(out, "{\"$schema\":\"https://www.speedscope.app/file-format-schema.json\",\"shared\":{\"frames\":[");
    for (size_t i = 0; i < s->n_names && !out->failed; i++) {
        pprof_buf_puts(out, i ? ",{\"name\":" : "{\"name\":");
        put_json_string(out, s->names[i]);
        pprof_buf_append(out, "}", 1);
    }
    pprof_buf_puts(out, "]},\"profiles\":[");
    if (s->has_base) {
        put_profile(out, s, "base", unit, true);
        pprof_buf_append(out, ",", 1);
    }
    put_profile(out, s, name, unit, false);
    pprof_buf_puts(out, "],\"name\":");
    put_json_string(out, name);
    /* A differential file opens on the new profile. */
    pprof_buf_puts(out, s->has_base ? ",\"activeProfileIndex\":1" : ",\"activeProfileIndex\":0");
    pprof_buf_puts(out, ",\"exporter\":\"pprof-c\"}\n");
    if (out->failed) {
        if (out->sink_error)
            return pprof_error_set(err, PPROF_EIO, "writing speedscope output: %s", strerror(out->sink_error));
        return pprof_error_set(err, PPROF_ENOMEM, "out of memory");
    }
    return 0;
}
