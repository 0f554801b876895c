/* cmd.h: internal interfaces of the pprof program (sources, commands, output, errors). */
#ifndef PPROF_CMD_H
#define PPROF_CMD_H

#include "config.h"
#include "formats.h"
#include "pprof.h"

/* Exit codes: success, data or runtime error, usage error. */
enum { EXIT_OK = 0, EXIT_DATA = 1, EXIT_USAGE = 2, EXIT_THRESHOLD = 3 /* -fail_above */ };

/* Prints "pprof: <message>" on stderr, with control characters escaped. */
void cmd_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cmd_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

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
    const char *base, *diff_base; /* a base profile to subtract, or to compare against */
    bool normalize;               /* from the configuration, applied when loading */
    bool all_frames;              /* -all_frames: no drop_frames/keep_frames pruning */
} cmd_args;

/* Parses argv into args and cfg. Returns 0, or EXIT_USAGE after printing. */
int cmd_parse_args(cmd_args *args, pprof_config *cfg, int argc, char **argv);
void cmd_usage(FILE *f);

/* Loads and merges every source. Returns 0 or an exit code after printing. */
int cmd_load_sources(pprof_profile **out, const cmd_args *args);

/* A report command. */
typedef int (*report_fn)(pprof_buf *out, const pprof_profile *p, const pprof_report_options *o,
                         pprof_error *err);
typedef struct command_def {
    const char *name;
    bool has_param;
    bool binary;          /* output is not text */
    const char *ext;      /* file extension when written to a file by default */
    int default_nodecount;
    bool force_untrimmed; /* trim=false (raw, proto, callgrind, peek, list) */
    report_fn fn;
    const char *help;
} command_def;

extern const command_def commands[];
extern const size_t n_commands;
const command_def *cmd_find_command(const char *name);

/* Runs command c on p with cfg (filtering p in place), writing to
 * cfg->output or stdout. */
int cmd_run_report(const command_def *c, const char *param, pprof_profile *p,
                   const pprof_config *cfg, const cmd_args *args);

/* An output being written: stdout, or a temporary file beside path that
 * commit renames into place and abort removes. */
typedef struct cmd_output {
    int fd;
    const char *path;
    char *tmp;
} cmd_output;

int cmd_output_open(cmd_output *o, const char *path);
int cmd_output_sink(void *ctx, const uint8_t *data, size_t len); /* pprof_buf sink */
int cmd_output_commit(cmd_output *o);
void cmd_output_abort(cmd_output *o);

/* The interactive shell on p (stdin: readline on a terminal, lines otherwise). */
int cmd_shell(const pprof_profile *p, pprof_config *cfg, const cmd_args *args);


#endif
