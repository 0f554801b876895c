/* raw.c: the -raw writer: upstream pprof's Profile.String() text of a profile. */
#include "report.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---------------------------------------------------------------- helpers */

typedef struct raw_out {
    pprof_buf *b;
    int rc;
} raw_out;

static void put(raw_out *o, const void *s, size_t n)
{
    if (!o->rc)
        o->rc = pprof_buf_append(o->b, s, n);
}

static void puts_(raw_out *o, const char *s)
{
    put(o, s, strlen(s));
}

static void put_str(raw_out *o, const pprof_profile *p, pprof_str s)
{
    if (!o->rc)
        o->rc = pprof_escape_text(o->b, p->strings[s], p->string_lens[s]);
}

/* Decimal of v into the end of buf[24]; returns the first digit. */
static char *fmt_u64(char *end, uint64_t v)
{
    char *q = end;
    do {
        *--q = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return q;
}

static void put_u64(raw_out *o, uint64_t v)
{
    char buf[24];
    char *q = fmt_u64(buf + sizeof buf, v);
    put(o, q, (size_t)(buf + sizeof buf - q));
}

static void put_i64(raw_out *o, int64_t v)
{
    char buf[24];
    char *end = buf + sizeof buf;
    char *q = fmt_u64(end, v < 0 ? 0 - (uint64_t)v : (uint64_t)v);
    if (v < 0)
        *--q = '-';
    put(o, q, (size_t)(end - q));
}

/* Go's %#x: 0x prefix even for zero. */
static void put_hex(raw_out *o, uint64_t v)
{
    char buf[24];
    int n = snprintf(buf, sizeof buf, "0x%" PRIx64, v);
    put(o, buf, (size_t)n);
}

/* ---------------------------------------------------------------- ids */

typedef struct raw_ids {
    bool map_ok, loc_ok, map_seq, loc_seq;
} raw_ids;

static uint64_t map_id(const pprof_profile *p, const raw_ids *ids, size_t i)
{
    return ids->map_ok ? p->mappings[i].id : i + 1;
}

static uint64_t loc_id(const pprof_profile *p, const raw_ids *ids, size_t i)
{
    /* (sequential ids need no look-up: the table is big and read at random) */
    return ids->loc_ok && !ids->loc_seq ? p->locations[i].id : i + 1;
}

/* ---------------------------------------------------------------- Go formatting */

/* Go's time.Time.String() of time.Unix(0, ns), in UTC:
 * "2006-01-02 15:04:05.999999999 +0000 UTC" (fraction without trailing zeros). */
static void put_time(raw_out *o, int64_t ns)
{
    int64_t sec = ns / 1000000000, frac = ns % 1000000000;
    if (frac < 0) {
        frac += 1000000000;
        sec--;
    }
    time_t t = (time_t)sec;
    struct tm tm;
    char buf[96];
    if (!gmtime_r(&t, &tm)) {
        put_i64(o, ns);
        return;
    }
    int n = snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    put(o, buf, (size_t)n);
    if (frac) {
        char f[16];
        snprintf(f, sizeof f, ".%09d", (int)frac);
        size_t len = strlen(f);
        while (f[len - 1] == '0')
            len--;
        put(o, f, len);
    }
    puts_(o, " +0000 UTC");
}

/* Writes v / 10^prec's fraction into the end of buf (Go's fmtFrac): digits
 * without trailing zeros, and no point when they are all zero. */
static char *fmt_frac(char *w, uint64_t *v, int prec)
{
    bool print = false;
    for (int i = 0; i < prec; i++) {
        int digit = (int)(*v % 10);
        print = print || digit != 0;
        if (print)
            *--w = (char)('0' + digit);
        *v /= 10;
    }
    if (print)
        *--w = '.';
    return w;
}

/* Go's time.Duration.String(). */
static void fmt_duration(char *out, size_t cap, int64_t d)
{
    char buf[40];
    char *end = buf + sizeof buf, *w = end;
    uint64_t u = d < 0 ? 0 - (uint64_t)d : (uint64_t)d;
    if (u < 1000000000ULL) {
        int prec;
        *--w = 's';
        if (u == 0) {
            snprintf(out, cap, "0s");
            return;
        } else if (u < 1000ULL) {
            prec = 0;
            *--w = 'n';
        } else if (u < 1000000ULL) {
            prec = 3;
            w -= 2;
            memcpy(w, "\xc2\xb5", 2); /* µ */
        } else {
            prec = 6;
            *--w = 'm';
        }
        w = fmt_frac(w, &u, prec);
        w = fmt_u64(w, u);
    } else {
        *--w = 's';
        w = fmt_frac(w, &u, 9);
        w = fmt_u64(w, u % 60);
        u /= 60;
        if (u > 0) {
            *--w = 'm';
            w = fmt_u64(w, u % 60);
            u /= 60;
            if (u > 0) {
                *--w = 'h';
                w = fmt_u64(w, u);
            }
        }
    }
    if (d < 0)
        *--w = '-';
    snprintf(out, cap, "%.*s", (int)(end - w), w);
}

/* %.4v of a Duration: its String() cut to 4 characters (runes). */
static void put_duration(raw_out *o, int64_t d)
{
    char s[48];
    fmt_duration(s, sizeof s, d);
    size_t i = 0;
    for (int runes = 0; s[i] && runes < 4; runes++) {
        i++;
        while (s[i] && ((unsigned char)s[i] & 0xc0) == 0x80)
            i++;
    }
    put(o, s, i);
}

/* Length of the Unicode space (as Go's unicode.IsSpace) starting at s, or 0. */
static size_t space_at(const unsigned char *s, size_t n)
{
    if (n >= 1 && (s[0] == ' ' || (s[0] >= '\t' && s[0] <= '\r')))
        return 1;
    if (n >= 2 && s[0] == 0xc2 && (s[1] == 0x85 || s[1] == 0xa0))
        return 2;
    if (n >= 3) {
        uint32_t c = (uint32_t)s[0] << 16 | (uint32_t)s[1] << 8 | s[2];
        if (c == 0xe19a80 /* U+1680 */ || (c >= 0xe28080 && c <= 0xe2808a) /* U+2000..200A */ ||
            c == 0xe280a8 || c == 0xe280a9 || c == 0xe280af || c == 0xe2819f || c == 0xe38080)
            return 3;
    }
    return 0;
}

/* Length of the Unicode space ending at s[n-1], or 0. */
static size_t space_before(const unsigned char *s, size_t n)
{
    for (size_t k = 1; k <= 3 && k <= n; k++)
        if (space_at(s + n - k, k) == k)
            return k;
    return 0;
}

/* ---------------------------------------------------------------- labels */

typedef struct lab_entry {
    size_t off, len; /* formatted "key:[...]" in the scratch buffer */
    const uint8_t *s; /* set once the buffer stops moving */
} lab_entry;

static int cmp_entry(const void *a, const void *b)
{
    const lab_entry *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->s, y->s, n);
    if (c)
        return c;
    return x->len < y->len ? -1 : x->len > y->len;
}

