/* diff.c: the -diff report: per function, old (base) and new values, the
 * delta and its share of the base total, for flat and cum; text or JSON,
 * with the -fail_above gate for CI. */
#include "report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct diff_row {
    char *name;
    int64_t old_flat, old_cum, new_flat, new_cum;
} diff_row;

#define abs64 pprof_sat_abs

/* Keeps only the base samples (base=true, values made positive again) or
 * only the new ones. */
static void split(pprof_profile *p, bool base)
{
    pprof_str key, val;
    bool have = pprof_profile_find_string(&key, p, "pprof::base", 11) && pprof_profile_find_string(&val, p, "true", 4);
    size_t kept = 0, nt = p->n_sample_types;
    for (size_t i = 0; i < p->n_samples; i++) {
        const pprof_sample *s = &p->samples[i];
        bool is_base = false;
        for (uint32_t k = 0; have && k < s->n_labels; k++)
            is_base |= p->labels[s->labels_off + k].key == key && p->labels[s->labels_off + k].str == val;
        if (is_base != base)
            continue;
        p->samples[kept] = *s;
        for (size_t k = 0; k < nt; k++) {
            int64_t v = p->values[i * nt + k];
            p->values[kept * nt + k] = base ? pprof_sat_neg(v) : v;
        }
        kept++;
    }
    p->n_samples = kept;
}

static bool has_base(const pprof_profile *p)
{
    pprof_str key, val;
    if (!pprof_profile_find_string(&key, p, "pprof::base", 11) || !pprof_profile_find_string(&val, p, "true", 4))
        return false;
    for (size_t i = 0; i < p->n_labels; i++)
        if (p->labels[i].key == key && p->labels[i].str == val)
            return true;
    return false;
}

static int side_graph(pprof_graph **g, const pprof_profile *p, const pprof_report_options *o, bool base,
                      pprof_profile **copy, int64_t *total, pprof_error *err)
{
    int rc = pprof_profile_copy(copy, p);
    if (rc)
        return pprof_error_set(err, rc, "out of memory");
    split(*copy, base);
    *total = pprof_profile_total(*copy, o->sample_index, o->mean, NULL);
    pprof_graph_options go = o->graph;
    go.nodecount = 0;
    go.nodefraction = 0;
    go.edgefraction = 0;
    go.inline_edges_only = true;
    return pprof_graph_build(g, *copy, &go, err);
}

/* One node of one side, before the join. */
typedef struct side_entry {
    char *name;
    bool is_new;
    int64_t flat, cum;
} side_entry;

static int cmp_entries(const void *a, const void *b)
{
    return strcmp(((const side_entry *)a)->name, ((const side_entry *)b)->name);
}

/* Rows for every function of either side: both graphs' nodes sorted by
 * name, then equal names folded into one row (linear after the sort). */
static int join_sides(diff_row **out, size_t *n_out, pprof_graph *gold, pprof_graph *gnew, bool json)
{
    size_t total = gold->n_nodes + gnew->n_nodes, n = 0;
    side_entry *e = calloc(total ? total : 1, sizeof *e);
    diff_row *rows = calloc(total ? total : 1, sizeof *rows);
    pprof_buf name = {0};
    int rc = e && rows ? 0 : PPROF_ENOMEM;
    for (int side = 0; side < 2 && !rc; side++) {
        pprof_graph *g = side ? gnew : gold;
        for (size_t i = 0; i < g->n_nodes && !rc; i++) {
            name.len = 0;
            if ((json ? pprof_node_name(&name, g, &g->nodes[i]) : pprof_node_text(&name, g, &g->nodes[i])) ||
                !(e[n].name = strdup((const char *)name.data))) {
                rc = PPROF_ENOMEM;
                break;
            }
            e[n].is_new = side;
            e[n].flat = pprof_node_flat(&g->nodes[i]);
            e[n].cum = pprof_node_cum(&g->nodes[i]);
            n++;
        }
    }
    pprof_buf_release(&name);
    size_t nr = 0;
    if (!rc) {
        qsort(e, n, sizeof *e, cmp_entries);
        for (size_t i = 0; i < n; i++) {
            if (nr == 0 || strcmp(rows[nr - 1].name, e[i].name) != 0) {
                rows[nr++].name = e[i].name;
                e[i].name = NULL; /* the row owns it now */
            }
            diff_row *r = &rows[nr - 1];
            if (e[i].is_new) {
                pprof_sat_add(&r->new_flat, e[i].flat);
                pprof_sat_add(&r->new_cum, e[i].cum);
            } else {
                pprof_sat_add(&r->old_flat, e[i].flat);
                pprof_sat_add(&r->old_cum, e[i].cum);
            }
        }
    }
    for (size_t i = 0; e && i < n; i++)
        free(e[i].name);
    free(e);
    if (rc) {
        free(rows);
        return rc;
    }
    *out = rows;
    *n_out = nr;
    return 0;
}

