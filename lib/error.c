/* error.c: error codes, their descriptions and the detailed error message. */
#include "pprof.h"

#include <stdarg.h>
#include <stdio.h>

static const struct {
    int code;
    const char *text;
} error_texts[] = {
    {PPROF_OK, "success"},
    {PPROF_EINVAL, "invalid argument"},
    {PPROF_ENOMEM, "out of memory"},
    {PPROF_EIO, "input/output error"},
    {PPROF_EFORMAT, "malformed profile"},
    {PPROF_ELIMIT, "size limit exceeded"},
    {PPROF_EEMPTY, "empty input"},
    {PPROF_ENOTFOUND, "not found"},
    {PPROF_EUNRECOGNIZED, "unrecognized profile format"},
    {PPROF_EGZIP, "corrupt gzip data"},
    {PPROF_EWIRE, "malformed protobuf data"},
    {PPROF_ESEMANTIC, "malformed profile"},
    {PPROF_ECONCAT, "concatenated profiles"},
    {PPROF_EREGEXP, "bad regular expression"},
};

const char *pprof_strerror(int code)
{
    for (size_t i = 0; i < sizeof error_texts / sizeof error_texts[0]; i++)
        if (error_texts[i].code == code)
            return error_texts[i].text;
    return "unknown error";
}

int pprof_error_set(pprof_error *err, int code, const char *fmt, ...)
{
    if (err) {
        err->code = code;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}
