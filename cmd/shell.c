/* shell.c: the interactive "(pprof) " shell: report commands with pprof's
 * syntax, options as variables; the profile is parsed once and each command
 * runs on a copy of it. */
#include "cmd.h"

#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <limits.h>
#include <malloc.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define DYNLIB_WANT_READLINE
#include "dynlib.h"

/* Reads one line: readline on a terminal (editing, history, completion),
 * plain stdin otherwise. NULL at EOF; the caller frees. */
static char *read_command(bool tty)
{
    if (tty)
        return readline("(pprof) ");
    fputs("(pprof) ", stdout);
    fflush(stdout);
    size_t cap = 0;
    char *line = NULL;
    ssize_t n = getline(&line, &cap, stdin);
    if (n < 0) {
        free(line);
        return NULL;
    }
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = 0;
    return line;
}

/* ---------------------------------------------------------------- completion */

/* The profile being explored, for completing sample types and function
 * names (readline's generators take no context). */
static const pprof_profile *shell_profile;

/* Candidate i of the words the shell knows: commands, options, built-ins. */
static const char *known_word(size_t i)
{
    static const char *const builtins[] = {"help", "options", "quit", "exit"};
    if (i < n_commands)
        return commands[i].name;
    i -= n_commands;
    if (i < n_config_options)
        return config_options[i].name;
    i -= n_config_options;
    return i < sizeof builtins / sizeof builtins[0] ? builtins[i] : NULL;
}

static const char *const granularity_words[] = {"addresses", "filefunctions", "files", "functions", "lines"};
static const char *const unit_words[] = {"minimum", "auto", "b", "kb", "mb", "gb", "tb", "pb", "ns", "us", "ms",
                                         "s", "m", "h", "d", "w", "y"};

/* Candidate i of the values of option `option`: sample types, choices,
 * units, or the profile's function names for regexp options. */
static const char *value_word(const char *option, size_t i)
{
    const pprof_profile *p = shell_profile;
    if (strcmp(option, "sample_index") == 0)
        return i < p->n_sample_types ? pprof_string(p, p->sample_types[i].type) : NULL;
    if (strcmp(option, "granularity") == 0)
        return i < sizeof granularity_words / sizeof granularity_words[0] ? granularity_words[i] : NULL;
    if (strcmp(option, "unit") == 0)
        return i < sizeof unit_words / sizeof unit_words[0] ? unit_words[i] : NULL;
    const option_def *d = config_find(option);
    if (d && d->kind == OPT_BOOL)
        return i < 2 ? (i ? "false" : "true") : NULL;
    return i < p->n_functions ? pprof_string(p, p->functions[i].name) : NULL;
}

/* What is being completed: a first word, an option value ("name=" before
 * the cursor) or a command's regexp argument (function names). */
static char completing_option[128];
static bool completing_value;
static bool completing_function; /* names match anywhere, as upstream */

static char *complete_word(const char *text, int state)
{
    static size_t next; /* readline's generator protocol keeps state between calls */
    if (state == 0)
        next = 0;
    size_t n = strlen(text);
    for (;;) {
        const char *w = completing_value ? value_word(completing_option, next) : known_word(next);
        if (!w)
            return NULL;
        next++;
        /* Names with control, C1 or bidi characters are offered escaped:
         * the list readline prints must not drive the terminal. */
        pprof_buf esc = {0};
        if (!pprof_text_is_safe(w, strlen(w))) {
            if (pprof_escape_cstr(&esc, w)) {
                pprof_buf_release(&esc);
                continue;
            }
            w = (const char *)esc.data;
        }
        if (completing_function ? strstr(w, text) != NULL : strncmp(w, text, n) == 0) {
            char *r = strdup(w);
            pprof_buf_release(&esc);
            return r;
        }
        pprof_buf_release(&esc);
    }
}

