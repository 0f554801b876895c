/* view.c: -web: where the graph goes (a temporary file) and the browser that opens it ($BROWSER, else xdg-open on a desktop). */
#include "cmd.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int cmd_view_temp_name(char *buf, size_t n, const char *ext)
{
    const char *dir = getenv("TMPDIR");
    if (!dir || !*dir)
        dir = "/tmp";
    for (int i = 1; i < 1000; i++) {
        if ((size_t)snprintf(buf, n, "%s/pprof%03d.%s", dir, i, ext) >= n)
            return -1;
        if (access(buf, F_OK) != 0)
            return 0;
    }
    return -1;
}

/* Whether cmd names a program that can be run (a path, or found in $PATH). */
static bool runnable(const char *cmd)
{
    if (strchr(cmd, '/'))
        return access(cmd, X_OK) == 0;
    const char *path = getenv("PATH");
    if (!path)
        return false;
    size_t cl = strlen(cmd);
    for (const char *p = path;;) {
        const char *end = strchr(p, ':');
        size_t dl = end ? (size_t)(end - p) : strlen(p);
        char full[4096];
        if (dl + cl + 2 <= sizeof full) {
            memcpy(full, dl ? p : ".", dl ? dl : 1);
            size_t at = dl ? dl : 1;
            full[at] = '/';
            memcpy(full + at + 1, cmd, cl + 1);
            struct stat st;
            if (stat(full, &st) == 0 && S_ISREG(st.st_mode) && access(full, X_OK) == 0)
                return true;
        }
        if (!end)
            return false;
        p = end + 1;
    }
}

/* A command line of $BROWSER split at blanks into at most MAX_ARGS words,
 * with the file in place of each "%s" or, without one, after the last
 * word ("firefox --new-window", "chromium --app=file://%s"). */
#define MAX_ARGS 32
typedef struct browser_cmd {
    char *words[MAX_ARGS + 2];
    size_t n;
    char *store; /* the split copy of the line; substituted words are separate */
    size_t store_len;
} browser_cmd;

static void browser_cmd_release(browser_cmd *b)
{
    for (size_t i = 0; i < b->n; i++)
        if (b->words[i] < b->store || b->words[i] > b->store + b->store_len)
            free(b->words[i]);
    free(b->store);
    memset(b, 0, sizeof *b);
}

/* Returns false when the line has no words or too many, or memory ran out. */
static bool browser_cmd_parse(browser_cmd *b, const char *line, const char *path)
{
    memset(b, 0, sizeof *b);
    size_t len = strlen(line);
    b->store = malloc(len + 1);
    if (!b->store)
        return false;
    memcpy(b->store, line, len + 1);
    b->store_len = len;
    bool placed = false;
    for (char *save = NULL, *w = strtok_r(b->store, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
        if (b->n == MAX_ARGS) {
            browser_cmd_release(b);
            return false;
        }
        char *at = strstr(w, "%s");
        if (at) {
            size_t pl = strlen(path), wl = strlen(w);
            char *sub = malloc(wl - 2 + pl + 1);
            if (!sub) {
                browser_cmd_release(b);
                return false;
            }
            memcpy(sub, w, (size_t)(at - w));
            memcpy(sub + (at - w), path, pl);
            memcpy(sub + (at - w) + pl, at + 2, wl - (size_t)(at - w) - 2 + 1);
            w = sub;
            placed = true;
        }
        b->words[b->n++] = w;
    }
    if (b->n == 0) {
        browser_cmd_release(b);
        return false;
    }
    if (!placed)
        b->words[b->n] = (char *)path; /* borrowed: not counted in n, never freed */
    b->words[b->n + (placed ? 0 : 1)] = NULL;
    return true;
}

/* Starts argv in the background, detached (a grandchild, so no zombie is
 * left behind). */
static bool start(char *const argv[])
{
    pid_t pid = fork();
    if (pid < 0)
        return false;
    if (pid == 0) {
        if (fork() == 0) {
            setsid();
            int devnull = open("/dev/null", O_RDWR);
            if (devnull >= 0) {
                dup2(devnull, STDIN_FILENO);
                dup2(devnull, STDOUT_FILENO);
                close(devnull);
            }
            execvp(argv[0], argv);
            _exit(127);
        }
        _exit(0);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    return true;
}

/* Graphs opened in a browser are removed when pprof exits, but no sooner
 * than a second after the last browser started (as go tool pprof does), so
 * that -web and the shell's web leave nothing behind in $TMPDIR. A graph
 * that no browser opened is kept: its path was printed for the user. */
static char **opened;
static size_t n_opened;
static struct timespec last_start;

void cmd_view_cleanup(void)
{
    struct timespec now, wait;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double left = 1.0 - ((double)(now.tv_sec - last_start.tv_sec) + (double)(now.tv_nsec - last_start.tv_nsec) / 1e9);
    if (n_opened && left > 0) {
        wait.tv_sec = (time_t)left;
        wait.tv_nsec = (long)((left - (double)wait.tv_sec) * 1e9);
        while (nanosleep(&wait, &wait) != 0 && errno == EINTR)
            ;
    }
    for (size_t i = 0; i < n_opened; i++) {
        unlink(opened[i]);
        free(opened[i]);
    }
    free(opened);
    opened = NULL;
    n_opened = 0;
}

static void remember(const char *path)
{
    clock_gettime(CLOCK_MONOTONIC, &last_start);
    char *copy = strdup(path);
    char **grown = copy ? realloc(opened, (n_opened + 1) * sizeof *opened) : NULL;
    if (!grown) {
        free(copy);
        return;
    }
    if (!opened)
        atexit(cmd_view_cleanup);
    opened = grown;
    opened[n_opened++] = copy;
}

static bool open_with(const char *line, const char *path)
{
    browser_cmd b;
    if (!browser_cmd_parse(&b, line, path))
        return false;
    bool ok = runnable(b.words[0]) && start(b.words);
    browser_cmd_release(&b);
    return ok;
}

bool cmd_view_file(const char *path)
{
    const char *browser = getenv("BROWSER");
    bool ok = false;
    if (browser && *browser) {
        /* $BROWSER may list several commands separated by ':'. */
        char *list = strdup(browser);
        if (!list)
            return false;
        for (char *save = NULL, *c = strtok_r(list, ":", &save); c && !ok; c = strtok_r(NULL, ":", &save))
            ok = open_with(c, path);
        free(list);
    }
    const char *display = getenv("DISPLAY"), *wayland = getenv("WAYLAND_DISPLAY");
    if (!ok && ((display && *display) || (wayland && *wayland)))
        ok = open_with("xdg-open", path);
    if (ok)
        remember(path);
    return ok;
}
