/* webui_worker.c: each view runs in a forked child, on a copy-on-write view of the loaded profile (filters change it in place), bounded in time, memory and output; its reply is streamed back through a pipe. */
/* F_SETPIPE_SZ: a Linux extension. */
#define _GNU_SOURCE
#include "webui.h"

#define DYNLIB_WANT_MHD
#include "dynlib.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef PPROF_HAVE_ISAL
#include <isa-l/igzip_lib.h>
#endif

/* The pipe's size asked for, and the most read from it at once. */
#define REPLY_STEP (1 << 20)

/* Memory a view may use beyond what the server holds. */
#define CHILD_EXTRA_MEMORY ((rlim_t)8 << 30)

static int write_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* The heap a view grows, and the pieces it is reserved in (each below the
 * mmap threshold, so malloc takes them from the heap). */
#define HUGE_HEAP ((size_t)256 << 20)
#define HUGE_HEAP_PIECES 8

/* The view's heap on huge pages: a view of a big profile touches tens of
 * megabytes of new memory, a page fault per 4 KiB page otherwise (~30 us
 * each in a virtual machine, where a peek of the 1M-sample profile took
 * 15,000 of them). The heap is grown by HUGE_HEAP, marked for huge pages
 * and given back to malloc (kept: the trim threshold is above it), so the
 * view's allocations come from there. Only address space is taken: pages
 * come as they are touched. */
static void heap_on_huge_pages(void)
{
    const size_t each = HUGE_HEAP / HUGE_HEAP_PIECES, huge = (size_t)2 << 20;
    void *piece[HUGE_HEAP_PIECES];
    uintptr_t lo = UINTPTR_MAX, hi = 0;
    for (size_t i = 0; i < HUGE_HEAP_PIECES; i++) {
        piece[i] = malloc(each - 4096);
        uintptr_t a = (uintptr_t)piece[i];
        if (a && a < lo)
            lo = a;
        if (a && a + each > hi)
            hi = a + each;
    }
    /* (Consecutive pieces are adjacent; a gap is not mapped by malloc and
     * madvise passes over it.) */
    uintptr_t start = (lo + huge - 1) & ~(uintptr_t)(huge - 1), end = hi & ~(uintptr_t)(huge - 1);
    if (hi && end > start)
        (void)madvise((void *)start, end - start, MADV_HUGEPAGE);
    for (size_t i = HUGE_HEAP_PIECES; i-- > 0;)
        free(piece[i]);
}

/* The child: computes the reply, writes "status length\ntype\ndisposition\n"
 * and the body, and exits without running the parent's exit handlers. */
