/* flags.c: command-line parsing with Go flag-package rules (-x, --x, -x=v, -x v, -bool=false). */
#include "cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

/* Flags that are not report options: where profiles come from. */
typedef enum { SRC_INT, SRC_STRING, SRC_BOOL } src_kind;
static const struct {
    const char *name;
    src_kind kind;
    size_t offset;
    const char *help;
} source_flags[] = {
    {"seconds", SRC_INT, offsetof(cmd_args, seconds), "Duration for time-based profile collection"},
    {"timeout", SRC_INT, offsetof(cmd_args, timeout), "Timeout in seconds for profile collection"},
    {"symbolize", SRC_STRING, offsetof(cmd_args, symbolize), "Options for profile symbolization"},
    {"buildid", SRC_STRING, offsetof(cmd_args, buildid), "Override build id for first mapping"},
    {"tools", SRC_STRING, offsetof(cmd_args, tools),
     "Path for object tools (accepted for compatibility: binaries are read in the process)"},
    {"add_comment", SRC_STRING, offsetof(cmd_args, add_comment), "Annotation string to record in the profile"},
    {"base", SRC_STRING, offsetof(cmd_args, base), "Source to subtract from the profile"},
    {"diff_base", SRC_STRING, offsetof(cmd_args, diff_base), "Source to compare the profile against"},
    {"window", SRC_STRING, offsetof(cmd_args, window), "Only the profiles whose time span meets START..END"},
    {"base_window", SRC_STRING, offsetof(cmd_args, base_window),
     "Compare against the profiles of the sources in START..END"},
    {"tls_cert", SRC_STRING, offsetof(cmd_args, tls_cert), "TLS client certificate file for fetching profile and symbols"},
    {"tls_key", SRC_STRING, offsetof(cmd_args, tls_key), "TLS private key file for fetching profile and symbols"},
    {"tls_ca", SRC_STRING, offsetof(cmd_args, tls_ca), "TLS CA certs file for fetching profile and symbols"},
    {"all_frames", SRC_BOOL, offsetof(cmd_args, all_frames), "Keep the frames the profile's drop_frames would remove"},
    {"http", SRC_STRING, offsetof(cmd_args, http), "Present interactive web UI at the specified http host:port"},
    {"no_browser", SRC_BOOL, offsetof(cmd_args, no_browser), "Skip opening a browser for the interactive web UI"},
    {"max_memory", SRC_STRING, offsetof(cmd_args, max_memory_flag),
     "Refuse a source needing more memory than this (e.g. 4GiB; default half the RAM)"},
};