static char **complete(const char *text, int start, int end)
{
    (void)end;
    rl_attempted_completion_over = 1;
    /* "name=": the option's values; "cmd arg": function names; else words. */
    const char *line = rl_line_buffer;
    size_t len = (size_t)start;
    completing_value = false;
    completing_function = false;
    if (len > 0 && line[len - 1] == '=') {
        size_t b = len - 1;
        while (b > 0 && !isspace((unsigned char)line[b - 1]))
            b--;
        snprintf(completing_option, sizeof completing_option, "%.*s", (int)(len - 1 - b), line + b);
        completing_value = true;
    } else if (start > 0) {
        snprintf(completing_option, sizeof completing_option, "focus"); /* any regexp option */
        completing_value = true;
    }
    const option_def *od = completing_value ? config_find(completing_option) : NULL;
    completing_function = completing_value && strcmp(completing_option, "sample_index") != 0 &&
                          strcmp(completing_option, "granularity") != 0 && strcmp(completing_option, "unit") != 0 &&
                          !(od && od->kind == OPT_BOOL);
    char **m = rl_completion_matches(text, complete_word);
    /* Substring matches: a unique one replaces the word; several keep it
     * as typed (their common prefix may not contain it) and are listed. */
    if (m && m[1] && completing_function && !strstr(m[0], text)) {
        char *keep = strdup(text);
        if (keep) {
            free(m[0]);
            m[0] = keep;
        }
    }
    /* A completed option name that takes a value is followed by "=". */
    const option_def *d = m && !completing_value && !cmd_find_command(m[0]) ? config_find(m[0]) : NULL;
    rl_completion_append_character = d && d->kind != OPT_BOOL && !d->group ? '=' : ' ';
    return m;
}

static char *history_path(void)
{
    const char *state = getenv("XDG_STATE_HOME");
    const char *home = getenv("HOME");
    char *path = malloc(4096);
    if (!path)
        return NULL;
    if (state && *state) {
        /* $XDG_STATE_HOME may not exist yet: make it (and its parents)
         * private to the user, as the XDG spec asks. */
        char dir[4096];
        snprintf(dir, sizeof dir, "%s", state);
        for (char *q = dir + 1;; q++) {
            if (*q == '/' || *q == 0) {
                char c = *q;
                *q = 0;
                if (mkdir(dir, 0700) != 0 && errno != EEXIST)
                    break;
                *q = c;
                if (!c)
                    break;
            }
        }
        snprintf(path, 4096, "%s/pprof_history", state);
    }
    else if (home && *home)
        snprintf(path, 4096, "%s/.pprof_history", home);
    else {
        free(path);
        return NULL;
    }
    return path;
}

/* ---------------------------------------------------------------- commands */

static void print_help(void)
{
    puts("  Commands:");
    for (size_t i = 0; i < n_commands; i++)
        printf("    %-12s %s\n", commands[i].name, commands[i].help);
    puts("\n  Options are set with name=value (booleans: name alone); \"o\" lists them,\n"
         "  \":\" clears the filters, a sample type name selects it.\n"
         "  A command may take a count (top10), -cum, > file, and regexps: focus\n"
         "  (or ignore when written -regexp).\n\n"
         "  help <command|option> tells more; quit, exit or EOF leaves the shell;\n"
         "  Ctrl-C stops a running command.");
}

/* help <command|option>. */
static void print_help_on(const char *name, const pprof_profile *p)
{
    const command_def *c = cmd_find_command(name);
    if (c) {
        printf("%s\n  Usage:\n", c->help);
        if (c->has_param)
            printf("    %s <regexp> [focus_regex]* [-ignore_regex]* >f\n"
                   "    Reports on the functions matching regexp.\n",
                   c->name);
        else
            printf("    %s [n] [focus_regex]* [-ignore_regex]* [-cum] >f\n"
                   "    Include up to n nodes (samples for traces).\n",
                   c->name);
        puts("    Include samples matching focus_regex, and exclude ignore_regex.\n"
             "    Optionally save the report on the file f.\n");
        return;
    }
    if (strcmp(name, "granularity") == 0) {
        puts("Level of detail of the report's nodes\n"
             "  granularity=[addresses | filefunctions | files | functions | lines]\n");
        return;
    }
    const option_def *d = config_find(name);
    if (!d) {
        printf("Unknown command: %s\n", name);
        return;
    }
    printf("%s\n", d->help);
    if (d->group)
        printf("  Set with %s=true; one of the %s choices.\n", d->name, d->group);
    else if (d->kind == OPT_BOOL)
        printf("  %s=true or %s=false (the name alone means true).\n", d->name, d->name);
    else
        printf("  %s=<value>\n", d->name);
    if (strcmp(name, "sample_index") == 0) {
        fputs("  Sample types of this profile:", stdout);
        for (size_t i = 0; i < p->n_sample_types; i++)
        {
            pprof_buf esc = {0};
            pprof_put_string(&esc, p, p->sample_types[i].type, 0);
            printf(" %s", esc.data ? (const char *)esc.data : "");
            pprof_buf_release(&esc);
        }
        putchar('\n');
    }
    putchar('\n');
}