static void child(int fd, webui_server *srv, webui_request *req)
{
    sigset_t none;
    sigemptyset(&none);
    pthread_sigmask(SIG_SETMASK, &none, NULL);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGPIPE, SIG_DFL);
    signal(SIGALRM, SIG_DFL);
    alarm(WEBUI_TIMEOUT_S);
    /* The address space the server has now, plus a bound for the view. */
    /* (read without stdio: another thread may have held its locks at fork) */
    unsigned long pages = 0;
    int sfd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
    char sbuf[64] = "";
    if (sfd >= 0) {
        if (read(sfd, sbuf, sizeof sbuf - 1) > 0)
            pages = strtoul(sbuf, NULL, 10);
        close(sfd);
    }
    if (pages) {
        struct rlimit rl = {(rlim_t)pages * (rlim_t)sysconf(_SC_PAGESIZE) + CHILD_EXTRA_MEMORY, RLIM_INFINITY};
        rl.rlim_max = rl.rlim_cur;
        setrlimit(RLIMIT_AS, &rl);
    }
    /* The view's memory comes fresh from the kernel, a page fault per page
     * touched: what it frees is kept and used again (a graph's working
     * arrays become the report's and the page's buffers), not unmapped.
     * The child lives for one reply. */
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
    heap_on_huge_pages();
    webui_reply r = {0};
    r.status = 500;
    r.type = "text/plain; charset=utf-8";
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    /* Filters change the profile in place. Writing into pages shared with
     * the server costs a copy-on-write fault each (with a TLB flush, slow
     * in virtual machines): the filters that rewrite stacks, lines or
     * labels get a fresh copy of the profile instead. focus, ignore,
     * tagfocus and tagignore only move the samples they keep down (focus
     * and ignore keep the profile's stack index current, which a copy
     * would not have). */
    /* A fork of a threaded process: it starts no threads of its own (POSIX
     * allows only async-signal-safe calls after such a fork; glibc's malloc
     * and stdio are made safe, a new thread is one step further, which
     * ThreadSanitizer refuses). */
    req->cfg.single_threaded = true;
    pprof_profile *p = srv->profile, *copy = NULL;
    const pprof_config *c = &req->cfg;
    const char *const filters[] = {c->hide, c->show, c->show_from, c->prune_from, c->tagshow, c->taghide};
    for (size_t i = 0; i < sizeof filters / sizeof *filters; i++)
        if (filters[i] && *filters[i] && !copy && pprof_profile_copy(&copy, srv->profile) == 0)
            p = copy;
    req->view->fn(&r, req, p);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    /* (CPU time: the child's and its helper's, webui_split_fork) */
    struct rusage ru, rh;
    getrusage(RUSAGE_SELF, &ru);
    getrusage(RUSAGE_CHILDREN, &rh);
    double wall_ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    double cpu_ms = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + rh.ru_utime.tv_sec + rh.ru_stime.tv_sec) * 1e3 +
                    (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec + rh.ru_utime.tv_usec + rh.ru_stime.tv_usec) / 1e3;
    if (r.body.failed)
        webui_reply_error(&r, 500, "out of memory");
    if (r.body.len > WEBUI_MAX_OUTPUT)
        webui_reply_error(&r, 500, "the reply would be %zu bytes, over the limit of %zu", r.body.len,
                          (size_t)WEBUI_MAX_OUTPUT);
    char head[512];
    int n = snprintf(head, sizeof head, "%d %zu %.1f %.1f\n%s\n%s\n", r.status, r.body.len, wall_ms, cpu_ms, r.type,
                     r.disposition ? r.disposition : "");
    alarm(WEBUI_TIMEOUT_S); /* now for the transfer */
    if (write_all(fd, head, (size_t)n) != 0 || write_all(fd, r.body.data, r.body.len) != 0)
        _exit(1);
    _exit(0);
}

/* ---------------------------------------------------------------- two parts at once */

/* Lines of a report below which a helper costs more than it saves. */
#define SPLIT_MIN_LINES 10000

/* Whether a CPU is free for a helper: the fork and its copy-on-write
 * faults cost ~100 ms of CPU on the 1M-sample profile's peek, paid back
 * only when the helper runs beside the view, not in its place. */
static bool cpu_to_spare(void)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    double load;
    return cpus >= 2 && getloadavg(&load, 1) == 1 && load < (double)cpus - 1;
}

unsigned webui_split_fork(void *split, uint64_t lines)
{
    webui_split *s = split;
    int fds[2];
    if (lines < SPLIT_MIN_LINES || !cpu_to_spare() || pipe(fds) != 0)
        return 2; /* no helper: all of it here */
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        /* Killed with the view (timeout, shutdown, a closed connection). */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(1);
        alarm(WEBUI_TIMEOUT_S);
        s->helper = true;
        s->fd = fds[1];
        return 1;
    }
    close(fds[1]);
    if (pid < 0) {
        close(fds[0]);
        return 2;
    }
    s->pid = pid;
    s->fd = fds[0];
    return 0;
}

void webui_split_helper_end(webui_split *s, const void *data, size_t len, int rc)
{
    _exit(rc || write_all(s->fd, data, len) != 0 ? 1 : 0);
}

