/* output.c: writes report bytes to stdout or, atomically, to a file (temp file + rename). */
/* O_TMPFILE, linkat flags: Linux extensions. */
#define _GNU_SOURCE
#include "cmd.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int write_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* The temporary file being written, removed if a signal ends the program
 * (Ctrl-C), so an interrupted report leaves no partial file behind. */
static char *volatile pending_tmp;

static void remove_pending(int sig)
{
    char *t = pending_tmp;
    if (t)
        unlink(t);
    signal(sig, SIG_DFL);
    raise(sig);
}

void cmd_output_guard_signals(void)
{
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = remove_pending;
        sigemptyset(&sa.sa_mask);
        struct sigaction old;
        /* A signal the caller ignores stays ignored. */
        if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
            continue;
        sigaction(sigs[i], &sa, NULL);
    }
}

int cmd_output_open(cmd_output *o, const char *path)
{
    memset(o, 0, sizeof *o);
    o->fd = STDOUT_FILENO;
    if (!path)
        return 0;
    o->path = path;
    /* A device, pipe or socket (-output=/dev/null, a FIFO) is written in
     * place: renaming a file over it would replace it. */
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        if (S_ISDIR(st.st_mode)) {
            cmd_error("open %s: is a directory", path);
            return EXIT_DATA;
        }
        o->fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
        if (o->fd < 0) {
            cmd_error("open %s: %s", path, strerror(errno));
            return EXIT_DATA;
        }
        o->direct = true;
        return 0;
    }
    size_t n = strlen(path);
    o->tmp = malloc(n + 32);
    if (!o->tmp) {
        cmd_error("out of memory");
        return EXIT_DATA;
    }
    const char *slash = strrchr(path, '/');
    size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0;
    snprintf(o->tmp, n + 32, "%.*s.pprof-tmp-XXXXXX", (int)dirlen, path);
#ifdef O_TMPFILE
    /* An unnamed file in the output's directory: a kill -9 while writing
     * leaves nothing behind. Where the file system cannot (EOPNOTSUPP,
     * EISDIR or EINVAL from older kernels), a named temporary file. */
    {
        char *dir = strndup(path, dirlen ? dirlen : 0);
        mode_t mask = umask(0);
        umask(mask);
        int fd = dir ? open(dirlen ? dir : ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666 & ~mask) : -1;
        free(dir);
        if (fd >= 0) {
            o->fd = fd;
            o->unnamed = true;
            return 0;
        }
    }
#endif
    o->fd = mkstemp(o->tmp);
    if (o->fd < 0) {
        cmd_error("open %s: %s", path, strerror(errno));
        free(o->tmp);
        o->tmp = NULL;
        return EXIT_DATA;
    }
    pending_tmp = o->tmp;
    return 0;
}

int cmd_output_sink(void *ctx, const uint8_t *data, size_t len)
{
    cmd_output *o = ctx;
    return write_all(o->fd, data, len) == 0 ? 0 : (errno ? errno : EIO);
}

void cmd_output_abort(cmd_output *o)
{
    if (o->direct) {
        close(o->fd);
        o->direct = false;
    }
    if (o->tmp && o->unnamed) {
        close(o->fd); /* the unnamed file goes with its last descriptor */
        free(o->tmp);
        o->tmp = NULL;
        o->unnamed = false;
    } else if (o->tmp) {
        pending_tmp = NULL;
        close(o->fd);
        unlink(o->tmp);
        free(o->tmp);
        o->tmp = NULL;
    }
}

/* Gives the unnamed file o->fd a name beside the output (o->tmp, its
 * XXXXXX made unique): through /proc, else AT_EMPTY_PATH. */
static int link_unnamed(cmd_output *o)
{
    static const char chars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    char proc[64];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", o->fd);
    size_t n = strlen(o->tmp);
    unsigned long seed = (unsigned long)getpid() * 2654435761u ^ (unsigned long)(uintptr_t)o;
    for (int attempt = 0; attempt < 100; attempt++) {
        for (size_t i = n - 6; i < n; i++) {
            seed = seed * 6364136223846793005u + 1442695040888963407u;
            o->tmp[i] = chars[(seed >> 33) % (sizeof chars - 1)];
        }
        if (linkat(AT_FDCWD, proc, AT_FDCWD, o->tmp, AT_SYMLINK_FOLLOW) == 0 ||
            (errno != EEXIST && linkat(o->fd, "", AT_FDCWD, o->tmp, AT_EMPTY_PATH) == 0))
            return 0;
        if (errno != EEXIST)
            return -1;
    }
    return -1;
}

int cmd_output_commit(cmd_output *o)
{
    if (o->direct) {
        o->direct = false;
        if (close(o->fd) != 0) {
            cmd_error("write %s: %s", o->path, strerror(errno));
            return EXIT_DATA;
        }
        return 0;
    }
    if (!o->tmp)
        return 0;
    /* pending_tmp stays set until the rename: an interrupt during fsync
     * must still remove the temporary file. */
    int rc = 0, saved = 0;
    if (fsync(o->fd) != 0 && errno != EINVAL && errno != EROFS) {
        rc = -1;
        saved = errno;
    }
    bool named = !o->unnamed;
    if (o->unnamed && rc == 0) {
        /* Named only now, and removed again if a signal comes before the rename. */
        if (link_unnamed(o) != 0) {
            rc = -1;
            saved = errno;
        } else {
            named = true;
            pending_tmp = o->tmp;
        }
    }
    if (close(o->fd) != 0 && rc == 0) {
        rc = -1;
        saved = errno;
    }
    if (rc == 0) {
        /* mkstemp makes 0600; output files get the usual umask-based mode. */
        mode_t mask = umask(0);
        umask(mask);
        chmod(o->tmp, 0666 & ~mask);
        if (rename(o->tmp, o->path) != 0) {
            rc = -1;
            saved = errno;
        }
    }
    pending_tmp = NULL;
    if (rc != 0) {
        if (named)
            unlink(o->tmp);
        cmd_error("write %s: %s", o->path, strerror(saved));
    }
    free(o->tmp);
    o->tmp = NULL;
    o->unnamed = false;
    return rc ? EXIT_DATA : 0;
}
