/* window_sources.c: -window / -base_window: which source files fall in each time window, from their time spans. */
#include "cmd.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

typedef struct span {
    int64_t time, duration;
    bool known; /* a profile.proto with a time */
} span;

/* The time span of one file; unknown for anything but a timed profile.proto or a perf.data. */
static void read_span(const char *path, span *s)
{
    memset(s, 0, sizeof *s);
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size == 0) {
        close(fd);
        return;
    }
    void *map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED)
        return;
    pprof_error err;
    int64_t mtime = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
    if (pprof_perf_sniff(map, (size_t)st.st_size)) {
        if (pprof_perf_peek_times(map, (size_t)st.st_size, mtime, &s->time, &s->duration, &err) == 0 && s->time > 0)
            s->known = true;
    } else if (pprof_profile_peek_times(map, (size_t)st.st_size, &s->time, &s->duration, &err) == 0 && s->time > 0)
        s->known = true;
    munmap(map, (size_t)st.st_size);
}

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Marks the files of one window; fails, naming the span the sources
 * cover, when it selects none. A profile belongs to the window that holds
 * its start time (start <= time < end), so windows that meet never share
 * one, even when a capture straddles their boundary. */
static int select_window(const char *flag, const char *text, const span *spans, size_t n, int64_t first,
                         int64_t latest, size_t n_known, bool *pick)
{
    pprof_time_window w;
    pprof_error err;
    if (pprof_window_parse(&w, text, now_ns(), &err) != 0) {
        cmd_error("-%s: %s", flag, err.msg);
        return EXIT_USAGE;
    }
    int64_t start, end;
    pprof_window_resolve(&w, latest, &start, &end);
    size_t count = 0;
    for (size_t i = 0; i < n; i++) {
        pick[i] = spans[i].known && spans[i].time >= start && spans[i].time < end;
        count += pick[i];
    }
    if (count)
        return 0;
    if (n_known == 0) {
        cmd_error("-%s=%s selects no profile: no source carries a time (time_nanos)", flag, text);
        return EXIT_DATA;
    }
    char a[64], b[64];
    pprof_format_time(a, sizeof a, first);
    pprof_format_time(b, sizeof b, latest);
    cmd_error("-%s=%s selects no profile: the %zu timed profile%s of the sources cover %s .. %s", flag, text,
              n_known, n_known == 1 ? "" : "s", a, b);
    return EXIT_DATA;
}

/* Lists on stderr the profiles of one side and returns the time they
 * cover (the sum of their durations). */
static int64_t list_side(const char *what, const char *const *files, const span *spans, size_t n, const bool *pick)
{
    size_t count = 0;
    int64_t covered = 0;
    for (size_t i = 0; i < n; i++)
        if (pick[i]) {
            count++;
            covered += spans[i].duration > 0 ? spans[i].duration : 0;
        }
    char dur[64];
    pprof_format_scaled(dur, sizeof dur, covered, "nanoseconds", "auto");
    fprintf(stderr, "%s: %zu profile%s, %s:\n", what, count, count == 1 ? "" : "s", dur);
    for (size_t i = 0; i < n; i++) {
        if (!pick[i])
            continue;
        char at[64], d[64];
        if (spans[i].known)
            pprof_format_time(at, sizeof at, spans[i].time);
        else
            snprintf(at, sizeof at, "(no time)");
        pprof_format_scaled(d, sizeof d, spans[i].duration, "nanoseconds", "auto");
        fprintf(stderr, "  %s  %s  %s\n", files[i], at, d);
    }
    return covered;
}

/* Which profiles each side holds, and a warning when the sides cover
 * different lengths of time (totals then differ for that reason alone). */
static void report_sides(const char *const *files, const span *spans, size_t n, const bool *in_window,
                         const bool *in_base, const cmd_args *args)
{
    char what[600];
    int64_t new_t = 0, base_t = 0;
    if (in_window) {
        if (args->window && *args->window)
            snprintf(what, sizeof what, "-window=%.500s", args->window);
        else
            snprintf(what, sizeof what, "new (the sources outside -base_window)");
        new_t = list_side(what, files, spans, n, in_window);
    }
    if (in_base) {
        snprintf(what, sizeof what, "-base_window=%.500s", args->base_window);
        base_t = list_side(what, files, spans, n, in_base);
    }
    if (in_window && in_base && new_t != base_t && !args->normalize) {
        char a[64], b[64];
        pprof_format_scaled(a, sizeof a, base_t, "nanoseconds", "auto");
        pprof_format_scaled(b, sizeof b, new_t, "nanoseconds", "auto");
        cmd_warning("the base covers %s and the new side %s: totals differ for that alone; -normalize compares "
                    "rates", a, b);
    }
}

int cmd_windows_select(const char *const *files, size_t n, const cmd_args *args, bool *in_window, bool *in_base)
{
    span *spans = calloc(n + 1, sizeof *spans);
    if (!spans) {
        cmd_error("out of memory");
        return EXIT_DATA;
    }
    int64_t first = INT64_MAX, latest = INT64_MIN;
    size_t n_known = 0;
    for (size_t i = 0; i < n; i++) {
        read_span(files[i], &spans[i]);
        if (!spans[i].known)
            continue;
        n_known++;
        int64_t d = spans[i].duration > 0 ? spans[i].duration : 0;
        int64_t until = spans[i].time > INT64_MAX - d ? INT64_MAX : spans[i].time + d;
        if (spans[i].time < first)
            first = spans[i].time;
        if (until > latest)
            latest = until;
    }
    int rc = 0;
    bool has_window = args->window && *args->window, has_base = args->base_window && *args->base_window;
    if (has_window)
        rc = select_window("window", args->window, spans, n, first, latest, n_known, in_window);
    if (!rc && has_base)
        rc = select_window("base_window", args->base_window, spans, n, first, latest, n_known, in_base);
    if (!rc && has_base) {
        /* Never twice: -base_window alone compares against every other
         * source; windows given overlapping keep a shared profile new. */
        size_t both = 0, n_new = 0;
        for (size_t i = 0; i < n; i++) {
            if (!has_window)
                in_window[i] = !in_base[i];
            else if (in_window[i] && in_base[i]) {
                in_base[i] = false;
                both++;
            }
            n_new += in_window[i];
        }
        if (both)
            cmd_warning("-window and -base_window overlap: %zu profile%s counted in the new side only", both,
                        both == 1 ? "" : "s");
        size_t n_base = 0;
        for (size_t i = 0; i < n; i++)
            n_base += in_base[i];
        if (!n_new || !n_base) {
            cmd_error("-base_window=%s leaves no profile for the %s side", args->base_window, n_new ? "base" : "new");
            rc = EXIT_DATA;
        }
    }
    if (!rc)
        report_sides(files, spans, n, has_window || has_base ? in_window : NULL, has_base ? in_base : NULL, args);
    free(spans);
    return rc;
}