bool webui_split_join(webui_split *s, pprof_buf *second, bool ok)
{
    if (s->pid <= 0)
        return false;
    ssize_t n = 1;
    if (!ok)
        kill(s->pid, SIGKILL); /* part 0 failed: the reply is an error */
    while (ok && n > 0) {
        if (pprof_buf_reserve(second, (size_t)1 << 20) != 0)
            break;
        n = read(s->fd, second->data + second->len, second->cap - second->len);
        if (n < 0 && errno == EINTR)
            n = 1;
        else if (n > 0)
            second->len += (size_t)n;
    }
    close(s->fd);
    int status = 0;
    while (waitpid(s->pid, &status, 0) < 0 && errno == EINTR)
        ;
    s->pid = 0;
    if (ok && n == 0 && !second->failed && WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return true;
    second->len = 0;
    second->failed = false;
    return false;
}

/* ---------------------------------------------------------------- slots */

static bool slot_acquire(webui_server *srv)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += WEBUI_QUEUE_S;
    pthread_mutex_lock(&srv->slots_lock);
    int rc = 0;
    while (srv->slots_used >= WEBUI_MAX_WORKERS && rc == 0)
        rc = pthread_cond_timedwait(&srv->slots_free, &srv->slots_lock, &until);
    bool ok = srv->slots_used < WEBUI_MAX_WORKERS;
    if (ok)
        srv->slots_used++;
    pthread_mutex_unlock(&srv->slots_lock);
    return ok;
}

static void track(webui_server *srv, pid_t pid, pid_t replace)
{
    pthread_mutex_lock(&srv->slots_lock);
    for (size_t i = 0; i < WEBUI_CONNECTIONS; i++) {
        if (srv->running[i] == replace) {
            srv->running[i] = pid;
            break;
        }
    }
    if (pid == 0) {
        srv->slots_used--;
        pthread_cond_signal(&srv->slots_free);
    }
    pthread_mutex_unlock(&srv->slots_lock);
}

void webui_kill_views(webui_server *srv)
{
    pthread_mutex_lock(&srv->slots_lock);
    for (size_t i = 0; i < WEBUI_CONNECTIONS; i++)
        if (srv->running[i] > 0)
            kill(srv->running[i], SIGKILL);
    pthread_mutex_unlock(&srv->slots_lock);
}

/* ---------------------------------------------------------------- the parent side */

typedef struct job {
    webui_server *srv;
    pid_t pid;
    int fd;
    char carry[4096]; /* body bytes read with the header */
    size_t carry_len, carry_at;
    size_t len;       /* body length */
} job;

/* Reads up to n bytes, waiting at most until the deadline; 0 at EOF, -1 on
 * error or timeout. */
static ssize_t read_until(int fd, void *buf, size_t n, time_t deadline)
{
    for (;;) {
        time_t now = time(NULL);
        if (now >= deadline)
            return -1;
        struct pollfd pfd = {fd, POLLIN, 0};
        int rc = poll(&pfd, 1, (int)(deadline - now) * 1000);
        if (rc < 0 && errno == EINTR)
            continue;
        if (rc <= 0)
            return -1;
        ssize_t got = read(fd, buf, n);
        if (got < 0 && errno == EINTR)
            continue;
        return got;
    }
}

static void job_end(job *j)
{
    if (j->fd >= 0)
        close(j->fd);
    int status;
    kill(j->pid, SIGKILL); /* it has written everything, or is to stop */
    while (waitpid(j->pid, &status, 0) < 0 && errno == EINTR)
        ;
    track(j->srv, 0, j->pid);
    free(j);
}

static ssize_t job_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    job *j = cls;
    if (j->carry_at < j->carry_len) {
        size_t n = j->carry_len - j->carry_at;
        if (n > max)
            n = max;
        memcpy(buf, j->carry + j->carry_at, n);
        j->carry_at += n;
        return (ssize_t)n;
    }
    if (pos >= j->len)
        return MHD_CONTENT_READER_END_OF_STREAM;
    ssize_t got = read_until(j->fd, buf, max, time(NULL) + WEBUI_TIMEOUT_S);
    if (got <= 0)
        return MHD_CONTENT_READER_END_WITH_ERROR;
    return got;
}

static void job_free(void *cls)
{
    job_end(cls);
}

void webui_log(webui_server *srv, const char *msg, size_t len)
{
    pthread_mutex_lock(&srv->log_lock);
    fwrite(msg, 1, len, stderr);
    fflush(stderr);
    pthread_mutex_unlock(&srv->log_lock);
}