static void print_options(const pprof_config *cfg)
{
    for (size_t i = 0; i < n_config_options; i++) {
        const option_def *d = &config_options[i];
        if (d->group)
            continue;
        const void *f = (const char *)cfg + d->offset;
        char v[256];
        switch (d->kind) {
        case OPT_BOOL: snprintf(v, sizeof v, "%s", *(const bool *)f ? "true" : "false"); break;
        case OPT_INT: snprintf(v, sizeof v, "%d", *(const int *)f); break;
        case OPT_FLOAT: snprintf(v, sizeof v, "%g", *(const double *)f); break;
        case OPT_STRING: snprintf(v, sizeof v, "%s", *(char *const *)f ? *(char *const *)f : ""); break;
        }
        if (strcmp(d->name, "nodecount") == 0 && cfg->nodecount == -1)
            printf("  %-25s = %-20s //: %s\n", d->name, v, "default");
        else if (strcmp(d->name, "sort") == 0)
            printf("  %-25s = %-20s //: [cum | flat]\n", d->name, v);
        else
            printf("  %-25s = %s\n", d->name, v);
    }
    printf("  %-25s = %-20s //: [addresses | filefunctions | files | functions | lines]\n", "granularity",
           cfg->granularity && *cfg->granularity ? cfg->granularity : "functions");
}

/* Appends text to *acc as an alternative of a regexp ("a|b"). */
static void add_alternative(char **acc, const char *text)
{
    size_t n = (*acc ? strlen(*acc) + 1 : 0) + strlen(text) + 1;
    char *s = malloc(n);
    if (!s)
        return;
    snprintf(s, n, "%s%s%s", *acc ? *acc : "", *acc ? "|" : "", text);
    free(*acc);
    *acc = s;
}

static bool is_sample_type(const pprof_profile *p, const char *name)
{
    for (size_t i = 0; i < p->n_sample_types; i++)
        if (strcmp(pprof_string(p, p->sample_types[i].type), name) == 0)
            return true;
    return false;
}

/* name=value (or a bare boolean name). Returns true when handled. */
static bool assign(pprof_config *cfg, const pprof_profile *p, const char *line)
{
    const char *eq = strchr(line, '=');
    char name[128];
    size_t n = eq ? (size_t)(eq - line) : strlen(line);
    while (n > 0 && line[n - 1] == ' ')
        n--;
    if (n == 0 || n >= sizeof name)
        return false;
    memcpy(name, line, n);
    name[n] = 0;
    const option_def *d = config_find(name);
    bool gran = strcmp(name, "granularity") == 0;
    if (!d && !gran)
        return false;
    char value[1024];
    snprintf(value, sizeof value, "%s", eq ? eq + 1 : "");
    char *comment = strstr(value, "//:");
    if (comment)
        *comment = 0;
    size_t vl = strlen(value);
    while (vl > 0 && isspace((unsigned char)value[vl - 1]))
        value[--vl] = 0;
    const char *v = value;
    while (*v == ' ')
        v++;
    if (gran) {
        /* granularity=lines is the same as lines=true. */
        const option_def *choice = eq ? config_find(v) : NULL;
        char err[256];
        if (!eq)
            printf("please specify a value, e.g. %s=<val>\n", name);
        else if (!choice || !choice->group || strcmp(choice->group, "granularity") != 0)
            printf("invalid \"%s\" value for granularity\n", v);
        else if (config_set(cfg, choice, "true", err, sizeof err) != 0)
            printf("%s\n", err);
        return true;
    }
    if (!eq && d->kind != OPT_BOOL) {
        printf("please specify a value, e.g. %s=<val>\n", name);
        return true;
    }
    pprof_error perr;
    int index;
    if (strcmp(name, "sample_index") == 0 && *v && pprof_sample_index(&index, p, v, &perr) != 0) {
        printf("%s\n", perr.msg);
        return true;
    }
    char err[256];
    if (config_set(cfg, d, v, err, sizeof err) != 0)
        printf("%s\n", err);
    return true;
}

