/* cmd.h: internal interfaces of the pprof program (sources, commands, output, errors). */
#ifndef PPROF_CMD_H
#define PPROF_CMD_H

#include "config.h"
#include <pprof/formats.h>
#include <pprof/pprof.h>

/* Exit codes: success, data or runtime error, usage error. */
enum { EXIT_OK = 0, EXIT_DATA = 1, EXIT_USAGE = 2, EXIT_THRESHOLD = 3 /* -fail_above */ };

/* Prints "pprof: <message>" on stderr, with control characters escaped. */
void cmd_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cmd_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* An informational line on stderr, without prefix (escaped the same way). */
void cmd_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Settings that are not report options: what to run and where from. */
typedef struct cmd_args {
    const char *format;       /* report command name, NULL for the shell */
    const char *format_param; /* e.g. the regexp of -list */
    const char **sources;
    size_t n_sources;
    const char *exec_name;    /* [binary] argument */
    const char *add_comment;
    const char *sample_flag;  /* legacy -inuse_space etc., as a sample_index value */
    bool sample_flag_mean;
    int seconds, timeout;
    const char *symbolize, *buildid;
    const char *tools;            /* -tools: accepted, unused (no binutils are run) */
    const char *base, *diff_base; /* a base profile to subtract, or to compare against */
    const char *window, *base_window; /* time windows: START..END (see cmd_windows_select) */
    bool normalize;               /* from the configuration, applied when loading */
    const char *tls_cert, *tls_key, *tls_ca; /* HTTPS client certificate, key, CA bundle */
    struct cmd_fetched *fetched;  /* URL sources fetched by cmd_load_sources */
    bool single_threaded;         /* load in the calling thread (a forked web UI view starts none) */
    bool all_frames;              /* -all_frames: no drop_frames/keep_frames pruning */
    pprof_symbolize_options sym;  /* -symbolize, parsed, with the search paths */
    const char *http;             /* -http=host:port: serve the web UI */
    bool no_browser;              /* -no_browser: do not open it in a browser */
    const char *max_memory_flag;  /* -max_memory as given */
    uint64_t max_memory;          /* its bytes; 0: the library's default */
} cmd_args;

/* Symbolization (cmd/symbolize.c): setup parses -symbolize (warning about
 * unknown parts) and takes $PPROF_BINARY_PATH and $HOME; local names a
 * source's addresses from its binaries; demangle applies demangle=. Each
 * returns 0 or an exit code after printing. */
void cmd_symbolize_setup(cmd_args *args);
/* recorded_here: a local perf.data file, whose [vdso] without a build id
 * this machine's vDSO names (as perf does). */
int cmd_symbolize_local(pprof_profile *p, const cmd_args *args, bool recorded_here);
int cmd_demangle(pprof_profile *p, const cmd_args *args);
/* Remote symbolization of a URL source (cmd/fetch_symbol.c): each mapping's
 * unnamed addresses POSTed to the service's symbol URL; a failure is a
 * warning. Returns 0 or an exit code after printing. */
int cmd_symbolize_remote(pprof_profile *p, const cmd_args *args, const char *source);

/* Parses argv into args and cfg. Returns 0, or EXIT_USAGE after printing. */
int cmd_parse_args(cmd_args *args, pprof_config *cfg, int argc, char **argv);
void cmd_usage(FILE *f);

/* Loads and merges every source. Returns 0 or an exit code after printing. */
int cmd_load_sources(pprof_profile **out, const cmd_args *args);

/* Marks which of the files lie in -window (in_window) and -base_window
 * (in_base), from each profile's time span. Prints and returns an exit code
 * when a window is malformed or selects nothing. */
int cmd_windows_select(const char *const *files, size_t n, const cmd_args *args, bool *in_window, bool *in_base);

/* Sources loaded in a second thread, at most two ahead of the consumer
 * (without threaded, each in next, in the caller's thread). load(p, i, ctx)
 * loads the i-th (printing its own errors); next returns them in order,
 * with their load status, and *p NULL after the last (or after a
 * failure). stop joins the thread and frees what was not taken. */
typedef int (*cmd_load_fn)(pprof_profile **p, size_t i, void *ctx);
typedef struct cmd_prefetch cmd_prefetch;
int cmd_prefetch_start(cmd_prefetch **out, size_t n, cmd_load_fn load, void *ctx, bool threaded);
int cmd_prefetch_next(cmd_prefetch *pf, pprof_profile **p);
void cmd_prefetch_stop(cmd_prefetch *pf);
/* URL sources (cmd/fetch_sources.c). cmd_fetch_sources fetches every
 * source, -base and -diff_base that is a URL, all at once, into memory;
 * 0 or an exit code after printing. cmd_fetched_take hands out the body
 * fetched for source (each fetch once, in order), NULL when source is not
 * a URL, and NULL with *failed set when its fetch failed (the error was
 * printed; the other sources go on, as in pprof); *name is the name to
 * print (no credentials). cmd_fetched_name is
 * that name alone. cmd_fetched_save writes p to $PPROF_TMPDIR when anything
 * was fetched. */
