/* c_locale.c: the C locale for the calling thread while the library prints or parses a number, whatever setlocale() the host program called. */
#include "internal.h"

#include <locale.h>
#include <pthread.h>

/* One immutable locale object for the process, made on first use: it holds
 * no state that changes, so sharing it between threads is safe. */
static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;

static void make_c_locale(void)
{
    c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

void *pprof_c_locale_enter(void)
{
    pthread_once(&c_locale_once, make_c_locale);
    if (!c_locale)
        return NULL;
    return (void *)uselocale(c_locale);
}

void pprof_c_locale_leave(void *old)
{
    if (old)
        uselocale((locale_t)old);
}

double pprof_strtod(const char *s, char **end)
{
    void *old = pprof_c_locale_enter();
    double v = strtod(s, end);
    pprof_c_locale_leave(old);
    return v;
}