/* A label of one kind, for grouping by key (the index keeps values in order). */
typedef struct lab_ref {
    pprof_str key;
    uint32_t idx;
} lab_ref;

static int cmp_ref(const void *a, const void *b)
{
    const lab_ref *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* What label lines reuse: the escaped text of each key and whether each
 * value string prints as it is, found once per string id (labels repeat a
 * few keys and values on every sample). */
typedef struct lab_scratch {
    pprof_buf text;
    lab_entry *e;
    lab_ref *r;
    size_t cap_e, cap_r;
    uint8_t *safe;  /* per string id: 0 not seen yet, 1 printable as is, 2 escaped */
} lab_scratch;

static int put_label_str(pprof_buf *t, lab_scratch *sc, const pprof_profile *p, pprof_str id)
{
    if (!sc->safe[id])
        sc->safe[id] = pprof_text_is_safe(p->strings[id], p->string_lens[id]) ? 1 : 2;
    if (sc->safe[id] == 1)
        return pprof_buf_append(t, p->strings[id], p->string_lens[id]);
    return pprof_escape_text(t, p->strings[id], p->string_lens[id]);
}

/* One label line: "key:[v1 v2]" per key, sorted as strings and joined by
 * spaces, for the string labels (numeric false) or the numeric ones. A key's
 * numeric values carry units ("N unit", "" when missing) when any has one. */
static int label_line(raw_out *o, lab_scratch *sc, const pprof_profile *p, const pprof_label *L,
                      uint32_t n, bool numeric)
{
    if (PPROF_GROW(sc->e, sc->cap_e, n) || PPROF_GROW(sc->r, sc->cap_r, n))
        return PPROF_ENOMEM;
    size_t n_r = 0;
    for (uint32_t i = 0; i < n; i++)
        if ((L[i].str == 0) == numeric)
            sc->r[n_r++] = (lab_ref){L[i].key, i};
    if (!n_r)
        return 0;
    if (n_r < 16) {
        for (size_t i = 1; i < n_r; i++)
            for (size_t j = i; j > 0 && cmp_ref(&sc->r[j - 1], &sc->r[j]) > 0; j--) {
                lab_ref x = sc->r[j];
                sc->r[j] = sc->r[j - 1];
                sc->r[j - 1] = x;
            }
    } else {
        qsort(sc->r, n_r, sizeof *sc->r, cmp_ref);
    }

    size_t n_e = 0;
    pprof_buf *t = &sc->text;
    t->len = 0;
    int rc = 0;
    for (size_t g = 0; g < n_r && !rc;) {
        pprof_str key = sc->r[g].key;
        size_t end = g;
        bool units = false;
        while (end < n_r && sc->r[end].key == key)
            units |= L[sc->r[end++].idx].num_unit != 0;
        size_t start = t->len;
        rc = put_label_str(t, sc, p, key);
        rc = rc ? rc : pprof_buf_append(t, ":[", 2);
        for (size_t j = g; j < end && !rc; j++) {
            const pprof_label *l = &L[sc->r[j].idx];
            if (j > g)
                rc = pprof_buf_append(t, " ", 1);
            if (rc)
                break;
            if (!numeric) {
                rc = put_label_str(t, sc, p, l->str);
            } else {
                char num[24];
                char *q = fmt_u64(num + sizeof num, l->num < 0 ? 0 - (uint64_t)l->num : (uint64_t)l->num);
                if (l->num < 0)
                    *--q = '-';
                rc = pprof_buf_append(t, q, (size_t)(num + sizeof num - q));
                if (!rc && units) {
                    rc = pprof_buf_append(t, " ", 1);
                    rc = rc ? rc : put_label_str(t, sc, p, l->num_unit);
                }
            }
        }
        rc = rc ? rc : pprof_buf_append(t, "]", 1);
        sc->e[n_e].off = start;
        sc->e[n_e].len = t->len - start;
        n_e++;
        g = end;
    }
    if (rc)
        return rc;
    for (size_t k = 0; k < n_e; k++)
        sc->e[k].s = t->data + sc->e[k].off;
    if (n_e > 1)
        qsort(sc->e, n_e, sizeof *sc->e, cmp_entry);
    puts_(o, "                ");
    for (size_t k = 0; k < n_e; k++) {
        if (k)
            put(o, " ", 1);
        put(o, sc->e[k].s, sc->e[k].len);
    }
    put(o, "\n", 1);
    return o->rc;
}

/* ---------------------------------------------------------------- sections */

static const char two_digits[] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
                                 "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
                                 "8081828384858687888990919293949596979899";

/* Writes v in decimal at q, two digits at a time; returns the end. */
static inline char *put_dec(char *q, uint64_t v)
{
    size_t n = 1;
    for (uint64_t x = v; x >= 10; x /= 10)
        n++;
    char *w = q + n;
    while (v >= 100) {
        size_t r = (size_t)(v % 100);
        v /= 100;
        w -= 2;
        w[0] = two_digits[2 * r];
        w[1] = two_digits[2 * r + 1];
    }
    if (v >= 10) {
        w[-2] = two_digits[2 * v];
        w[-1] = two_digits[2 * v + 1];
    } else {
        w[-1] = (char)('0' + v);
    }
    return q + n;
}

static int write_samples(raw_out *o, const pprof_profile *p, const raw_ids *ids)
{
    lab_scratch sc;
    memset(&sc, 0, sizeof sc);
    size_t nt = p->n_sample_types;
    int rc = 0;
    if (p->n_labels && !(sc.safe = calloc(p->n_strings ? p->n_strings : 1, 1)))
        return PPROF_ENOMEM;
    /* Ids that are not index + 1, in a compact table: each frame reads one
     * at random, and a whole location per read costs 4 times the cache. */
    uint64_t *tab = NULL;
    if (ids->loc_ok && !ids->loc_seq) {
        if (!(tab = malloc((p->n_locations ? p->n_locations : 1) * sizeof *tab))) {
            free(sc.safe);
            return PPROF_ENOMEM;
        }
        for (size_t i = 0; i < p->n_locations; i++)
            tab[i] = p->locations[i].id;
    }
    for (size_t i = 0; i < p->n_samples && !o->rc && !rc; i++) {
        const pprof_sample *s = &p->samples[i];
        if (pprof_buf_reserve(o->b, 22 * nt + 22 * (size_t)s->n_locs + 4)) {
            o->rc = PPROF_ENOMEM;
            break;
        }
        char *q = (char *)o->b->data + o->b->len;
        /* " %10d" per value */
        for (size_t k = 0; k < nt; k++) {
            int64_t v = p->values[i * nt + k];
            uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
            size_t len = (v < 0) + 1;
            for (uint64_t x = u; x >= 10; x /= 10)
                len++;
            *q++ = ' ';
            for (; len < 10; len++)
                *q++ = ' ';
            if (v < 0)
                *q++ = '-';
            q = put_dec(q, u);
        }
        *q++ = ':';
        *q++ = ' ';
        const uint32_t *locs = s->n_locs ? p->sample_locs + s->locs_off : NULL;
        for (uint32_t k = 0; k < s->n_locs; k++) {
            q = put_dec(q, tab ? tab[locs[k]] : (uint64_t)locs[k] + 1);
            *q++ = ' ';
        }
        *q++ = '\n';
        o->b->len = (size_t)((uint8_t *)q - o->b->data);
        o->b->data[o->b->len] = 0;
        if (s->n_labels) {
            const pprof_label *L = pprof_sample_labels(p, s);
            rc = label_line(o, &sc, p, L, s->n_labels, false);
            if (!rc)
                rc = label_line(o, &sc, p, L, s->n_labels, true);
        }
    }
    pprof_buf_release(&sc.text);
    free(sc.e);
    free(sc.r);
    free(sc.safe);
    free(tab);
    return rc ? rc : o->rc;
}

static void write_locations(raw_out *o, const pprof_profile *p, const raw_ids *ids)
{
    char buf[64];
    for (size_t i = 0; i < p->n_locations && !o->rc; i++) {
        const pprof_location *l = &p->locations[i];
        /* Go's "%6d: %#x " */
        int n = snprintf(buf, sizeof buf, "%6" PRIu64 ": 0x%" PRIx64 " ", loc_id(p, ids, i), l->address);
        put(o, buf, (size_t)n);
        if (l->mapping != PPROF_NONE) {
            puts_(o, "M=");
            put_u64(o, map_id(p, ids, l->mapping));
            put(o, " ", 1);
        }
        if (l->is_folded)
            puts_(o, "[F] ");
        for (uint32_t k = 0; k < l->n_lines; k++) {
            const pprof_line *ln = &p->lines[l->lines_off + k];
            const pprof_function *f = &p->functions[ln->function];
            if (k)
                puts_(o, "\n             ");
            put_str(o, p, f->name);
            put(o, " ", 1);
            put_str(o, p, f->filename);
            put(o, ":", 1);
            put_i64(o, ln->line);
            put(o, ":", 1);
            put_i64(o, ln->column);
            puts_(o, " s=");
            put_i64(o, f->start_line);
            if (f->name != f->system_name) {
                put(o, "(", 1);
                put_str(o, p, f->system_name);
                put(o, ")", 1);
            }
        }
        put(o, "\n", 1);
    }
}

static void write_mappings(raw_out *o, const pprof_profile *p, const raw_ids *ids)
{
    for (size_t i = 0; i < p->n_mappings && !o->rc; i++) {
        const pprof_mapping *m = &p->mappings[i];
        put_u64(o, map_id(p, ids, i));
        puts_(o, ": ");
        put_hex(o, m->start);
        put(o, "/", 1);
        put_hex(o, m->limit);
        put(o, "/", 1);
        put_hex(o, m->offset);
        put(o, " ", 1);
        put_str(o, p, m->file);
        put(o, " ", 1);
        put_str(o, p, m->build_id);
        put(o, " ", 1);
        if (m->has_functions)
            puts_(o, "[FN]");
        if (m->has_filenames)
            puts_(o, "[FL]");
        if (m->has_line_numbers)
            puts_(o, "[LN]");
        if (m->has_inline_frames)
            puts_(o, "[IN]");
        put(o, "\n", 1);
    }
}

/* ---------------------------------------------------------------- entry */

int pprof_write_raw(pprof_buf *out, const pprof_profile *p)
{
    raw_out o = {out, 0};
    raw_ids ids;
    int rc = pprof_ids_usable(&ids.map_ok, &ids.map_seq, p->n_mappings ? &p->mappings[0].id : NULL, sizeof *p->mappings,
                        p->n_mappings);
    if (!rc)
        rc = pprof_ids_usable(&ids.loc_ok, &ids.loc_seq, p->n_locations ? &p->locations[0].id : NULL,
                        sizeof *p->locations, p->n_locations);
    if (rc)
        return rc;

    for (size_t i = 0; i < p->n_comments; i++) {
        puts_(&o, "Comment: ");
        put_str(&o, p, p->comments[i]);
        put(&o, "\n", 1);
    }
    if (p->string_lens[p->doc_url]) {
        puts_(&o, "Doc: ");
        put_str(&o, p, p->doc_url);
        put(&o, "\n", 1);
    }
    puts_(&o, "PeriodType: ");
    put_str(&o, p, p->period_type.type);
    put(&o, " ", 1);
    put_str(&o, p, p->period_type.unit);
    puts_(&o, "\nPeriod: ");
    put_i64(&o, p->period);
    put(&o, "\n", 1);
    if (p->time_nanos) {
        puts_(&o, "Time: ");
        put_time(&o, p->time_nanos);
        put(&o, "\n", 1);
    }
    if (p->duration_nanos) {
        puts_(&o, "Duration: ");
        put_duration(&o, p->duration_nanos);
        put(&o, "\n", 1);
    }
    puts_(&o, "Samples:\n");

    /* "type/unit[dflt] " per sample type, then strings.TrimSpace. The
     * trim edits what was just written, so nothing may stream out between:
     * flush first (the header is small). */
    pprof_buf_flush(out);
    size_t hdr = out->len;
    for (size_t i = 0; i < p->n_sample_types; i++) {
        const pprof_value_type *vt = &p->sample_types[i];
        put_str(&o, p, vt->type);
        put(&o, "/", 1);
        put_str(&o, p, vt->unit);
        if (p->string_lens[vt->type] == p->string_lens[p->default_sample_type] &&
            memcmp(p->strings[vt->type], p->strings[p->default_sample_type], p->string_lens[vt->type]) == 0)
            puts_(&o, "[dflt]");
        put(&o, " ", 1);
    }
    if (o.rc)
        return o.rc;
    size_t end = out->len, lead = 0, k;
    while (hdr + lead < end && (k = space_at(out->data + hdr + lead, end - hdr - lead)) > 0)
        lead += k;
    while (end > hdr + lead && (k = space_before(out->data + hdr + lead, end - hdr - lead)) > 0)
        end -= k;
    if (lead)
        memmove(out->data + hdr, out->data + hdr + lead, end - hdr - lead);
    out->len = end - lead;
    put(&o, "\n", 1);

    rc = write_samples(&o, p, &ids);
    if (rc)
        return rc;
    puts_(&o, "Locations\n");
    write_locations(&o, p, &ids);
    puts_(&o, "Mappings\n");
    write_mappings(&o, p, &ids);
    return o.rc;
}