static int reply_text(webui_server *srv, struct MHD_Connection *conn, int status, const char *msg)
{
    webui_log(srv, msg, strlen(msg));
    struct MHD_Response *resp = MHD_create_response_from_buffer(strlen(msg), (void *)msg, MHD_RESPMEM_MUST_COPY);
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, "Content-Type", "text/plain; charset=utf-8");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    int rc = MHD_queue_response(conn, (unsigned)status, resp);
    MHD_destroy_response(resp);
    return rc;
}

int webui_run_view(webui_server *srv, struct MHD_Connection *conn, const webui_request *req)
{
    if (req->view->frames) {
        pthread_mutex_lock(&srv->frames_lock);
        while (!srv->frames_done)
            pthread_cond_wait(&srv->frames_made, &srv->frames_lock);
        pthread_mutex_unlock(&srv->frames_lock);
    }
    if (!slot_acquire(srv))
        return reply_text(srv, conn, 503, "the server is busy: try again\n");
    int fds[2];
    if (pipe(fds) != 0) {
        track(srv, 0, -1);
        return reply_text(srv, conn, 503, "cannot start a view: out of file descriptors\n");
    }
    /* A reply of megabytes (a peek of a big profile) crosses in steps of
     * the pipe's size, each waking the view and this thread in turn: a
     * larger pipe, when the system allows it, takes fewer. */
    (void)fcntl(fds[1], F_SETPIPE_SZ, REPLY_STEP);
    /* No other thread may hold stdio's lock of stderr in the child. */
    pthread_mutex_lock(&srv->log_lock);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        child(fds[1], srv, (webui_request *)req);
    }
    pthread_mutex_unlock(&srv->log_lock);
    close(fds[1]);
    if (pid < 0) {
        close(fds[0]);
        track(srv, 0, -1);
        return reply_text(srv, conn, 503, "cannot start a view: out of processes\n");
    }
    track(srv, pid, 0);
    job *j = calloc(1, sizeof *j);
    if (!j) {
        close(fds[0]);
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        track(srv, 0, pid);
        return reply_text(srv, conn, 500, "out of memory\n");
    }
    j->srv = srv;
    j->pid = pid;
    j->fd = fds[0];
    /* The header: three lines. */
    time_t deadline = time(NULL) + WEBUI_TIMEOUT_S + 5;
    size_t have = 0, lines = 0, head_end = 0;
    while (lines < 3) {
        if (have == sizeof j->carry)
            break;
        ssize_t got = read_until(j->fd, j->carry + have, sizeof j->carry - have, deadline);
        if (got <= 0)
            break;
        for (size_t k = have; k < have + (size_t)got && lines < 3; k++)
            if (j->carry[k] == '\n' && ++lines == 3)
                head_end = k + 1;
        have += (size_t)got;
    }
    if (lines < 3) {
        /* The child died, or ran out of time or memory. */
        close(j->fd);
        j->fd = -1;
        int status = 0;
        kill(pid, SIGKILL);
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
        track(srv, 0, pid);
        free(j);
        char msg[256];
        if (WIFSIGNALED(status) && (WTERMSIG(status) == SIGALRM || WTERMSIG(status) == SIGKILL))
            snprintf(msg, sizeof msg, "the view took longer than %d s and was stopped\n", WEBUI_TIMEOUT_S);
        else if (WIFSIGNALED(status))
            snprintf(msg, sizeof msg, "the view failed (signal %d)\n", WTERMSIG(status));
        else
            snprintf(msg, sizeof msg, "the view failed (exit status %d)\n", WEXITSTATUS(status));
        return reply_text(srv, conn, WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM ? 503 : 500, msg);
    }
    char type[256] = "", disp[256] = "";
    int status = 500;
    size_t len = 0;
    double wall_ms = 0, cpu_ms = 0;
    const char *l2 = memchr(j->carry, '\n', head_end) + 1;
    const char *l3 = memchr(l2, '\n', head_end - (size_t)(l2 - j->carry)) + 1;
    sscanf(j->carry, "%d %zu %lf %lf", &status, &len, &wall_ms, &cpu_ms);
    snprintf(type, sizeof type, "%.*s", (int)(l3 - l2 - 1), l2);
    snprintf(disp, sizeof disp, "%.*s", (int)(j->carry + head_end - l3 - 1), l3);
    j->len = len;
    j->carry_at = head_end;
    j->carry_len = have;
    if (status >= 400 && len < 65536) {
        /* An error: a short message, also printed on stderr as pprof does. */
        char *msg = malloc(len + 1);
        size_t got = 0;
        for (size_t k = head_end; k < have && got < len; k++)
            msg[got++] = j->carry[k];
        while (msg && got < len) {
            ssize_t n = read_until(j->fd, msg + got, len - got, deadline);
            if (n <= 0)
                break;
            got += (size_t)n;
        }
        int rc = MHD_NO;
        if (msg) {
            msg[got] = 0;
            rc = reply_text(srv, conn, status, msg);
        }
        free(msg);
        job_end(j);
        return rc;
    }
    struct MHD_Response *resp = MHD_create_response_from_callback(len, REPLY_STEP, job_read, j, job_free);
    if (!resp) {
        job_end(j);
        return MHD_NO;
    }
    MHD_add_response_header(resp, "Content-Type", type);
    if (*disp)
        MHD_add_response_header(resp, "Content-Disposition", disp);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    /* How long the view took to make (wall and CPU), for the browser's
     * developer tools and the benchmark. */
    char timing[128];
    snprintf(timing, sizeof timing, "view;dur=%.1f, cpu;dur=%.1f", wall_ms, cpu_ms);
    MHD_add_response_header(resp, "Server-Timing", timing);
    int rc = MHD_queue_response(conn, (unsigned)status, resp);
    MHD_destroy_response(resp);
    return rc;
}

