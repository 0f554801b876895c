/* webui_escape.c: strings escaped for where they go in a page: HTML text and attributes, JavaScript string literals inside <script>, URL query values. */
#include "webui.h"

#include <string.h>

void webui_html_n(pprof_buf *b, const char *s, size_t n)
{
    pprof_escape_html(b, s, n);
}

void webui_html(pprof_buf *b, const char *s)
{
    webui_html_n(b, s ? s : "", s ? strlen(s) : 0);
}

/* Everything that could end the string, the script or start an HTML
 * comment is written as \uXXXX; so are control characters and the two
 * line separators JavaScript treats as newlines. */
void webui_js(pprof_buf *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    pprof_buf_puts(b, "\"");
    const unsigned char *u = (const unsigned char *)(s ? s : "");
    for (; *u; u++) {
        unsigned c = *u;
        if (c == 0xe2 && u[1] == 0x80 && (u[2] == 0xa8 || u[2] == 0xa9)) {
            pprof_buf_puts(b, u[2] == 0xa8 ? "\\u2028" : "\\u2029");
            u += 2;
        } else if (c == '"' || c == '\\') {
            char e[2] = {'\\', (char)c};
            pprof_buf_append(b, e, 2);
        } else if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == '\'' || c == 0x7f) {
            char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            pprof_buf_append(b, e, 6);
        } else {
            pprof_buf_append(b, (const char *)u, 1);
        }
    }
    pprof_buf_puts(b, "\"");
}

/* Everything but the unreserved characters (RFC 3986) is %-escaped, so the
 * value survives any place in a query string; runs of unreserved ones are
 * copied at once (the label panel writes a link per value). */
void webui_url_value_n(pprof_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char u = (unsigned char)s[i];
        if ((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || u == '-' || u == '_' ||
            u == '.' || u == '~')
            continue;
        char e[3] = {'%', hex[u >> 4], hex[u & 15]};
        pprof_buf_append(b, s + run, i - run);
        pprof_buf_append(b, e, 3);
        run = i + 1;
    }
    pprof_buf_append(b, s + run, n - run);
}

void webui_url_value(pprof_buf *b, const char *s)
{
    webui_url_value_n(b, s, strlen(s));
}
