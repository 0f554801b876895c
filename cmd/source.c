/* source.c: reads each source (file, or URL body from fetch_sources.c), decodes it (profile.proto, else legacy formats) and merges them. */
#include "cmd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <sys/stat.h>
#include <time.h>

/* -max_memory of the run (cmd_load_sources sets it): the budget of every
 * read of a source; 0 is the library's default. */
static uint64_t max_memory;

/* Decodes bytes with the library's one read entry (every format). */
static int decode_bytes(pprof_profile **out, const pprof_buf *in, bool mapped, pprof_error *err)
{
    pprof_parse_options opt = {0};
    opt.input_mapped = mapped;
    opt.max_memory = max_memory;
    return pprof_read(out, in->data, in->len, &opt, err);
}

/* Reads the first bytes and refuses, before reading everything, data that
 * cannot be a profile: an endless stream of junk must not be slurped up to
 * the size cap. */
static int sniff_prefix(FILE *f, pprof_buf *buf, pprof_error *err)
{
    if (pprof_buf_reserve(buf, PPROF_READ_PREFIX))
        return pprof_error_set(err, PPROF_ENOMEM, "out of memory");
    buf->len = fread(buf->data, 1, PPROF_READ_PREFIX, f);
    if (ferror(f))
        return pprof_error_set(err, PPROF_EIO, "read: %s", strerror(errno ? errno : EIO));
    return pprof_read_check_prefix(buf->data, buf->len, err);
}

/* perf.data carries no wall-clock time (its clock runs from boot): a
 * profile read from one is placed to end when its file was written (for a
 * stream, now). True for perf.data. */
static bool perf_time(pprof_profile *p, const pprof_buf *in, const struct stat *st)
{
    if (!pprof_perf_sniff(in->data, in->len))
        return false;
    struct timespec t;
    if (st && S_ISREG(st->st_mode))
        t = st->st_mtim;
    else
        clock_gettime(CLOCK_REALTIME, &t);
    pprof_perf_set_time(p, (int64_t)t.tv_sec * 1000000000 + t.tv_nsec);
    return true;
}

/* A regular file is mapped rather than read: no copy into a growing buffer,
 * and pages come from the page cache. Returns 1 when mapping is not
 * possible (empty file, too big), so the caller reads it instead. */
static int load_mapped(pprof_profile **out, const char *path, const struct stat *st, bool *perf, pprof_error *err)
{
    if (st->st_size <= 0 || (uint64_t)st->st_size > PPROF_DEFAULT_MAX_INFLATED)
        return 1;
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return pprof_error_set(err, PPROF_EIO, "open %s: %s", path, strerror(errno));
    size_t len = (size_t)st->st_size;
    void *map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED)
        return 1;
    pprof_buf view = {.data = map, .len = len, .cap = len};
    int rc = decode_bytes(out, &view, true, err);
    if (rc == 0)
        *perf = perf_time(*out, &view, st);
    munmap(map, len);
    return rc;
}

/* A body fetched over HTTP: sniffed and decoded like a file's bytes. */
static int load_fetched(pprof_profile **out, const char *name, const pprof_buf *body)
{
    pprof_error err;
    int rc = decode_bytes(out, body, false, &err);
    if (rc) {
        cmd_error("%s: %s", name, err.msg);
        return EXIT_DATA;
    }
    return 0;
}

/* "-": standard input (perf record -o - | pprof -top -). */
static int load_stdin(pprof_profile **out, bool *perf)
{
    pprof_error err;
    pprof_buf buf = {0};
    pprof_parse_options opt = {0};
    opt.max_memory = max_memory;
    int rc = sniff_prefix(stdin, &buf, &err);
    if (rc == 0)
        rc = pprof_read_stream(&buf, stdin, &opt, &err);
    if (rc == 0)
        rc = decode_bytes(out, &buf, false, &err);
    if (rc == 0)
        *perf = perf_time(*out, &buf, NULL);
    pprof_buf_release(&buf);
    if (rc) {
        cmd_error("-: %s", err.msg);
        return EXIT_DATA;
    }
    return 0;
}

/* *perf: the file is perf.data (recorded on this machine, as perf
 * assumes when it names [vdso] frames). */
