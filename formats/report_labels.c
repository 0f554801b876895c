/* report_labels.c: the header lines reports print (File, Type, Time, Duration, ...) and value formatting. */
#include "report.h"

#include <string.h>
#include <time.h>

static const char *sample_unit(const pprof_profile *p, const pprof_report_options *o)
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
    pprof_format_scaled(buf, n, v, sample_unit(p, o), out_unit);
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

int pprof_write_profile_labels(pprof_buf *out, const pprof_profile *p, const pprof_report_options *o,
                               const char *out_unit)
{
    if (p->n_mappings && p->strings[p->mappings[0].file][0]) {
        pprof_buf_puts(out, "File: ");
        size_t len;
        const char *base = pprof_path_base(p->strings[p->mappings[0].file], &len);
        pprof_buf_append(out, base, len);
        pprof_buf_puts(out, "\n");
    }
    if (p->n_mappings && p->strings[p->mappings[0].build_id][0])
        pprof_buf_printf(out, "Build ID: %s\n", p->strings[p->mappings[0].build_id]);
    for (size_t i = 0; i < p->n_comments; i++) {
        const char *c = p->strings[p->comments[i]];
        if (c[0] != '#')
            pprof_buf_printf(out, "%s\n", c);
    }
    if (o->sample_index >= 0 && (size_t)o->sample_index < p->n_sample_types)
        pprof_buf_printf(out, "Type: %s%s\n", o->mean ? "mean_" : "",
                         p->strings[p->sample_types[o->sample_index].type]);
    if (p->doc_url)
        pprof_buf_printf(out, "Doc: %s\n", p->strings[p->doc_url]);
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
        const char *u = sample_unit(p, o);
        const char *ns_unit;
        double ns = pprof_unit_scale(o->total, u, "nanoseconds", &ns_unit);
        /* pprof leaves a space after the total, then the share of the
         * duration only when the values are times. */
        pprof_buf_printf(out, "Duration: %s, Total samples = %s ", dur, tot);
        if (pprof_unit_compatible(u, "nanoseconds") && o->total != 0) {
            char pct[32];
            pprof_format_percent(pct, sizeof pct, (int64_t)ns, p->duration_nanos);
            pprof_buf_printf(out, "(%s)", pct);
        }
        pprof_buf_puts(out, "\n");
    }
    return out->failed ? PPROF_ENOMEM : 0;
}

int pprof_write_comments(pprof_buf *out, const pprof_profile *p)
{
    for (size_t i = 0; i < p->n_comments; i++)
        pprof_buf_printf(out, "%s\n", p->strings[p->comments[i]]);
    return out->failed ? PPROF_ENOMEM : 0;
}
