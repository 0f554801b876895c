/* main.c: the pprof program: parse the command line, load the sources, run one report. */
#include "cmd.h"
#include "webui.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* stdout must be flushed and closed cleanly: a full disk or closed pipe is an error. */
static int finish_stdout(int rc)
{
    if (fflush(stdout) != 0 || fclose(stdout) != 0) {
        if (rc == 0)
            cmd_error("write /dev/stdout: error closing output");
        return rc ? rc : EXIT_DATA;
    }
    return rc;
}

/* A closed standard descriptor is taken by /dev/null, opened for reading
 * only: no file opened later (the -output file) can become stdout, and a
 * report written to a closed stdout still fails (EBADF) while a run that
 * writes elsewhere ends cleanly. */
static void hold_standard_fds(void)
{
    for (int fd = 0; fd <= 2; fd++) {
        if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
            continue;
        int got = open("/dev/null", O_RDONLY);
        if (got >= 0 && got != fd) {
            dup2(got, fd);
            close(got);
        }
    }
}

/* Whether a one-shot report of these options should hand freed heap back
 * (see main). */
static bool trim_wanted(const pprof_config *cfg)
{
    const char *g = cfg->granularity ? cfg->granularity : "";
    return strcmp(g, "lines") == 0 || strcmp(g, "addresses") == 0;
}

int main(int argc, char **argv)
{
    /* A fixed threshold: every allocation of 1 MiB or more is a mapping of
     * its own, grown in place by mremap. glibc's moving threshold (raised
     * by each big free) put the profile's growing arrays on the heap,
     * where realloc copies them and both copies stay resident. */
    mallopt(M_MMAP_THRESHOLD, 1 << 20);
    hold_standard_fds();
    /* A closed pipe ends the program quietly, like other Unix filters. */
    signal(SIGPIPE, SIG_DFL);
    cmd_output_guard_signals();
    pprof_config cfg;
    config_init(&cfg);
    cmd_args args;
    int rc = cmd_parse_args(&args, &cfg, argc, argv);
    if (rc) {
        config_release(&cfg);
        return rc < 0 ? EXIT_OK : rc;
    }
    const command_def *c = args.format ? cmd_find_command(args.format) : NULL;
    /* The web UI server's threads share one malloc arena, from before the
     * first thread starts (cmd/webui_worker.c: a view's child allocates
     * from the arena of the thread that forked it, and its heap on huge
     * pages holds only in the main one). */
    if (args.http)
        mallopt(M_ARENA_MAX, 1);
    /* One report: memory freed stays in the heap for what comes next, not
     * handed back to the kernel at each free at its top (glibc trims past
     * 128 KiB) to be faulted in again a page at a time: the graph's tables
     * take the place of the decoder's. big100k.pb.gz: -top 1,305 -> 1,166
     * page faults, -dot 1,597 -> 1,232, peak RSS the same. Not at
     * -lines or -addresses granularity, whose big graph tables are mappings
     * of their own: what the decoder freed would stay beside them (that
     * profile's -top -lines: 35.7 -> 36.8 MB, at its 2x-raw budget). A
     * picture still trims once its profile is freed (cmd/commands.c). */
    else if (c && !trim_wanted(&cfg))
        mallopt(M_TRIM_THRESHOLD, INT_MAX);
    pprof_profile *p;
    rc = cmd_load_sources(&p, &args);
    pprof_error err;
    /* The profile's drop_frames prune it, as in pprof, unless -all_frames. */
    if (rc == 0 && !args.all_frames && pprof_profile_prune_frames(p, &err) != 0) {
        cmd_error("%s", err.msg);
        pprof_profile_free(p);
        rc = EXIT_DATA;
    }
    const char *unit = cfg.unit && *cfg.unit ? cfg.unit : "minimum";
    if (rc == 0 && ((cfg.tagroot && pprof_profile_add_tag_frames(p, cfg.tagroot, true, unit, &err)) ||
                    (cfg.tagleaf && pprof_profile_add_tag_frames(p, cfg.tagleaf, false, unit, &err)))) {
        cmd_error("%s", err.msg);
        pprof_profile_free(p);
        rc = EXIT_DATA;
    }
    /* The shell and the web UI answer many reports on this profile: its
     * samples are grouped by stack once (without the index, which only
     * memory could prevent, each report walks every sample). */
    if (rc == 0 && (args.http || !c))
        (void)pprof_profile_index(p, &err);
    if (rc == 0 && args.http) {
        rc = cmd_webui_serve(p, &cfg, &args);
        pprof_profile_free(p);
    } else if (rc == 0 && !c) {
        rc = cmd_shell(p, &cfg, &args);
        pprof_profile_free(p);
    } else if (rc == 0) {
        rc = cmd_run_report(c, args.format_param, p, &p, &cfg, &args);
        pprof_profile_free(p);
    } else if (rc == EXIT_DATA) {
        fputs("pprof: failed to fetch any source profiles\n", stderr);
    }
    config_release(&cfg);
    return finish_stdout(rc);
}
