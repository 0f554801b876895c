/* dot_escape.c: writes untrusted text into a double-quoted DOT string so that it can only ever be text: quotes and backslashes escaped, line breaks as Graphviz line breaks, NUL dropped, control and invalid bytes replaced. */
#include "report.h"

#include <string.h>

#define REPLACEMENT "\xef\xbf\xbd" /* U+FFFD */

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 when invalid. */
static size_t utf8_len(const unsigned char *s, size_t n, uint32_t *cp)
{
    unsigned char c = s[0];
    size_t len;
    uint32_t min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if (c >= 0xc2 && c <= 0xdf) {
        len = 2, min = 0x80, *cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3, min = 0x800, *cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4, min = 0x10000, *cp = c & 0x07;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        *cp = *cp << 6 | (s[i] & 0x3f);
    }
    if (*cp < min || *cp > 0x10ffff || (*cp >= 0xd800 && *cp <= 0xdfff))
        return 0;
    return len;
}

/* Characters that change how text reads without being visible: C1
 * controls and the bidirectional overrides, embeddings and isolates. */
static bool hidden(uint32_t cp)
{
    return (cp >= 0x80 && cp <= 0x9f) || cp == 0x200e || cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) ||
           (cp >= 0x2066 && cp <= 0x2069);
}

/* Graphviz refuses strings over 16 KiB: one piece of text is cut after
 * DOT_MAX_TEXT bytes (each may grow to 3 escaped), on a character
 * boundary, and marked. */
#define DOT_MAX_TEXT 4096
#define DOT_CUT_MARK "\xe2\x80\xa6[cut]"

void pprof_dot_escape(pprof_buf *out, const char *text, size_t n)
{
    const unsigned char *s = (const unsigned char *)text;
    bool cut = false;
    if (n > DOT_MAX_TEXT) {
        n = DOT_MAX_TEXT;
        while (n > 0 && (s[n] & 0xc0) == 0x80)
            n--; /* not inside a UTF-8 sequence */
        cut = true;
    }
    size_t i = 0;
    while (i < n) {
        size_t run = i;
        /* Plain printable ASCII goes out in one piece. */
        while (run < n && s[run] >= 0x20 && s[run] < 0x7f && s[run] != '"' && s[run] != '\\')
            run++;
        if (run > i) {
            pprof_buf_append(out, s + i, run - i);
            i = run;
            continue;
        }
        unsigned char c = s[i];
        if (c == '"' || c == '\\') {
            char esc[2] = {'\\', (char)c};
            pprof_buf_append(out, esc, 2);
            i++;
        } else if (c == '\n') {
            pprof_buf_puts(out, "\\l"); /* as pprof: a left-justified line break */
            i++;
        } else if (c == 0) {
            i++; /* Graphviz cannot take a NUL at all */
        } else if (c < 0x20 || c == 0x7f) {
            pprof_buf_puts(out, REPLACEMENT);
            i++;
        } else {
            uint32_t cp;
            size_t len = utf8_len(s + i, n - i, &cp);
            if (len == 0 || hidden(cp)) {
                pprof_buf_puts(out, REPLACEMENT);
                i += len ? len : 1;
            } else {
                pprof_buf_append(out, s + i, len);
                i += len;
            }
        }
    }
    if (cut)
        pprof_buf_puts(out, DOT_CUT_MARK);
}

void pprof_dot_escape_str(pprof_buf *out, const char *s)
{
    pprof_dot_escape(out, s, strlen(s));
}
