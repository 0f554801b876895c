/* buf.c: the growable byte buffer used for encoding and report output. */
#include "internal.h"

#include <stdarg.h>
#include <stdio.h>

void pprof_buf_release(pprof_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
    b->failed = false;
}

int pprof_buf_flush(pprof_buf *b)
{
    if (!b->sink || b->len == 0 || b->failed)
        return b->failed ? PPROF_EIO : 0;
    int e = b->sink(b->sink_ctx, b->data, b->len);
    if (e) {
        b->failed = true;
        b->sink_error = e;
        return PPROF_EIO;
    }
    b->len = 0;
    return 0;
}

int pprof_buf_reserve(pprof_buf *b, size_t extra)
{
    if (b->failed)
        return PPROF_ENOMEM;
    if (b->sink && b->len + extra > b->flush_at && b->len > 0 && pprof_buf_flush(b))
        return PPROF_EIO;
    if (extra > SIZE_MAX - b->len - 1) {
        b->failed = true;
        return PPROF_ENOMEM;
    }
    size_t need = b->len + extra + 1; /* room for a terminating NUL */
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    uint8_t *d = realloc(b->data, cap);
    if (!d) {
        b->failed = true;
        return PPROF_ENOMEM;
    }
    b->data = d;
    b->cap = cap;
    return 0;
}

int pprof_buf_append(pprof_buf *b, const void *data, size_t n)
{
    if (pprof_buf_reserve(b, n))
        return PPROF_ENOMEM;
    if (n)
        memcpy(b->data + b->len, data, n);
    b->len += n;
    b->data[b->len] = 0;
    return 0;
}

int pprof_buf_puts(pprof_buf *b, const char *s)
{
    return pprof_buf_append(b, s, strlen(s));
}

int pprof_buf_printf(pprof_buf *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    void *loc = pprof_c_locale_enter();
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    int rc = 0;
    if (n < 0) {
        rc = PPROF_EINVAL;
    } else if ((size_t)n < sizeof small) {
        rc = pprof_buf_append(b, small, (size_t)n);
    } else if (pprof_buf_reserve(b, (size_t)n)) {
        rc = PPROF_ENOMEM;
    } else {
        va_start(ap, fmt);
        vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
        va_end(ap);
        b->len += (size_t)n;
    }
    pprof_c_locale_leave(loc);
    return rc;
}
