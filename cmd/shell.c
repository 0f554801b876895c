/* shell.c: the interactive "(pprof) " shell: report commands with pprof's
 * syntax, options as variables; the profile is parsed once and each command
 * runs on a copy of it. */
#include "cmd.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

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

static char *complete_word(const char *text, int state)
{
    static size_t next; /* readline's generator protocol keeps state between calls */
    if (state == 0)
        next = 0;
    size_t n = strlen(text);
    for (const char *w; (w = known_word(next)) != NULL;) {
        next++;
        if (strncmp(w, text, n) == 0)
            return strdup(w);
    }
    return NULL;
}

static char **complete(const char *text, int start, int end)
{
    (void)start;
    (void)end;
    rl_attempted_completion_over = 1;
    return rl_completion_matches(text, complete_word);
}

static char *history_path(void)
{
    const char *state = getenv("XDG_STATE_HOME");
    const char *home = getenv("HOME");
    char *path = malloc(4096);
    if (!path)
        return NULL;
    if (state && *state)
        snprintf(path, 4096, "%s/pprof_history", state);
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
         "  (or ignore when written -regexp).\n\n  quit, exit or EOF leaves the shell.");
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
        count = atoi(name + len);
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
        char *end;
        long v = strtol(t, &end, 10);
        if (*t && !*end) {
            cc.nodecount = (int)v;
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
    /* The shell's top shows 10 nodes unless told otherwise. */
    if (cc.nodecount < 0 && (strcmp(c->name, "top") == 0 || strcmp(c->name, "text") == 0))
        cc.nodecount = 10;
    /* Non-text output goes to a file in the current directory. */
    char auto_name[64];
    if ((!cc.output || !*cc.output) && c->ext) {
        for (int k = 1; k < 1000; k++) {
            snprintf(auto_name, sizeof auto_name, "profile%03d.%s", k, c->ext);
            if (access(auto_name, F_OK) != 0)
                break;
        }
        free(cc.output);
        cc.output = strdup(auto_name);
        printf("Generating report in %s\n", auto_name);
    }
    pprof_profile *view;
    if (pprof_profile_copy(&view, p) != 0) {
        puts("out of memory");
    } else {
        fflush(stdout);
        cmd_run_report(c, param, view, &cc, args);
        pprof_profile_free(view);
    }
    config_release(&cc);
}

int cmd_shell(const pprof_profile *p, pprof_config *cfg, const cmd_args *args)
{
    bool tty = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
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
    if (tty) {
        rl_attempted_completion_function = complete;
        hist = history_path();
        if (hist)
            read_history(hist);
    }
    for (;;) {
        char *line = read_command(tty);
        if (!line) {
            if (tty)
                putchar('\n');
            break;
        }
        char *s = line;
        while (isspace((unsigned char)*s))
            s++;
        if (tty && *s)
            add_history(s);
        char *tok[64];
        int ntok = 0;
        char *copy = strdup(s);
        for (char *t = copy ? strtok(copy, " \t") : NULL; t && ntok < 64; t = strtok(NULL, " \t"))
            tok[ntok++] = t;
        bool quit = false;
        if (ntok == 0) {
        } else if (strcmp(tok[0], "q") == 0 || strcmp(tok[0], "quit") == 0 || strcmp(tok[0], "exit") == 0) {
            quit = true;
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
        free(line);
        fflush(stdout);
        if (quit)
            break;
    }
    if (hist && write_history(hist) != 0)
        cmd_warning("could not save the shell history to %s", hist);
    free(hist);
    return 0;
}
