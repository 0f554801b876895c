/* fuzz_shell.c: libFuzzer harness for the shell's line parser (cmd/shell.c): each input line is a shell line (commands with node counts, regexps, "> file", -cum; option assignments with "//:" comments; help, ":", sample types), parsed as the shell does but with report commands not run; and the last line's last word is completed as readline would ask, against a profile with hostile names, checking every candidate offered is safe for the terminal. At most 32 lines per input: completion depends on its line alone, and a long session costs each input more than it finds. */
#include "../../cmd/shell.c"

#include "formats.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static pprof_profile *profile;

/* Function names with ESC, OSC, BEL, C1 CSI, CR/BS and a bidi override. */
static const char *const hostile[] = {
    "main", "\x1b]0;title\x07" "fn", "\xe2\x80\xae" "evil", "\xc2\x9b" "2J", "\r\bover", "plain_name",
};

static pprof_str intern(pprof_profile *p, const char *s)
{
    pprof_str id = 0;
    if (pprof_profile_intern(&id, p, s, strlen(s)))
        __builtin_trap();
    return id;
}

static void setup(void)
{
    char why[512];
    if (dynlib_load(DYNLIB_READLINE, why, sizeof why) != 0)
        __builtin_trap(); /* completion asks readline */
    profile = pprof_profile_new();
    if (!profile || pprof_profile_add_sample_type(profile, (pprof_value_type){intern(profile, "samples"),
                                                                             intern(profile, "count")}))
        __builtin_trap();
    for (size_t i = 0; i < sizeof hostile / sizeof hostile[0]; i++) {
        pprof_function f = {.id = i + 1, .name = intern(profile, hostile[i]), .filename = intern(profile, "x.c")};
        uint32_t fi, li;
        if (pprof_profile_add_function(&fi, profile, &f))
            __builtin_trap();
        pprof_line ln = {fi, (int64_t)i, 0};
        pprof_location loc = {.id = i + 1, .address = 0x1000 + i, .mapping = PPROF_NONE};
        if (pprof_profile_add_location(&li, profile, &loc, &ln, 1))
            __builtin_trap();
        uint32_t locs[2] = {li, 0};
        int64_t v = (int64_t)i + 1;
        if (pprof_profile_add_sample(profile, locs, i ? 2 : 1, &v, NULL, 0))
            __builtin_trap();
    }
    shell_profile = profile;
    shell_dry_run = true; /* what the lines print goes to stdout (libFuzzer: -close_fd_mask=1) */
}

/* Completes the last word of line as readline would, checking each candidate. */
static void complete_line(char *line)
{
    size_t len = strlen(line);
    size_t start = len;
    while (start > 0 && !strchr(" \t\n=", line[start - 1]))
        start--;
    rl_line_buffer = line;
    char **m = complete(line + start, (int)start, (int)len);
    for (size_t i = 0; m && m[i]; i++) {
        if (i > 0 && !pprof_text_is_safe(m[i], strlen(m[i])))
            __builtin_trap(); /* a candidate readline would print raw */
        free(m[i]);
    }
    free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!profile)
        setup();
    if (size > 4096)
        return 0;
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = 0;
    pprof_config cfg;
    config_init(&cfg);
    cmd_args args;
    memset(&args, 0, sizeof args);
    enum { MAX_LINES = 32 };
    char *line = text, *next;
    for (int n = 0; line && n < MAX_LINES; n++) {
        next = strchr(line, '\n');
        if (next)
            *next++ = 0;
        char *s = line;
        while (isspace((unsigned char)*s))
            s++;
        shell_line(s, profile, &cfg, &args);
        if (!next || n == MAX_LINES - 1)
            complete_line(line);
        if (!next)
            break;
        line = next;
    }
    config_release(&cfg);
    free(text);
    return 0;
}
