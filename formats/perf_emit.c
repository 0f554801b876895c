/* perf_emit.c: hands the perf.data builder's tables over as a profile: sample types per event, the main mapping first, labels, comments, time and duration. */
#include "perf_build.h"
#include "internal.h"

#include <stdio.h>
#include <string.h>

/* The unit of an event's period: the software clocks count nanoseconds,
 * everything else counts events. */
static const char *period_unit(const perf_attr *a)
{
    return a->type == 1 && (a->config == 0 || a->config == 1) ? "nanoseconds" : "count";
}

static int add_type(pprof_profile *p, const char *name, const char *suffix, const char *unit, pprof_str *type)
{
    char buf[300];
    int n = snprintf(buf, sizeof buf, "%s%s", name, suffix);
    pprof_value_type vt;
    if (pprof_profile_intern(&vt.type, p, buf, (size_t)n) || pprof_profile_intern(&vt.unit, p, unit, strlen(unit)) ||
        pprof_profile_add_sample_type(p, vt))
        return PPROF_ENOMEM;
    *type = vt.type;
    return 0;
}

/* Not a main binary: shared objects, kernel modules, [vdso] and the like,
 * anonymous or memfd memory, JIT maps. */
static bool not_main(const char *s)
{
    size_t n = strlen(s);
    return n == 0 || s[0] == '[' || strncmp(s, "//", 2) == 0 || strncmp(s, "/memfd:", 7) == 0 ||
           strncmp(s, "/tmp/perf-", 10) == 0 || strstr(s, ".so") != NULL ||
           (n > 3 && strcmp(s + n - 3, ".ko") == 0);
}

/* The main mapping, as pprof wants it first: the first executable that is
 * not a library in the process with most samples; failing that the most
 * used mapping (the kernel's, for a profile of kernel work only). */
static uint32_t main_mapping(const perf_builder *b)
{
    const perf_proc *best = NULL;
    for (size_t i = 0; i < b->n_procs; i++)
        if (b->procs[i].pid != -1 && b->procs[i].samples && (!best || b->procs[i].samples > best->samples))
            best = &b->procs[i];
    if (best)
        for (size_t i = 0; i < b->n_maps; i++)
            if (b->maps[i].pid == best->pid && b->maps[i].uses && !not_main(pprof_string(b->p, b->maps[i].file)))
                return (uint32_t)i;
    uint32_t most = PPROF_NONE;
    for (size_t i = 0; i < b->n_maps; i++)
        if (b->maps[i].uses && (most == PPROF_NONE || b->maps[i].uses > b->maps[most].uses))
            most = (uint32_t)i;
    return most;
}

static int add_comment(pprof_profile *p, const char *text)
{
    pprof_str s;
    if (pprof_profile_intern(&s, p, text, strlen(text)) || pprof_profile_add_comment(p, s))
        return PPROF_ENOMEM;
    return 0;
}

static int emit(perf_builder *b)
{
    pprof_profile *p = b->p;
    const perf_file *f = b->f;
    pprof_str last_event = 0;
    for (size_t i = 0; i < f->n_attrs; i++) {
        pprof_str t;
        if (add_type(p, f->attrs[i].name, "_sample", "count", &t) ||
            add_type(p, f->attrs[i].name, "_event", period_unit(&f->attrs[i]), &last_event))
            return PPROF_ENOMEM;
    }
    p->default_sample_type = last_event;

    /* Mappings: the main one first, then those frames resolved in. */
    uint32_t *new_index = malloc((b->n_maps + 1) * sizeof *new_index);
    if (!new_index)
        return PPROF_ENOMEM;
    uint32_t main = main_mapping(b), next = 0;
    for (size_t i = 0; i < b->n_maps; i++)
        new_index[i] = PPROF_NONE;
    for (size_t k = 0; k <= b->n_maps; k++) {
        size_t i = k == 0 ? main : k - 1;
        if (i >= b->n_maps || new_index[i] != PPROF_NONE || (k > 0 && !b->maps[i].uses))
            continue;
        const perf_map *m = &b->maps[i];
        pprof_mapping pm = {.id = ++next, .start = m->start, .limit = m->limit, .offset = m->offset,
                            .file = m->file, .build_id = m->build_id};
        if (pprof_profile_add_mapping(&new_index[i], p, &pm)) {
            free(new_index);
            return PPROF_ENOMEM;
        }
    }
    for (size_t i = 0; i < b->n_locs; i++) {
        pprof_location l = {.id = i + 1, .address = b->locs[i].addr, .mapping = PPROF_NONE};
        if (b->locs[i].mapping != PPROF_NONE)
            l.mapping = new_index[b->locs[i].mapping];
        uint32_t idx;
        if (pprof_profile_add_location(&idx, p, &l, NULL, 0)) {
            free(new_index);
            return PPROF_ENOMEM;
        }
    }
    free(new_index);

    pprof_str k_pid, k_tid, k_comm;
    if (pprof_profile_intern(&k_pid, p, "pid", 3) || pprof_profile_intern(&k_tid, p, "tid", 3) ||
        pprof_profile_intern(&k_comm, p, "comm", 4))
        return PPROF_ENOMEM;
    for (size_t i = 0; i < b->n_samples; i++) {
        const perf_bsample *s = &b->samples[i];
        const perf_thread *t = &b->threads[s->thread];
        pprof_label labels[3] = {{.key = k_pid, .num = t->pid}, {.key = k_tid, .num = t->tid},
                                 {.key = k_comm, .str = t->comm}};
        /* No arithmetic on a NULL array (a perf.data without any frame). */
        const uint32_t *locs = s->n_locs ? b->sample_locs + s->locs_off : NULL;
        if (pprof_profile_add_sample(p, locs, s->n_locs, b->values + i * b->n_types,
                                     labels, 3))
            return PPROF_ENOMEM;
    }

    char buf[4200];
    if (f->version[0]) {
        snprintf(buf, sizeof buf, "perf-version:%s", f->version);
        if (add_comment(p, buf))
            return PPROF_ENOMEM;
    }
    if (f->cmdline.len) {
        snprintf(buf, sizeof buf, "perf-command:%.4000s", (const char *)f->cmdline.data);
        if (add_comment(p, buf))
            return PPROF_ENOMEM;
    }
    if (b->lost) {
        snprintf(buf, sizeof buf, "perf-lost-events:%llu", (unsigned long long)b->lost);
        if (add_comment(p, buf))
            return PPROF_ENOMEM;
    }

    perf_file_span(f, b->min_time, b->max_time, &p->time_nanos, &p->duration_nanos);
    return 0;
}

int perf_builder_finish(perf_builder *b, pprof_profile **out, pprof_error *err)
{
    if (emit(b))
        return pprof_error_set(err, PPROF_ENOMEM, "out of memory");
    *out = b->p;
    b->p = NULL;
    return 0;
}