/* ---------------------------------------------------------------- the download, made once */

static double elapsed_ms(const struct timespec *a, const struct timespec *b)
{
    return (double)(b->tv_sec - a->tv_sec) * 1e3 + (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}

#ifdef PPROF_HAVE_ISAL
/* raw gzipped into out by ISA-L's igzip at level 1: several times faster
 * than zlib at the level -proto uses, for a file about 6% larger. */
static int gzip_isal(pprof_buf *out, const pprof_buf *raw)
{
    struct isal_zstream s;
    isal_deflate_init(&s);
    uint8_t *level_buf = malloc(ISAL_DEF_LVL1_DEFAULT);
    if (!level_buf)
        return PPROF_ENOMEM;
    s.level = 1;
    s.level_buf = level_buf;
    s.level_buf_size = ISAL_DEF_LVL1_DEFAULT;
    s.gzip_flag = IGZIP_GZIP;
    s.flush = NO_FLUSH;
    size_t fed = 0;
    int rc = 0;
    while (!rc && s.internal_state.state != ZSTATE_END) {
        if (s.avail_in == 0 && fed < raw->len) {
            size_t n = raw->len - fed < ((size_t)1 << 30) ? raw->len - fed : (size_t)1 << 30;
            s.next_in = raw->data + fed;
            s.avail_in = (uint32_t)n;
            fed += n;
        }
        s.end_of_stream = fed == raw->len;
        if (pprof_buf_reserve(out, (raw->len >> 3) + 65536) != 0) {
            rc = PPROF_ENOMEM;
            break;
        }
        size_t room = out->cap - out->len;
        s.next_out = out->data + out->len;
        s.avail_out = room > UINT32_MAX ? UINT32_MAX : (uint32_t)room;
        if (isal_deflate(&s) != COMP_OK)
            rc = PPROF_ENOMEM;
        out->len = (size_t)(s.next_out - out->data);
    }
    free(level_buf);
    return rc;
}
#endif

/* The download's bytes: the profile encoded, gzipped. */
static int encode_download(pprof_buf *out, const pprof_profile *p, pprof_error *err)
{
#ifdef PPROF_HAVE_ISAL
    pprof_buf raw = {0};
    int rc = pprof_profile_encode(&raw, p, false, err);
    if (rc == 0 && !raw.failed && gzip_isal(out, &raw) == 0) {
        pprof_buf_release(&raw);
        return 0;
    }
    pprof_buf_release(&raw);
    if (rc)
        return rc;
    out->len = 0; /* out of memory: zlib's staged encoding needs less */
#endif
    return pprof_profile_encode(out, p, true, err);
}

/* Makes the download's bytes unless they are made; holds download_lock
 * meanwhile, so a download arriving then waits for them. With wait_thread
 * (a request), it first waits while the background thread has yet to make
 * them (it names the flame graph's frames first): encoding them here too
 * would spend the request's time on what is about to be made. */
static bool make_download(webui_server *srv, bool wait_thread, int *rc, pprof_error *err)
{
    pthread_mutex_lock(&srv->download_lock);
    while (wait_thread && srv->download_pending)
        pthread_cond_wait(&srv->download_made, &srv->download_lock);
    *rc = 0;
    if (!srv->download_done) {
        srv->download.len = 0;
        *rc = encode_download(&srv->download, srv->profile, err);
        srv->download_done = *rc == 0 && !srv->download.failed;
        if (!srv->download_done)
            pprof_buf_release(&srv->download);
    }
    bool done = srv->download_done;
    srv->download_pending = false;
    pthread_cond_broadcast(&srv->download_made);
    pthread_mutex_unlock(&srv->download_lock);
    return done;
}

/* The flame graph's frame names are made (or failed: each view then makes
 * those it needs). */
static void frames_made(webui_server *srv)
{
    pthread_mutex_lock(&srv->frames_lock);
    srv->frames_done = true;
    pthread_cond_broadcast(&srv->frames_made);
    pthread_mutex_unlock(&srv->frames_lock);
}

static void *download_thread(void *arg)
{
    webui_server *srv = arg;
    int rc;
    pprof_error err = {0};
    /* First the flame graph's frame names, made once for every flame
     * graph of the default options, at the views' priority: a flame graph
     * view waits for them (a fraction of what it would spend naming its
     * frames itself). */
    (void)pprof_profile_index_frames(srv->profile, &err);
    frames_made(srv);
    /* Then the download, below the views' priority (Linux's nice is per
     * thread): on a busy machine a view the user waits for comes first. */
    setpriority(PRIO_PROCESS, 0, 10);
    /* (On failure the first download tries again and reports it.) */
    make_download(srv, false, &rc, &err);
    /* What encoding freed goes back to the system, as after loading: a
     * view's child reusing it would copy each page it writes. */
    malloc_trim(0);
    return NULL;
}

void webui_download_start(webui_server *srv)
{
    /* Indexing the frames only adds to the profile's index (a view forked
     * meanwhile sees all of it or none) and encoding reads the profile
     * only: they run while the server waits for its first requests. */
    srv->download_pending = true;
    srv->download_thread_started = pthread_create(&srv->download_thread, NULL, download_thread, srv) == 0;
    if (!srv->download_thread_started) {
        srv->download_pending = false; /* no thread: the first download makes it */
        frames_made(srv);              /* none: nothing to wait for */
    }
}

void webui_download_stop(webui_server *srv)
{
    if (srv->download_thread_started)
        pthread_join(srv->download_thread, NULL);
    srv->download_thread_started = false;
}

int webui_serve_download(webui_server *srv, struct MHD_Connection *conn)
{
    /* Made by the background thread, or (when it could not start or ran
     * out of memory) here, in this connection's thread. */
    struct timespec w0, w1, c0, c1;
    clock_gettime(CLOCK_MONOTONIC, &w0);
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
    pprof_error err = {0};
    int rc = 0;
    bool done = make_download(srv, true, &rc, &err);
    if (!done) {
        char msg[sizeof err.msg + 2];
        snprintf(msg, sizeof msg, "%s\n", rc ? err.msg : "out of memory");
        return reply_text(srv, conn, 500, msg);
    }
    /* The buffer stays until the server stops, after its last connection. */
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(srv->download.len, srv->download.data, MHD_RESPMEM_PERSISTENT);
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, "Content-Type", "application/vnd.google.protobuf+gzip");
    MHD_add_response_header(resp, "Content-Disposition", "attachment;filename=profile.pb.gz");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    clock_gettime(CLOCK_MONOTONIC, &w1);
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
    char timing[128];
    snprintf(timing, sizeof timing, "view;dur=%.1f, cpu;dur=%.1f", elapsed_ms(&w0, &w1), elapsed_ms(&c0, &c1));
    MHD_add_response_header(resp, "Server-Timing", timing);
    int mrc = MHD_queue_response(conn, 200, resp);
    MHD_destroy_response(resp);
    return mrc;
}