/* ---------------------------------------------------------------- Ctrl-C */

/* On a terminal, Ctrl-C at the prompt clears the line, and during a
 * command stops it: each command runs in a child process (a copy-on-write
 * view of the profile), which the interrupt ends; an output file it was
 * writing is removed (cmd_output_guard_signals). */
static bool shell_tty;
static volatile sig_atomic_t at_prompt;

static volatile sig_atomic_t interrupted;

/* Async-signal-safe: only a flag. The read readline is blocked in fails
 * with EINTR (no SA_RESTART), and readline then calls clear_on_interrupt
 * from its own loop, where its functions may be called. */
static void on_interrupt(int sig)
{
    (void)sig;
    if (at_prompt)
        interrupted = 1; /* else the command's child takes the interrupt */
}

static int clear_on_interrupt(void)
{
    if (!interrupted)
        return 0;
    interrupted = 0;
    if (write(STDOUT_FILENO, "\n", 1) < 0) {
    }
    rl_on_new_line();
    rl_replace_line("", 0);
    rl_redisplay();
    return 0;
}

static void catch_interrupts(void)
{
    rl_catch_signals = 0; /* readline installs no handlers of its own */
    rl_signal_event_hook = clear_on_interrupt;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_interrupt;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;
    sigaction(SIGINT, &sa, NULL);
}

/* Runs the report in a child and waits for it; an interrupt ends it. */
static void run_in_child(const command_def *c, const char *param, const pprof_profile *p, const pprof_config *cc,
                         const cmd_args *args)
{
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        cmd_error("cannot start the command: %s", strerror(errno));
        return;
    }
    if (pid == 0) {
        signal(SIGINT, SIG_DFL);
        cmd_output_guard_signals();
        /* As a web UI view's child: what the report frees is used again,
         * not unmapped and faulted in afresh page by page. */
        mallopt(M_MMAP_THRESHOLD, 32 << 20);
        mallopt(M_TRIM_THRESHOLD, 1 << 30);
        int rc = cmd_run_report(c, param, (pprof_profile *)p, NULL, cc, args);
        fflush(stdout);
        fflush(stderr);
        cmd_view_cleanup(); /* _exit runs no atexit handlers */
        _exit(rc);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGINT)
        puts("\n(interrupted)");
}

/* A node count: decimal digits from 0 to INT_MAX ("top4294967297" is an
 * error, not top1). */
static bool parse_count(const char *s, int *out)
{
    if (!*s)
        return false;
    long long v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return false;
        v = v * 10 + (*s - '0');
        if (v > INT_MAX)
            return false;
    }
    *out = (int)v;
    return true;
}

/* Set by the fuzzing harness of the line parser (tests/fuzz/fuzz_shell.c):
 * report commands are parsed but not run. */
static bool shell_dry_run;

