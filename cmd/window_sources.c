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
 * cover, when it selects none. */
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
        pick[i] = spans[i].known && pprof_window_overlaps(start, end, spans[i].time, spans[i].duration);
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
    if (args->window && *args->window)
        rc = select_window("window", args->window, spans, n, first, latest, n_known, in_window);
    if (!rc && args->base_window && *args->base_window)
        rc = select_window("base_window", args->base_window, spans, n, first, latest, n_known, in_base);
    free(spans);
    return rc;
}