/* Legacy convenience flags: each selects a sample type. */
static const struct {
    const char *name;
    const char *sample_index;
    bool mean;
} sample_flags[] = {
    {"inuse_space", "inuse_space", false},   {"inuse_objects", "inuse_objects", false},
    {"alloc_space", "alloc_space", false},   {"alloc_objects", "alloc_objects", false},
    {"total_delay", "delay", false},         {"contentions", "contentions", false},
    {"mean_delay", "delay", true},
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

void cmd_usage(FILE *f)
{
    fputs("usage:\n\n"
          "Produce output in the specified format.\n\n"
          "   pprof <format> [options] [binary] <source> ...\n\n"
          "Omit the format to get an interactive shell whose commands can be used\n"
          "to generate various views of a profile\n\n"
          "   pprof [options] [binary] <source> ...\n\n"
          "Output formats (select at most one):\n",
          f);
    for (size_t i = 0; i < n_commands; i++)
        fprintf(f, "    -%-16s %s\n", commands[i].name, commands[i].help);
    fputs("\n  Options:\n", f);
    for (size_t i = 0; i < n_config_options; i++)
        fprintf(f, "    -%-20s %s\n", config_options[i].name, config_options[i].help);
    for (size_t i = 0; i < N(source_flags); i++)
        fprintf(f, "    -%-20s %s\n", source_flags[i].name, source_flags[i].help);
    fputs("\n  Legacy convenience options:\n", f);
    for (size_t i = 0; i < N(sample_flags); i++)
        fprintf(f, "    -%-20s Same as -%ssample_index=%s\n", sample_flags[i].name,
                sample_flags[i].mean ? "mean " : "", sample_flags[i].sample_index);
    fputs("\n  Source options: a profile file (gzip or raw profile.proto, or a legacy\n"
          "  profile), a directory of them, or a URL (http://, https://,\n"
          "  https+insecure://, or host:port[/path]); several sources are merged.\n\n"
          "  See pprof(1) for details.\n",
          f);
}

static int usage_error(const char *fmt, const char *a, const char *b)
{
    char msg[512];
    snprintf(msg, sizeof msg, fmt, a, b);
    cmd_error("%s", msg);
    fputs("Run 'pprof -help' for usage.\n", stderr);
    return EXIT_USAGE;
}

/* A size: digits, then an optional unit (B, KB, MB, GB, TB in powers of
 * 1000; K, M, G, T, KiB, MiB, GiB, TiB in powers of 1024; any case).
 * Returns 0, or -1 when it is not a positive size that fits 64 bits. */
static int parse_size(const char *s, uint64_t *out)
{
    static const struct {
        const char *unit;
        uint64_t mult;
    } units[] = {
        {"", 1},          {"b", 1},
        {"k", 1ULL << 10}, {"kib", 1ULL << 10}, {"kb", 1000ULL},
        {"m", 1ULL << 20}, {"mib", 1ULL << 20}, {"mb", 1000000ULL},
        {"g", 1ULL << 30}, {"gib", 1ULL << 30}, {"gb", 1000000000ULL},
        {"t", 1ULL << 40}, {"tib", 1ULL << 40}, {"tb", 1000000000000ULL},
    };
    uint64_t v = 0;
    const char *p = s;
    if (*p < '0' || *p > '9')
        return -1;
    for (; *p >= '0' && *p <= '9'; p++) {
        if (v > (UINT64_MAX - 9) / 10)
            return -1;
        v = v * 10 + (uint64_t)(*p - '0');
    }
    for (size_t i = 0; i < N(units); i++) {
        if (strcasecmp(p, units[i].unit) != 0)
            continue;
        if (v == 0 || v > UINT64_MAX / units[i].mult)
            return -1;
        *out = v * units[i].mult;
        return 0;
    }
    return -1;
}

/* Go's strconv.ParseBool; "" (a bare flag) is true. */
static int parse_go_bool(const char *v, bool *out)
{
    static const char *yes[] = {"", "1", "t", "T", "true", "TRUE", "True"};
    static const char *no[] = {"0", "f", "F", "false", "FALSE", "False"};
    for (size_t i = 0; i < N(yes); i++)
        if (strcmp(v, yes[i]) == 0)
            return *out = true, 0;
    for (size_t i = 0; i < N(no); i++)
        if (strcmp(v, no[i]) == 0)
            return *out = false, 0;
    return -1;
}

static bool is_bool_flag(const char *name)
{
    if (strcmp(name, "help") == 0 || strcmp(name, "h") == 0)
        return true;
    const option_def *d = config_find(name);
    if (d)
        return d->kind == OPT_BOOL;
    const command_def *c = cmd_find_command(name);
    if (c)
        return !c->has_param;
    for (size_t i = 0; i < N(sample_flags); i++)
        if (strcmp(sample_flags[i].name, name) == 0)
            return true;
    for (size_t i = 0; i < N(source_flags); i++)
        if (strcmp(source_flags[i].name, name) == 0)
            return source_flags[i].kind == SRC_BOOL;
    return false;
}

static bool known_flag(const char *name)
{
    if (config_find(name) || cmd_find_command(name))
        return true;
    for (size_t i = 0; i < N(source_flags); i++)
        if (strcmp(source_flags[i].name, name) == 0)
            return true;
    for (size_t i = 0; i < N(sample_flags); i++)
        if (strcmp(sample_flags[i].name, name) == 0)
            return true;
    return strcmp(name, "help") == 0 || strcmp(name, "h") == 0;
}

/* Applies one flag. Returns 0, -1 for a usage error (printed), 1 for -help. */
static int apply_flag(cmd_args *args, pprof_config *cfg, const char *name, const char *value,
                      bool explicit_value, const char **format_set, const char **group_set)
{
    char err[256];
    if (strcmp(name, "help") == 0 || strcmp(name, "h") == 0)
        return 1;
    const command_def *c = cmd_find_command(name);
    if (c) {
        if (!c->has_param) {
            bool on;
            if (parse_go_bool(explicit_value ? value : "", &on) != 0) {
                usage_error("invalid boolean value \"%s\" for -%s: parse error", value, name);
                return -1;
            }
            if (!on)
                return 0;
        }
        if (*format_set && strcmp(*format_set, name) != 0) {
            usage_error("must set at most one output format%s%s", "", "");
            return -1;
        }
        *format_set = c->name;
        args->format = c->name;
        args->format_param = c->has_param ? value : NULL;
        return 0;
    }
    for (size_t i = 0; i < N(sample_flags); i++) {
        if (strcmp(sample_flags[i].name, name) != 0)
            continue;
        bool on;
        if (parse_go_bool(explicit_value ? value : "", &on) != 0) {
            usage_error("invalid boolean value \"%s\" for -%s: parse error", value, name);
            return -1;
        }
        if (!on)
            return 0;
        if (args->sample_flag) {
            cmd_warning("Multiple value selections, ignoring -%s", name);
            return 0;
        }
        args->sample_flag = sample_flags[i].sample_index;
        args->sample_flag_mean = sample_flags[i].mean;
        return 0;
    }
    for (size_t i = 0; i < N(source_flags); i++) {
        if (strcmp(source_flags[i].name, name) != 0)
            continue;
        void *field = (char *)args + source_flags[i].offset;
        if (source_flags[i].kind == SRC_STRING) {
            *(const char **)field = value;
        } else if (source_flags[i].kind == SRC_BOOL) {
            if (parse_go_bool(explicit_value ? value : "", (bool *)field) != 0) {
                usage_error("invalid boolean value \"%s\" for -%s: parse error", value, name);
                return -1;
            }
        } else {
            char *end;
            long v = strtol(value, &end, 0);
            if (!*value || *end || v < -2147483647L || v > 2147483647L) {
                usage_error("invalid value \"%s\" for flag -%s: parse error", value, name);
                return -1;
            }
            *(int *)field = (int)v;
        }
        return 0;
    }
    const option_def *d = config_find(name);
    if (d->group) {
        bool on;
        if (parse_go_bool(explicit_value ? value : "", &on) != 0) {
            usage_error("invalid boolean value \"%s\" for -%s: parse error", value, name);
            return -1;
        }
        size_t g = strcmp(d->group, "sort") == 0 ? 0 : 1;
        if (on && group_set[g] && strcmp(group_set[g], name) != 0) {
            char both[300];
            snprintf(both, sizeof both, "[%s %s]", group_set[g], name);
            usage_error("conflicting options set: %s%s", both, "");
            return -1;
        }
        if (on)
            group_set[g] = d->name;
    }
    if (config_set(cfg, d, explicit_value ? value : "", err, sizeof err) != 0) {
        usage_error("%s%s", err, "");
        return -1;
    }
    return 0;
}

/* True when the file starts with an object-file magic (ELF, Mach-O, PE). */
static bool is_object_file(const char *path)
{
    /* Non-blocking and regular files only: a FIFO must not hang us here. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return false;
    struct stat st;
    unsigned char m[4] = {0};
    bool ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && pread(fd, m, 4, 0) == 4;
    close(fd);
    if (!ok)
        return false;
    static const unsigned char magics[][4] = {
        {0x7f, 'E', 'L', 'F'}, {0xfe, 0xed, 0xfa, 0xce}, {0xce, 0xfa, 0xed, 0xfe},
        {0xfe, 0xed, 0xfa, 0xcf}, {0xcf, 0xfa, 0xed, 0xfe}, {0xca, 0xfe, 0xba, 0xbe},
    };
    for (size_t i = 0; i < N(magics); i++)
        if (memcmp(m, magics[i], 4) == 0)
            return true;
    return m[0] == 'M' && m[1] == 'Z';
}

int cmd_parse_args(cmd_args *args, pprof_config *cfg, int argc, char **argv)
{
    memset(args, 0, sizeof *args);
    args->seconds = -1;
    args->timeout = -1;
    const char *format_set = NULL;
    const char *group_set[2] = {NULL, NULL};
    int i = 1;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-' || a[1] == 0)
            break;
        if (strcmp(a, "--") == 0) {
            i++;
            break;
        }
        const char *name = a + 1;
        if (*name == '-')
            name++;
        if (*name == 0 || *name == '-' || *name == '=')
            return usage_error("bad flag syntax: %s%s", a, "");
        char flag[128];
        const char *eq = strchr(name, '=');
        size_t nlen = eq ? (size_t)(eq - name) : strlen(name);
        if (nlen >= sizeof flag)
            return usage_error("flag provided but not defined: -%.100s%s", name, "");
        memcpy(flag, name, nlen);
        flag[nlen] = 0;
        if (!known_flag(flag))
            return usage_error("flag provided but not defined: -%s%s", flag, "");
        const char *value = eq ? eq + 1 : "";
        bool explicit_value = eq != NULL;
        if (!eq && !is_bool_flag(flag)) {
            if (i + 1 >= argc)
                return usage_error("flag needs an argument: -%s%s", flag, "");
            value = argv[++i];
            explicit_value = true;
        }
        int rc = apply_flag(args, cfg, flag, value, explicit_value, &format_set, group_set);
        if (rc < 0)
            return EXIT_USAGE;
        if (rc > 0) {
            cmd_usage(stdout);
            return -1; /* help shown: exit 0 */
        }
    }
    int npos = argc - i;
    if (npos > 1 && is_object_file(argv[i])) {
        args->exec_name = argv[i];
        i++;
        npos--;
    }
    args->sources = (const char **)(argv + i);
    args->n_sources = (size_t)npos;
    if (npos == 0)
        return usage_error("no profile source specified%s%s", "", "");
    if (args->http && args->format)
        return usage_error("-http is not compatible with an output format on the command line%s%s", "", "");
    if (args->no_browser && !args->http)
        return usage_error("-no_browser only makes sense with -http%s%s", "", "");
    if (args->base && *args->base && args->diff_base && *args->diff_base)
        return usage_error("-base and -diff_base flags cannot both be specified%s%s", "", "");
    bool base_window = args->base_window && *args->base_window;
    if (base_window && ((args->base && *args->base) || (args->diff_base && *args->diff_base)))
        return usage_error("-base_window cannot be used with -base or -diff_base%s%s", "", "");
    if (args->max_memory_flag && parse_size(args->max_memory_flag, &args->max_memory) != 0)
        return usage_error("invalid value \"%s\" for flag -max_memory: want a size such as 512MiB or 4GiB%s",
                           args->max_memory_flag, "");
    cmd_symbolize_setup(args);
    args->normalize = cfg->normalize;
    if (args->normalize && !(args->base && *args->base) && !(args->diff_base && *args->diff_base) && !base_window)
        return usage_error("must have base profile to normalize by%s%s", "", "");
    return 0;
}