typedef struct cmd_fetched cmd_fetched;
int cmd_fetch_sources(cmd_fetched **out, const cmd_args *args);
const pprof_buf *cmd_fetched_take(cmd_fetched *f, const char *source, const char **name, bool *failed);
const char *cmd_fetched_name(const cmd_fetched *f, const char *source);
void cmd_fetched_save(const cmd_fetched *f, const pprof_profile *p);
void cmd_fetched_free(cmd_fetched *f);

/* A report command. */
typedef int (*report_fn)(pprof_buf *out, const pprof_profile *p, const pprof_report_options *o,
                         pprof_error *err);
typedef struct command_def {
    const char *name;
    bool has_param;
    bool binary;          /* output is not text */
    const char *ext;      /* file extension when written to a file by default */
    const char *writer;   /* the library's report (pprof_write) it runs, or whose defaults a renderer uses */
    report_fn render;     /* NULL, or the program's own output made from that report (images) */
    const char *help;
} command_def;

extern const command_def commands[];
extern const size_t n_commands;
const command_def *cmd_find_command(const char *name);

/* A report's options resolved from the configuration, with the storage
 * its "Active filters:" lines point into. */
typedef struct cmd_report {
    pprof_report_options o;
    char filter_lines[10][512];
    const char *filter_list[11];
    size_t over; /* -diff: functions over -fail_above */
} cmd_report;

/* Resolves cfg into rep for command c on p, and applies the filters to p
 * (in place). pprof's notes (filters that matched nothing, ranges) go to
 * notes, one per line, or to stderr when notes is NULL. Returns 0, or
 * EXIT_USAGE with the message in err (bad sample index, regexp, ...). */
int cmd_report_setup(cmd_report *rep, const command_def *c, const char *param, pprof_profile *p,
                     const pprof_config *cfg, const cmd_args *args, pprof_buf *notes, pprof_error *err);

/* Runs command c on p with cfg (filtering p in place), writing to
 * cfg->output or stdout. release: NULL, or where the caller keeps p when
 * it needs p no more (a one-shot run): a picture Graphviz draws frees p
 * (and sets *release NULL) once its DOT text is made, before the layout. */
int cmd_run_report(const command_def *c, const char *param, pprof_profile *p, pprof_profile **release,
                   const pprof_config *cfg, const cmd_args *args);

/* An output being written: stdout, a device or pipe written in place, or a
 * temporary file beside path that commit renames into place and abort
 * removes. */
typedef struct cmd_output {
    int fd;
    const char *path;
    char *tmp;   /* the temporary file, for a regular file */
    bool direct; /* path is a device or pipe, written in place */
    bool unnamed; /* fd is an O_TMPFILE file: linked in at commit, nothing on disk before */
} cmd_output;

int cmd_output_open(cmd_output *o, const char *path);
/* Makes SIGINT/SIGTERM/SIGHUP remove the temporary file of an output being
 * written before the program dies of them. */
void cmd_output_guard_signals(void);
int cmd_output_sink(void *ctx, const uint8_t *data, size_t len); /* pprof_buf sink */
int cmd_output_commit(cmd_output *o);
void cmd_output_abort(cmd_output *o);

/* Call graphs drawn by Graphviz's libraries (render.c): the -dot graph
 * as SVG (with pan and zoom), PNG, PDF, PostScript or GIF. */
int cmd_report_svg(pprof_buf *out, const pprof_profile *p, const pprof_report_options *o, pprof_error *err);
/* What cmd_report_svg and the other pictures do, in two steps: the DOT text
 * of p (NUL-terminated), then the picture in format ("svg", "png", ...). */
int cmd_graph_dot(pprof_buf *dot, const pprof_profile *p, const pprof_report_options *o, pprof_error *err);
int cmd_graph_draw(pprof_buf *out, const pprof_buf *dot, const char *format, pprof_error *err);
int cmd_report_png(pprof_buf *out, const pprof_profile *p, const pprof_report_options *o, pprof_error *err);
int cmd_report_pdf(pprof_buf *out, const pprof_profile *p, const pprof_report_options *o, pprof_error *err);
int cmd_report_ps(pprof_buf *out, const pprof_profile *p, const pprof_report_options *o, pprof_error *err);
int cmd_report_gif(pprof_buf *out, const pprof_profile *p, const pprof_report_options *o, pprof_error *err);

/* Opens path in a browser ($BROWSER, else xdg-open with a display);
 * returns false when there is none to run. */
bool cmd_view_file(const char *path);
/* Removes the graphs opened so far, a second after the last browser
 * started (also run at exit); for processes that end with _exit. */
void cmd_view_cleanup(void);
/* Whether c writes a temporary file and opens it in a browser (web). */
bool cmd_is_view_command(const command_def *c);

/* A fresh $TMPDIR/pprofNNN.<ext> (default /tmp) for a graph to view. */
int cmd_view_temp_name(char *buf, size_t n, const char *ext);

/* The interactive shell on p (stdin: readline on a terminal, lines otherwise). */
int cmd_shell(const pprof_profile *p, pprof_config *cfg, const cmd_args *args);


#endif