static int load_one(pprof_profile **out, const char *path, bool *perf)
{
    struct stat st;
    *perf = false;
    if (strcmp(path, "-") == 0)
        return load_stdin(out, perf);
    if (stat(path, &st) != 0) {
        cmd_error("%s: open %s: %s", path, path, strerror(errno));
        return EXIT_DATA;
    }
    if (S_ISDIR(st.st_mode)) {
        cmd_error("%s: is a directory, not a profile", path);
        return EXIT_DATA;
    }
    if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode)) {
        cmd_error("%s: not a regular file or pipe", path);
        return EXIT_DATA;
    }
    pprof_error err;
    if (S_ISREG(st.st_mode)) {
        int mrc = load_mapped(out, path, &st, perf, &err);
        if (mrc == 0)
            return 0;
        if (mrc < 0) {
            cmd_error("%s: %s", path, err.msg);
            return EXIT_DATA;
        }
    }
    FILE *f = fopen(path, "rb");
    if (!f) {
        cmd_error("%s: open %s: %s", path, path, strerror(errno));
        return EXIT_DATA;
    }
    pprof_buf buf = {0};
    pprof_parse_options opt = {0};
    opt.max_memory = max_memory;
    int rc = sniff_prefix(f, &buf, &err);
    if (rc == 0)
        rc = pprof_read_stream(&buf, f, &opt, &err);
    fclose(f);
    if (rc == 0)
        rc = decode_bytes(out, &buf, false, &err);
    if (rc == 0)
        *perf = perf_time(*out, &buf, &st);
    pprof_buf_release(&buf);
    if (rc) {
        cmd_error("%s: %s", path, err.msg);
        return EXIT_DATA;
    }
    return 0;
}

/* As pprof does for every source: a profile without mappings gets a fake
 * one (id 1) that every location points at; a [binary] argument names the
 * main mapping's file. */
static int locate_binaries(pprof_profile *p, const cmd_args *args)
{
    if (p->n_mappings == 0) {
        pprof_mapping m;
        memset(&m, 0, sizeof m);
        m.id = 1;
        if (pprof_profile_add_mapping(NULL, p, &m))
            return PPROF_ENOMEM;
        for (size_t i = 0; i < p->n_locations; i++)
            p->locations[i].mapping = 0;
    }
    if (args->exec_name)
        return pprof_profile_intern(&p->mappings[0].file, p, args->exec_name, strlen(args->exec_name));
    return 0;
}

static int load_group(pprof_profile **out, const cmd_args *args, const char *const *sources, size_t n);

/* -base subtracts the base; -diff_base subtracts it too but keeps its
 * samples apart (labelled pprof::base=true), so reports can tell them and
 * take the base as the 100% mark. -normalize first scales the profile to
 * the base's totals. Takes base; name is for messages. */
static int subtract_base(pprof_profile **p, pprof_profile *base, bool diff, const char *name, const cmd_args *args)
{
    pprof_error err;
    const char *what = NULL;
    if (diff && pprof_profile_add_label_all(base, "pprof::base", "true"))
        what = "out of memory";
    if (!what && args->normalize && pprof_profile_normalize(*p, base, &err))
        what = err.msg;
    size_t nt = base->n_sample_types;
    double *neg = malloc((nt ? nt : 1) * sizeof *neg);
    for (size_t k = 0; neg && k < nt; k++)
        neg[k] = -1;
    if (!what && (!neg || pprof_profile_scale(base, neg)))
        what = "out of memory";
    free(neg);
    pprof_profile *merged = NULL;
    pprof_profile *both[2] = {*p, base};
    if (!what && pprof_profile_merge(&merged, both, 2, &err))
        what = err.msg;
    pprof_profile_free(base);
    if (what) {
        cmd_error("%s: %s", cmd_fetched_name(args->fetched, name), what);
        return EXIT_DATA;
    }
    pprof_profile_free(*p);
    *p = merged;
    return 0;
}

static int apply_base(pprof_profile **p, const cmd_args *args)
{
    bool diff = args->diff_base && *args->diff_base;
    const char *src = diff ? args->diff_base : args->base;
    if (!src || !*src)
        return 0;
    pprof_profile *base;
    int rc = load_group(&base, args, &src, 1);
    if (rc)
        return rc;
    return subtract_base(p, base, diff, src, args);
}

static int load_windows(pprof_profile **out, const cmd_args *args);

