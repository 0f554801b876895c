/* errors.c: the program's error and warning lines on stderr, escaped for the terminal. */
#include "cmd.h"

#include <stdarg.h>
#include <stdio.h>

/* Control bytes from profiles or servers must not reach the terminal raw. */
static void put_escaped(FILE *f, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '\n' && p[1] != 0)
            fputs("\\n", f);
        else if (*p < 0x20 || *p == 0x7f)
            fprintf(f, "\\x%02x", *p);
        else
            fputc(*p, f);
    }
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