/* Runs one report command line ("top10 -cum regexp > file"). */
static void run_command(char **tok, int ntok, const pprof_profile *p, const pprof_config *cfg,
                        const cmd_args *args)
{
    char name[64];
    snprintf(name, sizeof name, "%s", tok[0]);
    /* Trailing digits on the command name set the node count. */
    size_t len = strlen(name);
    while (len > 0 && isdigit((unsigned char)name[len - 1]))
        len--;
    int count = -1;
    if (len < strlen(name) && len > 0) {
        if (!parse_count(name + len, &count)) {
            printf("node count %s is out of range (0 to %d)\n", name + len, INT_MAX);
            return;
        }
        name[len] = 0;
    }
    const command_def *c = cmd_find_command(name);
    if (!c) {
        if (config_find(name))
            printf("did you mean: %s=<val>\n", name);
        else
            printf("unrecognized command: \"%s\"\n", tok[0]);
        return;
    }
    int i = 1;
    const char *param = NULL;
    if (c->has_param) {
        if (ntok < 2) {
            printf("command %s requires an argument\n", c->name);
            return;
        }
        param = tok[i++];
    }
    pprof_config cc;
    if (config_copy(&cc, cfg) != 0) {
        puts("out of memory");
        return;
    }
    if (count >= 0)
        cc.nodecount = count;
    bool tags = strcmp(c->name, "tags") == 0;
    char *focus = NULL, *ignore = NULL;
    for (; i < ntok; i++) {
        const char *t = tok[i];
        int v;
        if (*t && strspn(t, "0123456789") == strlen(t)) {
            if (!parse_count(t, &v)) {
                printf("node count %s is out of range (0 to %d)\n", t, INT_MAX);
                config_release(&cc);
                free(focus);
                free(ignore);
                return;
            }
            cc.nodecount = v;
        } else if (t[0] == '>') {
            const char *file = t[1] ? t + 1 : (i + 1 < ntok ? tok[++i] : "");
            free(cc.output);
            cc.output = strdup(file);
        } else if (strcmp(t, "-cum") == 0 || strcmp(t, "--cum") == 0) {
            free(cc.sort);
            cc.sort = strdup("cum");
        } else if (t[0] == '-' && t[1]) {
            add_alternative(&ignore, t + 1);
        } else {
            add_alternative(&focus, t);
        }
    }
    char **fslot = tags ? &cc.tagfocus : &cc.focus, **islot = tags ? &cc.tagignore : &cc.ignore;
    if (focus) {
        free(*fslot);
        *fslot = focus;
    }
    if (ignore) {
        free(*islot);
        *islot = ignore;
    }
    /* The shell's top (and diff) shows 10 rows unless told otherwise. */
    if (cc.nodecount < 0 && (strcmp(c->name, "top") == 0 || strcmp(c->name, "text") == 0 || strcmp(c->name, "diff") == 0))
        cc.nodecount = 10;
    if (shell_dry_run) {
        config_release(&cc);
        return;
    }
    /* Non-text output goes to a file in the current directory; web's to
     * a temporary file it opens ($TMPDIR/pprofNNN.svg). */
    char auto_name[64];
    if ((!cc.output || !*cc.output) && c->ext && !cmd_is_view_command(c)) {
        for (int k = 1; k < 1000; k++) {
            snprintf(auto_name, sizeof auto_name, "profile%03d.%s", k, c->ext);
            if (access(auto_name, F_OK) != 0)
                break;
        }
        free(cc.output);
        cc.output = strdup(auto_name);
        printf("Generating report in %s\n", auto_name);
    }
    /* A child gets the loaded profile for free (copy on write) and may
     * change it; a copy of a 1M-sample profile took longer than most reports. */
    run_in_child(c, param, p, &cc, args);
    config_release(&cc);
}

/* Parses and runs one line of the shell (s: the line, leading blanks
 * skipped): a command, an option assignment, help, or quit (returns
 * true). */