int cmd_load_sources(pprof_profile **out, const cmd_args *in)
{
    cmd_args fetched = *in, *args = &fetched;
    *out = NULL;
    max_memory = in->max_memory;
    int rc = cmd_fetch_sources(&fetched.fetched, in);
    if (rc == 0 && ((args->window && *args->window) || (args->base_window && *args->base_window)))
        rc = load_windows(out, args);
    else if (rc == 0)
        rc = load_group(out, args, args->sources, args->n_sources);
    if (rc == 0)
        rc = apply_base(out, args);
    if (rc == 0 && args->add_comment && *args->add_comment) {
        pprof_str c;
        if (pprof_profile_intern(&c, *out, args->add_comment, strlen(args->add_comment)) ||
            pprof_profile_add_comment(*out, c)) {
            cmd_error("out of memory");
            rc = EXIT_DATA;
        }
    }
    if (rc == 0)
        cmd_fetched_save(args->fetched, *out);
    cmd_fetched_free(args->fetched);
    if (rc) {
        pprof_profile_free(*out);
        *out = NULL;
    }
    return rc;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A directory source stands for the regular files in it (not hidden, not
 * recursive), in name order, so a folder of periodic captures merges. */
static int expand_sources(char ***out, size_t *n_out, const char *const *sources, size_t n)
{
    char **list = NULL;
    size_t count = 0, cap = 0;
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        size_t first = count;
        if (stat(sources[i], &st) == 0 && S_ISDIR(st.st_mode)) {
            DIR *d = opendir(sources[i]);
            if (!d) {
                cmd_error("%s: %s", sources[i], strerror(errno));
                goto fail;
            }
            for (struct dirent *e; (e = readdir(d)) != NULL;) {
                if (e->d_name[0] == '.')
                    continue;
                size_t len = strlen(sources[i]) + strlen(e->d_name) + 2;
                char *path = malloc(len);
                if (!path) {
                    closedir(d);
                    goto oom;
                }
                snprintf(path, len, "%s/%s", sources[i], e->d_name);
                struct stat fst;
                if (stat(path, &fst) != 0 || !S_ISREG(fst.st_mode)) {
                    free(path);
                    continue;
                }
                if (count == cap) {
                    cap = cap ? cap * 2 : 16;
                    char **l = realloc(list, cap * sizeof *l);
                    if (!l) {
                        free(path);
                        closedir(d);
                        goto oom;
                    }
                    list = l;
                }
                list[count++] = path;
            }
            closedir(d);
            if (count > first)
                qsort(list + first, count - first, sizeof *list, cmp_names);
            if (count == first) {
                cmd_error("%s: no profiles in this directory", sources[i]);
                goto fail;
            }
            continue;
        }
        if (count == cap) {
            cap = cap ? cap * 2 : 16;
            char **l = realloc(list, cap * sizeof *l);
            if (!l)
                goto oom;
            list = l;
        }
        if (!(list[count] = strdup(sources[i])))
            goto oom;
        count++;
    }
    *out = list;
    *n_out = count;
    return 0;
oom:
    cmd_error("out of memory");
fail:
    for (size_t i = 0; i < count; i++)
        free(list[i]);
    free(list);
    return EXIT_DATA;
}

static int load_files(pprof_profile **out, const cmd_args *args, const char *const *files, size_t n,
                      const bool *pick);

static int load_group(pprof_profile **out, const cmd_args *args, const char *const *sources, size_t n)
{
    char **files;
    size_t nf;
    *out = NULL;
    int rc = expand_sources(&files, &nf, sources, n);
    if (rc)
        return rc;
    rc = load_files(out, args, (const char *const *)files, nf, NULL);
    for (size_t i = 0; i < nf; i++)
        free(files[i]);
    free(files);
    return rc;
}

/* -window / -base_window: the profiles of the sources whose time spans
 * meet each window; the base window's merge becomes a -diff_base. */
static int load_windows(pprof_profile **out, const cmd_args *args)
{
    char **files;
    size_t nf;
    *out = NULL;
    int rc = expand_sources(&files, &nf, args->sources, args->n_sources);
    if (rc)
        return rc;
    bool *in_window = calloc(nf + 1, sizeof *in_window), *in_base = calloc(nf + 1, sizeof *in_base);
    if (!in_window || !in_base) {
        cmd_error("out of memory");
        rc = EXIT_DATA;
    }
    if (!rc)
        rc = cmd_windows_select((const char *const *)files, nf, args, in_window, in_base);
    bool has_window = (args->window && *args->window) || (args->base_window && *args->base_window);
    if (!rc)
        rc = load_files(out, args, (const char *const *)files, nf, has_window ? in_window : NULL);
    if (!rc && args->base_window && *args->base_window) {
        pprof_profile *base = NULL;
        rc = load_files(&base, args, (const char *const *)files, nf, in_base);
        if (!rc) {
            char name[512];
            snprintf(name, sizeof name, "-base_window=%s", args->base_window);
            rc = subtract_base(out, base, true, name, args);
        }
    }
    free(in_window);
    free(in_base);
    for (size_t i = 0; i < nf; i++)
        free(files[i]);
    free(files);
    return rc;
}

/* One file of a merge, for the prefetch thread. */
typedef struct merge_job {
    const cmd_args *args;
    const char *const *files;
    size_t *index; /* the picked files */
} merge_job;

