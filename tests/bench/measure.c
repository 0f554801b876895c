/* measure.c: runs a command and prints its wall time, peak RSS and exit status on one line, for benchmarks. */

/*
 * usage: measure [--stdout FILE] [--stderr FILE] -- COMMAND [ARG...]
 *
 * The command's standard output goes to FILE (default /dev/null); its
 * standard error to the --stderr FILE if given, else it is inherited.
 * When the command ends, measure prints to its own standard output:
 *
 *     wall=1.234 cpu=1.456 rss_mb=56.7 rc=0
 *
 * wall: seconds (monotonic clock) from fork to the end of wait4;
 * cpu: user + system CPU seconds of the command and the descendants it
 *   waited for (all threads);
 * rss_mb: the peak resident set size, ru_maxrss from wait4 (which on
 *   Linux also covers descendants the command waited for), in MiB;
 * rc: the exit status, or 128 + N when killed by signal N, in which case
 *   " signal=N" follows; 127 when the command could not be run.
 * measure's own exit status is the command's rc (as time(1) does), or
 * 125 when measure itself failed (bad usage, cannot open FILE, fork).
 */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void usage(void)
{
    fputs("usage: measure [--stdout FILE] [--stderr FILE] -- COMMAND [ARG...]\n"
          "prints: wall=SECONDS rss_mb=MB rc=STATUS [signal=N]\n", stderr);
    exit(125);
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Opens path for writing and moves it to target_fd; returns 0 or -1. */
static int redirect(const char *path, int target_fd)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return -1;
    if (fd != target_fd) {
        if (dup2(fd, target_fd) < 0) {
            close(fd);
            return -1;
        }
        close(fd);
    }
    return 0;
}

int main(int argc, char **argv)
{
    const char *out_path = "/dev/null";
    const char *err_path = NULL;
    int i = 1;
    for (; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        } else if (strcmp(argv[i], "--stdout") == 0 && i + 1 < argc) {
            out_path = argv[++i];
        } else if (strcmp(argv[i], "--stderr") == 0 && i + 1 < argc) {
            err_path = argv[++i];
        } else if (strncmp(argv[i], "--stdout=", 9) == 0) {
            out_path = argv[i] + 9;
        } else if (strncmp(argv[i], "--stderr=", 9) == 0) {
            err_path = argv[i] + 9;
        } else {
            usage();
        }
    }
    if (i >= argc)
        usage();
    char **cmd = argv + i;

    /* Open the files in the parent so that errors are reported before the run. */
    int out_fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (out_fd < 0) {
        fprintf(stderr, "measure: %s: %s\n", out_path, strerror(errno));
        return 125;
    }
    close(out_fd);
    if (err_path != NULL) {
        int err_fd = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (err_fd < 0) {
            fprintf(stderr, "measure: %s: %s\n", err_path, strerror(errno));
            return 125;
        }
        close(err_fd);
    }
    fflush(stdout);
    fflush(stderr);

    double start = now_seconds();
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "measure: fork: %s\n", strerror(errno));
        return 125;
    }
    if (pid == 0) {
        if (redirect(out_path, STDOUT_FILENO) != 0 ||
            (err_path != NULL && redirect(err_path, STDERR_FILENO) != 0)) {
            fprintf(stderr, "measure: redirect: %s\n", strerror(errno));
            _exit(127);
        }
        execvp(cmd[0], cmd);
        fprintf(stderr, "measure: %s: %s\n", cmd[0], strerror(errno));
        _exit(127);
    }

    int status = 0;
    struct rusage ru;
    memset(&ru, 0, sizeof ru);
    for (;;) {
        pid_t r = wait4(pid, &status, 0, &ru);
        if (r == pid)
            break;
        if (r < 0 && errno != EINTR) {
            fprintf(stderr, "measure: wait4: %s\n", strerror(errno));
            return 125;
        }
    }
    double wall = now_seconds() - start;

    int rc, sig = 0;
    if (WIFEXITED(status)) {
        rc = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        sig = WTERMSIG(status);
        rc = 128 + sig;
    } else {
        rc = 125;
    }
    /* ru_maxrss is in kilobytes on Linux. */
    double rss_mb = (double)ru.ru_maxrss / 1024.0;
    /* CPU time (user + system, all threads): steadier than wall time on a
     * machine other jobs load. */
    double cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
                 (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
    if (sig != 0)
        printf("wall=%.3f cpu=%.3f rss_mb=%.1f rc=%d signal=%d\n", wall, cpu, rss_mb, rc, sig);
    else
        printf("wall=%.3f cpu=%.3f rss_mb=%.1f rc=%d\n", wall, cpu, rss_mb, rc);
    fflush(stdout);
    return rc;
}
