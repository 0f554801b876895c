/* test_locale.c: a host program that calls setlocale(LC_ALL, "de_DE.UTF-8") still gets numbers printed and parsed as pprof does ("1.50s", not "1,50s"). */
#include "formats.h"
#include "unit.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
    /* Debian's locales-all ships de_DE; the test is meaningless without a
     * locale whose decimal separator is a comma, so that is a failure. */
    const char *names[] = {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8"};
    const char *set = NULL;
    for (size_t i = 0; i < sizeof names / sizeof names[0] && !set; i++)
        set = setlocale(LC_ALL, names[i]);
    CHECK(set != NULL);
    char probe[16];
    snprintf(probe, sizeof probe, "%.2f", 1.5);
    CHECK_STR(probe, "1,50"); /* the host's printf does use the comma */

    char buf[64];
    pprof_format_scaled(buf, sizeof buf, 1500000000, "nanoseconds", "auto");
    CHECK_STR(buf, "1.50s");
    pprof_format_percent(buf, sizeof buf, 15, 1000);
    CHECK_STR(buf, " 1.50%");
    pprof_buf b = {0};
    pprof_buf_printf(&b, "%.4f", 0.25);
    CHECK_STR(b.data ? (const char *)b.data : "", "0.2500");
    pprof_buf_release(&b);
    pprof_error err = {0};
    pprof_error_set(&err, PPROF_EINVAL, "%.1f", 2.5);
    CHECK_STR(err.msg, "2.5");
    /* Parsing: a window offset and a tag range with decimals. */
    pprof_time_window w;
    CHECK_INT(pprof_window_parse(&w, "-1.5m..", 0, &err), 0);
    CHECK(w.start.kind == PPROF_BOUND_RELATIVE && w.start.ns == -90000000000LL);
    snprintf(probe, sizeof probe, "%.2f", 1.5);
    CHECK_STR(probe, "1,50"); /* the host's locale is left as it was */
    return unit_report("locale");
}
