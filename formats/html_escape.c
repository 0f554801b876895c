/* html_escape.c: untrusted text written as HTML text or a quoted attribute value for the report pages (-weblist): & < > " ' as entities, control characters but tab as U+FFFD. */
#include "report.h"

void pprof_html_escape(pprof_buf *out, const char *s, size_t n)
{
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *rep = NULL;
        switch (c) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&#34;"; break;
        case '\'': rep = "&#39;"; break;
        default:
            if ((c < 0x20 && c != '\t') || c == 0x7f)
                rep = "\xef\xbf\xbd";
        }
        if (!rep)
            continue;
        pprof_buf_append(out, s + run, i - run);
        pprof_buf_puts(out, rep);
        run = i + 1;
    }
    pprof_buf_append(out, s + run, n - run);
}