/* What pprof accepts silently but a user should hear about, once per source. */
static void warn_suspicious(const pprof_profile *p, const char *name)
{
    if (p->n_dangling_mappings)
        cmd_warning("%s: %zu location(s) name a mapping_id that no mapping has; kept without a mapping", name,
                    p->n_dangling_mappings);
    if (p->default_sample_type) {
        bool found = false;
        for (size_t i = 0; i < p->n_sample_types && !found; i++)
            found = p->sample_types[i].type == p->default_sample_type;
        if (!found && p->n_sample_types)
            cmd_warning("%s: default_sample_type \"%s\" names no sample type; using the last one (%s)", name,
                        pprof_string(p, p->default_sample_type),
                        pprof_string(p, p->sample_types[p->n_sample_types - 1].type));
    }
    for (int k = 0; k < 2; k++) {
        pprof_str s = k ? p->keep_frames : p->drop_frames;
        if (!s)
            continue;
        pprof_regex *re = NULL;
        pprof_error rerr;
        if (pprof_regex_compile(&re, pprof_string(p, s), p->string_lens[s], &rerr) == 0)
            pprof_regex_free(re);
        else
            cmd_warning("%s: the profile's %s regexp does not compile (%s); it is ignored", name,
                        k ? "keep_frames" : "drop_frames", rerr.msg);
    }
}

static int load_picked(pprof_profile **p, size_t i, void *ctx)
{
    merge_job *job = ctx;
    const char *file = job->files[job->index[i]], *name;
    bool failed;
    const pprof_buf *body = cmd_fetched_take(job->args->fetched, file, &name, &failed);
    if (failed)
        return EXIT_DATA; /* the fetch error was printed */
    bool local_perf = false;
    int rc = body ? load_fetched(p, name, body) : load_one(p, file, &local_perf);
    if (!rc)
        warn_suspicious(*p, cmd_fetched_name(job->args->fetched, file));
    if (!rc && locate_binaries(*p, job->args) != 0) {
        cmd_error("out of memory");
        rc = EXIT_DATA;
    }
    /* As pprof, per source: local names, the server's for a URL, then
     * demangling. */
    if (!rc)
        rc = cmd_symbolize_local(*p, job->args, local_perf);
    if (!rc && body)
        rc = cmd_symbolize_remote(*p, job->args, file);
    if (!rc)
        rc = cmd_demangle(*p, job->args);
    return rc;
}

/* Loads the files (those with pick[i], when pick is given) and merges them
 * one at a time, so memory holds only the merge so far and the next
 * profiles, which a second thread reads and decodes meanwhile. */
static int load_files(pprof_profile **out, const cmd_args *args, const char *const *files, size_t n,
                      const bool *pick)
{
    *out = NULL;
    merge_job job = {args, files, malloc((n + 1) * sizeof(size_t))};
    if (!job.index) {
        cmd_error("out of memory");
        return EXIT_DATA;
    }
    size_t count = 0;
    for (size_t i = 0; i < n; i++)
        if (!pick || pick[i])
            job.index[count++] = i;
    if (count == 1) {
        int rc = load_picked(out, 0, &job);
        if (rc) {
            pprof_profile_free(*out);
            *out = NULL;
        }
        free(job.index);
        return rc;
    }
    pprof_merger *mg = NULL;
    cmd_prefetch *pf = NULL;
    if (pprof_merger_new(&mg) || cmd_prefetch_start(&pf, count, load_picked, &job, !args->single_threaded)) {
        cmd_error("out of memory");
        pprof_merger_free(mg);
        free(job.index);
        return EXIT_DATA;
    }
    int rc = 0;
    size_t fetched = 0;
    pprof_error err;
    for (size_t i = 0; i < count && !rc; i++) {
        pprof_profile *p = NULL;
        /* As pprof: a source that cannot be read or decoded is reported
         * (load_picked printed why) and the others are still merged. */
        if (cmd_prefetch_next(pf, &p) != 0) {
            pprof_profile_free(p);
            continue;
        }
        if (!p) {
            cmd_error("out of memory");
            rc = EXIT_DATA;
        }
        if (!rc && pprof_merger_add(mg, p, &err) != 0) {
            cmd_error("%s", err.msg);
            rc = EXIT_DATA;
        }
        fetched += !rc;
        pprof_profile_free(p);
    }
    cmd_prefetch_stop(pf);
    if (!rc && fetched == 0)
        rc = EXIT_DATA;
    else if (!rc && fetched < count)
        cmd_note("Fetched %zu source profiles out of %zu", fetched, count);
    if (!rc && pprof_merger_finish(mg, out, &err) != 0) {
        cmd_error("%s", err.msg);
        rc = EXIT_DATA;
    }
    pprof_merger_free(mg);
    free(job.index);
    return rc;
}
