/* errors.c: the program's error and warning lines on stderr, escaped for the terminal. */
#include "cmd.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Control bytes, C1 and bidi characters from profiles or servers must not
 * reach the terminal raw: the library's one escaping (pprof_escape_text). */
static void put_escaped(FILE *f, const char *s)
{
    size_t n = strlen(s);
    if (n && s[n - 1] == '\n')
        n--; /* the line's own end */
    pprof_buf b = {0};
    if (pprof_escape_text(&b, s, n) == 0 && b.len)
        fwrite(b.data, 1, b.len, f);
    pprof_buf_release(&b);
}

static void emit(const char *prefix, const char *fmt, va_list ap)
{
    char msg[2048];
    vsnprintf(msg, sizeof msg, fmt, ap);
    fputs(prefix, stderr);
    put_escaped(stderr, msg);
    fputc('\n', stderr);
}

void cmd_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    emit("pprof: ", fmt, ap);
    va_end(ap);
}

void cmd_warning(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    emit("pprof: warning: ", fmt, ap);
    va_end(ap);
}

void cmd_note(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    emit("", fmt, ap);
    va_end(ap);
}