typedef struct sort_ctx_row {
    const diff_row *r;
    bool by_cum;
} sort_row;

static int cmp_rows(const void *a, const void *b)
{
    const sort_row *x = a, *y = b;
    int64_t dx = x->by_cum ? pprof_sat_sub(x->r->new_cum, x->r->old_cum) : pprof_sat_sub(x->r->new_flat, x->r->old_flat);
    int64_t dy = y->by_cum ? pprof_sat_sub(y->r->new_cum, y->r->old_cum) : pprof_sat_sub(y->r->new_flat, y->r->old_flat);
    if (abs64(dx) != abs64(dy))
        return abs64(dx) > abs64(dy) ? -1 : 1;
    return strcmp(x->r->name, y->r->name);
}

/* Share of total in percent. */
static double share(int64_t v, int64_t total)
{
    return total ? 100.0 * (double)v / (double)total : 0;
}

int pprof_write_diff(pprof_buf *out, const pprof_profile *p, const pprof_report_options *o, pprof_error *err)
{
    if (!has_base(p))
        return pprof_error_set(err, PPROF_EINVAL,
                               "-diff compares against a base: give -diff_base=OLD (or a two-column folded file)");
    pprof_profile *pold = NULL, *pnew = NULL;
    pprof_graph *gold = NULL, *gnew = NULL;
    int64_t told = 0, tnew = 0;
    int rc = side_graph(&gold, p, o, true, &pold, &told, err);
    if (!rc)
        rc = side_graph(&gnew, p, o, false, &pnew, &tnew, err);
    diff_row *rows = NULL;
    size_t n = 0;
    if (!rc && join_sides(&rows, &n, gold, gnew, o->json))
        rc = pprof_error_set(err, PPROF_ENOMEM, "out of memory");
    sort_row *order = rc ? NULL : malloc((n ? n : 1) * sizeof *order);
    if (!rc && !order)
        rc = pprof_error_set(err, PPROF_ENOMEM, "out of memory");
    size_t shown = 0;
    bool by_cum = o->graph.sort_cum;
    for (size_t i = 0; i < n && !rc; i++)
        if (rows[i].new_flat != rows[i].old_flat || rows[i].new_cum != rows[i].old_cum)
            order[shown++] = (sort_row){&rows[i], by_cum};
    if (!rc) {
        qsort(order, shown, sizeof *order, cmp_rows);
        size_t limit = o->graph.nodecount > 0 && (size_t)o->graph.nodecount < shown ? (size_t)o->graph.nodecount : shown;
        /* The gate: a function whose share of its profile grew by more than
         * fail_above percentage points, flat or cum. */
        size_t failing = 0;
        for (size_t i = 0; i < n && o->fail_above > 0; i++) {
            double df = share(rows[i].new_flat, tnew) - share(rows[i].old_flat, told);
            double dc = share(rows[i].new_cum, tnew) - share(rows[i].old_cum, told);
            if (df > o->fail_above || dc > o->fail_above)
                failing++;
        }
        const char *unit = strcmp(o->unit, "minimum") == 0 ? "auto" : o->unit;
        const char *su = pprof_string(p, p->sample_types[o->sample_index].unit);
        const char *type = pprof_string(p, p->sample_types[o->sample_index].type);
        if (o->json) {
            pprof_buf_puts(out, "{\"type\":");
            pprof_json_string(out, type);
            pprof_buf_puts(out, ",\"unit\":");
            pprof_json_string(out, su);
            pprof_buf_printf(out, ",\"old_total\":%lld,\"new_total\":%lld,\"rows\":[", (long long)told, (long long)tnew);
            for (size_t i = 0; i < limit; i++) {
                const diff_row *r = order[i].r;
                pprof_buf_puts(out, i ? ",\n{\"name\":" : "\n{\"name\":");
                pprof_json_string(out, r->name);
                pprof_buf_printf(out,
                                 ",\"old_flat\":%lld,\"new_flat\":%lld,\"old_cum\":%lld,\"new_cum\":%lld,"
                                 "\"flat_delta_pct\":%.4f,\"cum_delta_pct\":%.4f,\"status\":\"%s\"}",
                                 (long long)r->old_flat, (long long)r->new_flat, (long long)r->old_cum,
                                 (long long)r->new_cum, share(pprof_sat_sub(r->new_flat, r->old_flat), told),
                                 share(pprof_sat_sub(r->new_cum, r->old_cum), told),
                                 r->old_cum == 0 ? "new" : r->new_cum == 0 ? "gone" : "changed");
            }
            pprof_buf_printf(out, "\n],\"fail_above\":%g,\"failing\":%zu}\n", o->fail_above, failing);
        } else {
            char a[64], b[64];
            pprof_report_format(a, sizeof a, p, o, unit, told);
            pprof_report_format(b, sizeof b, p, o, unit, tnew);
            pprof_buf_printf(out, "Type: %s\nBase total %s, new total %s; deltas are %% of the base total\n", type, a, b);
            if (shown > limit)
                pprof_buf_printf(out, "Showing top %zu of %zu changed functions\n", limit, shown);
            pprof_buf_printf(out, "%10s %10s %10s %8s %10s %10s %10s %8s  %s\n", "old flat", "new flat", "delta",
                             "delta%", "old cum", "new cum", "delta", "delta%", "name");
            for (size_t i = 0; i < limit; i++) {
                const diff_row *r = order[i].r;
                char of[64], nf[64], df[64], oc[64], nc[64], dc[64];
                pprof_report_format(of, sizeof of, p, o, unit, r->old_flat);
                pprof_report_format(nf, sizeof nf, p, o, unit, r->new_flat);
                pprof_report_format(df, sizeof df, p, o, unit, pprof_sat_sub(r->new_flat, r->old_flat));
                pprof_report_format(oc, sizeof oc, p, o, unit, r->old_cum);
                pprof_report_format(nc, sizeof nc, p, o, unit, r->new_cum);
                pprof_report_format(dc, sizeof dc, p, o, unit, pprof_sat_sub(r->new_cum, r->old_cum));
                pprof_buf_printf(out, "%10s %10s %10s %+7.2f%% %10s %10s %10s %+7.2f%%  %s%s\n", of, nf, df,
                                 share(pprof_sat_sub(r->new_flat, r->old_flat), told), oc, nc, dc,
                                 share(pprof_sat_sub(r->new_cum, r->old_cum), told), r->name,
                                 r->old_cum == 0 ? " (new)" : r->new_cum == 0 ? " (gone)" : "");
            }
        }
        if (failing && !o->json) {
            pprof_buf_printf(out, "\nOver -fail_above=%g (percentage points of each profile's total):\n", o->fail_above);
            for (size_t i = 0; i < n; i++) {
                double df = share(rows[i].new_flat, tnew) - share(rows[i].old_flat, told);
                double dc = share(rows[i].new_cum, tnew) - share(rows[i].old_cum, told);
                if (df > o->fail_above || dc > o->fail_above)
                    pprof_buf_printf(out, "  %s: flat %+.2f points, cum %+.2f points\n", rows[i].name, df, dc);
            }
        }
        if (failing && o->threshold_exceeded)
            *o->threshold_exceeded = failing;
    }
    free(order);
    for (size_t i = 0; i < n; i++)
        free(rows[i].name);
    free(rows);
    pprof_graph_free(gold);
    pprof_graph_free(gnew);
    pprof_profile_free(pold);
    pprof_profile_free(pnew);
    if (!rc && out->failed)
        rc = pprof_error_set(err, PPROF_ENOMEM, "out of memory");
    return rc;
}