static bool shell_line(const char *s, const pprof_profile *p, pprof_config *cfg, const cmd_args *args)
{
    char *tok[64];
    int ntok = 0;
    char *copy = strdup(s);
    for (char *t = copy ? strtok(copy, " \t") : NULL; t && ntok < 64; t = strtok(NULL, " \t"))
        tok[ntok++] = t;
    bool quit = false;
    if (ntok == 0) {
    } else if (strcmp(tok[0], "q") == 0 || strcmp(tok[0], "quit") == 0 || strcmp(tok[0], "exit") == 0) {
        quit = true;
    } else if (strcmp(tok[0], "help") == 0 && ntok > 1) {
        print_help_on(tok[1], p);
    } else if (strcmp(tok[0], "help") == 0) {
        print_help();
    } else if (strcmp(tok[0], "o") == 0 || strcmp(tok[0], "options") == 0) {
        print_options(cfg);
    } else if (strcmp(tok[0], ":") == 0) {
        char **resets[] = {&cfg->focus, &cfg->ignore, &cfg->hide, &cfg->tagfocus, &cfg->tagignore};
        for (size_t i = 0; i < sizeof resets / sizeof resets[0]; i++) {
            free(*resets[i]);
            *resets[i] = NULL;
        }
    } else if (is_sample_type(p, tok[0]) && ntok == 1) {
        free(cfg->sample_index);
        cfg->sample_index = strdup(tok[0]);
    } else if (ntok == 1 && config_find(tok[0]) && config_find(tok[0])->group) {
        /* Choices are set as cum=true, never by a bare name. */
        printf("unknown config field \"%s\"\n", tok[0]);
    } else if (strchr(s, '=') || (config_find(tok[0]) && config_find(tok[0])->kind == OPT_BOOL && ntok == 1)) {
        if (!assign(cfg, p, s))
            printf("unrecognized command: \"%s\"\n", tok[0]);
    } else if ((config_find(tok[0]) || strcmp(tok[0], "granularity") == 0) && ntok == 1) {
        printf("please specify a value, e.g. %s=<val>\n", tok[0]);
    } else {
        run_command(tok, ntok, p, cfg, args);
    }
    free(copy);
    return quit;
}

int cmd_shell(const pprof_profile *p, pprof_config *cfg, const cmd_args *args)
{
    bool tty = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
    char why[512];
    if (tty && dynlib_load(DYNLIB_READLINE, why, sizeof why) != 0) {
        cmd_warning("%s; lines are read without editing", why);
        tty = false; /* the plain prompt */
    }
    cfg->compact_labels = true;
    pprof_report_options o;
    memset(&o, 0, sizeof o);
    pprof_error err;
    pprof_sample_index(&o.sample_index, p, cfg->sample_index, &err);
    o.ratio = 1;
    o.unit = "auto";
    o.total = pprof_profile_total(p, o.sample_index, false, NULL);
    pprof_buf labels = {0};
    pprof_write_profile_labels(&labels, p, &o, "auto");
    if (labels.data)
        fputs((const char *)labels.data, stdout);
    pprof_buf_release(&labels);
    puts("Entering interactive mode (type \"help\" for commands, \"o\" for options)");
    if (o.total == 0 && p->n_sample_types > 1)
        puts("No samples were found with the default sample value type.\n"
             "Try \"sample_index\" command to analyze different sample values.");
    char *hist = NULL;
    int added = 0;
    shell_tty = tty;
    shell_profile = p;
    if (tty) {
        catch_interrupts();
        rl_attempted_completion_function = complete;
        /* Words break at blanks and "=" only: Go names hold "(", "*", "." */
        static char breaks[] = " \t\n=";
        rl_completer_word_break_characters = breaks;
        hist = history_path();
        if (hist)
            read_history(hist);
    }
    for (;;) {
        at_prompt = 1;
        char *line = read_command(tty);
        at_prompt = 0;
        if (!line) {
            if (tty)
                putchar('\n');
            break;
        }
        char *s = line;
        while (isspace((unsigned char)*s))
            s++;
        if (tty && *s) {
            add_history(s);
            added++;
        }
        bool quit = shell_line(s, p, cfg, args);
        free(line);
        fflush(stdout);
        if (quit)
            break;
    }
    /* Only this session's lines are appended, so sessions running at the
     * same time do not overwrite each other's history. */
    if (hist && added > 0) {
        int fd = open(hist, O_WRONLY | O_CREAT | O_APPEND, 0600);
        if (fd >= 0)
            close(fd);
        if (fd < 0 || append_history(added, hist) != 0)
            cmd_warning("could not save the shell history to %s", hist);
        else
            history_truncate_file(hist, 1000);
    }
    free(hist);
    return 0;
}
