/* report_labels.c: the header lines reports print (File, Type, Time, Duration, ...) and value formatting. */
#include "report.h"

#include <string.h>
#include <time.h>

const char *pprof_report_value_unit(const pprof_profile *p, const pprof_report_options *o)
{
    if (o->sample_index < 0 || (size_t)o->sample_index >= p->n_sample_types)
        return "";
    return pprof_string(p, p->sample_types[o->sample_index].unit);
}

int64_t pprof_report_ratio(int64_t v, double ratio)
{
    double x = (double)v * ratio;
    if (!(x >= -9223372036854775808.0 && x < 9223372036854775808.0))
        return INT64_MIN;
    return (int64_t)x;
}

void pprof_report_format(char *buf, size_t n, const pprof_profile *p, const pprof_report_options *o,
                         const char *out_unit, int64_t v)
{
    if (o->ratio != 1.0)
        v = pprof_report_ratio(v, o->ratio);
    pprof_format_scaled(buf, n, v, pprof_report_value_unit(p, o), out_unit);
}

const char *pprof_path_base(const char *path, size_t *len)
{
    /* Go's filepath.Base: trailing slashes dropped, "" becomes ".", only
     * slashes "/". */
    size_t n = strlen(path);
    while (n > 1 && path[n - 1] == '/')
        n--;
    size_t start = n;
    while (start > 0 && path[start - 1] != '/')
        start--;
    if (n == 0) {
        *len = 1;
        return ".";
    }
    if (start == n) {
        *len = n;
        return path;
    }
    *len = n - start;
    return path + start;
}

int pprof_put_string(pprof_buf *out, const pprof_profile *p, pprof_str id, int width)
{
    const char *s = p->strings[id];
    size_t n = p->string_lens[id];
    if (pprof_text_is_safe(s, n)) {
        for (size_t i = n; (int)i < width; i++)
            pprof_buf_puts(out, " ");
        return pprof_buf_append(out, s, n);
    }
    pprof_buf e = {0};
    pprof_escape_text(&e, s, n);
    for (size_t i = e.len; (int)i < width; i++)
        pprof_buf_puts(out, " ");
    int rc = e.failed ? PPROF_ENOMEM : pprof_buf_append(out, e.data, e.len);
    pprof_buf_release(&e);
    return rc;
}

int pprof_write_profile_labels(pprof_buf *out, const pprof_profile *p, const pprof_report_options *o,
                               const char *out_unit)
{
    if (p->n_mappings && p->strings[p->mappings[0].file][0]) {
        pprof_buf_puts(out, "File: ");
        size_t len;
        const char *base = pprof_path_base(p->strings[p->mappings[0].file], &len);
        pprof_escape_text(out, base, len);
        pprof_buf_puts(out, "\n");
    }
    if (p->n_mappings && p->strings[p->mappings[0].build_id][0])
    {
        pprof_buf_puts(out, "Build ID: ");
        pprof_put_string(out, p, p->mappings[0].build_id, 0);
        pprof_buf_puts(out, "\n");
    }
    for (size_t i = 0; i < p->n_comments; i++) {
        const char *c = p->strings[p->comments[i]];
        if (c[0] != '#') {
            pprof_put_string(out, p, p->comments[i], 0);
            pprof_buf_puts(out, "\n");
        }
    }
    if (o->sample_index >= 0 && (size_t)o->sample_index < p->n_sample_types)
    {
        pprof_buf_printf(out, "Type: %s", o->mean ? "mean_" : "");
        pprof_put_string(out, p, p->sample_types[o->sample_index].type, 0);
        pprof_buf_puts(out, "\n");
    }
    if (p->doc_url)
    {
        pprof_buf_puts(out, "Doc: ");
        pprof_put_string(out, p, p->doc_url, 0);
        pprof_buf_puts(out, "\n");
    }
    if (p->time_nanos) {
        time_t secs = (time_t)(p->time_nanos / 1000000000);
        if (p->time_nanos < 0 && p->time_nanos % 1000000000)
            secs--;
        struct tm tm;
        char when[64];
        if (localtime_r(&secs, &tm) && strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S %Z", &tm))
            pprof_buf_printf(out, "Time: %s\n", when);
    }
    if (p->duration_nanos) {
        char dur[64], tot[64];
        pprof_format_scaled(dur, sizeof dur, p->duration_nanos, "nanoseconds", "auto");
        pprof_report_format(tot, sizeof tot, p, o, out_unit, o->total);
        const char *u = pprof_report_value_unit(p, o);
        const char *ns_unit;
        double ns = pprof_unit_scale(o->total, u, "nanoseconds", &ns_unit);
        /* pprof leaves a space after the total, then the share of the
         * duration only when the values are times. */
        pprof_buf_printf(out, "Duration: %s, Total samples = %s ", dur, tot);
        if (pprof_unit_compatible(u, "nanoseconds") && o->total != 0) {
            char pct[32];
            /* saturated: a total in seconds or hours can pass int64 nanoseconds */
            int64_t ns_i = ns >= 9223372036854775807.0 ? INT64_MAX
                           : ns <= -9223372036854775808.0 ? INT64_MIN
                           : ns == ns ? (int64_t)ns : 0;
            pprof_format_percent(pct, sizeof pct, ns_i, p->duration_nanos);
            pprof_buf_printf(out, "(%s)", pct);
        }
        pprof_buf_puts(out, "\n");
    }
    return out->failed ? PPROF_ENOMEM : 0;
}

int pprof_write_comments(pprof_buf *out, const pprof_profile *p)
{
    for (size_t i = 0; i < p->n_comments; i++) {
        pprof_put_string(out, p, p->comments[i], 0);
        pprof_buf_puts(out, "\n");
    }
    return out->failed ? PPROF_ENOMEM : 0;
}
