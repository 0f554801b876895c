/* view.c: -web: where the graph goes (a temporary file) and the browser that opens it ($BROWSER, else xdg-open on a desktop). */
#include "cmd.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
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

/* Starts cmd path in the background, detached (a grandchild, so no
 * zombie is left behind). */
static bool start(const char *cmd, const char *path)
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
            execlp(cmd, cmd, path, (char *)NULL);
            _exit(127);
        }
        _exit(0);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    return true;
}

bool cmd_view_file(const char *path)
{
    const char *browser = getenv("BROWSER");
    if (browser && *browser) {
        /* $BROWSER may list several commands separated by ':'. */
        char *list = strdup(browser);
        if (!list)
            return false;
        bool ok = false;
        for (char *save = NULL, *c = strtok_r(list, ":", &save); c && !ok; c = strtok_r(NULL, ":", &save))
            if (runnable(c))
                ok = start(c, path);
        free(list);
        if (ok)
            return true;
    }
    const char *display = getenv("DISPLAY"), *wayland = getenv("WAYLAND_DISPLAY");
    if (((display && *display) || (wayland && *wayland)) && runnable("xdg-open"))
        return start("xdg-open", path);
    return false;
}
