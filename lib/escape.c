/* escape.c: the one escaping of profile and server text for a terminal or a text report. */
#include "internal.h"

#include <string.h>

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 when invalid
 * (overlong forms, surrogates and values past U+10FFFF are invalid). */
static size_t utf8_len(const unsigned char *s, size_t n, uint32_t *cp)
{
    unsigned char c = s[0];
    size_t len;
    uint32_t v, min;
    if (c >= 0xc2 && c <= 0xdf)
        len = 2, v = c & 0x1f, min = 0x80;
    else if (c >= 0xe0 && c <= 0xef)
        len = 3, v = c & 0x0f, min = 0x800;
    else if (c >= 0xf0 && c <= 0xf4)
        len = 4, v = c & 0x07, min = 0x10000;
    else
        return 0;
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        v = v << 6 | (s[i] & 0x3f);
    }
    if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
        return 0;
    *cp = v;
    return len;
}

/* Characters that move the cursor, talk to the terminal or reorder text:
 * C1 controls and the bidirectional marks, overrides and isolates. */
static bool hostile_cp(uint32_t cp)
{
    return (cp >= 0x80 && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) ||
           cp == 0x200e || cp == 0x200f || cp == 0x061c;
}

bool pprof_text_is_safe(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        if (p[i] < 0x20 || p[i] == 0x7f)
            return false;
        if (p[i] < 0x80) {
            i++;
            continue;
        }
        uint32_t cp;
        size_t l = utf8_len(p + i, n - i, &cp);
        if (!l || hostile_cp(cp))
            return false;
        i += l;
    }
    return true;
}

int pprof_escape_text(pprof_buf *out, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, run = 0; /* bytes [run, i) are copied as they are */
    while (i < n) {
        /* Printable ASCII, nearly all of a profile's text, in a tight loop. */
        while (i < n && (unsigned char)(p[i] - 0x20) < 0x5f)
            i++;
        if (i == n)
            break;
        size_t l = 1;
        char esc[8];
        size_t el = 0;
        if (p[i] < 0x20 || p[i] == 0x7f) {
            esc[0] = '\\', esc[1] = 'x', esc[2] = hex[p[i] >> 4], esc[3] = hex[p[i] & 15], el = 4;
        } else if (p[i] >= 0x80) {
            uint32_t cp;
            l = utf8_len(p + i, n - i, &cp);
            if (!l) {
                l = 1;
                esc[0] = '\\', esc[1] = 'x', esc[2] = hex[p[i] >> 4], esc[3] = hex[p[i] & 15], el = 4;
            } else if (hostile_cp(cp)) {
                esc[0] = '\\', esc[1] = 'u';
                for (int k = 0; k < 4; k++)
                    esc[2 + k] = hex[(cp >> (12 - 4 * k)) & 15];
                el = 6;
            }
        }
        if (el) {
            if (i > run)
                pprof_buf_append(out, s + run, i - run);
            pprof_buf_append(out, esc, el);
            run = i + l;
        }
        i += l;
    }
    if (n > run)
        pprof_buf_append(out, s + run, n - run);
    return out->failed ? PPROF_ENOMEM : 0;
}

int pprof_escape_cstr(pprof_buf *out, const char *s)
{
    return pprof_escape_text(out, s, strlen(s));
}

/* The bytes pprof_escape_html replaces: & < > " ' and the controls other
 * than tab, newline and carriage return. */
static const bool html_special[256] = {
    [0x00] = 1, [0x01] = 1, [0x02] = 1, [0x03] = 1, [0x04] = 1, [0x05] = 1, [0x06] = 1, [0x07] = 1,
    [0x08] = 1, [0x0b] = 1, [0x0c] = 1, [0x0e] = 1, [0x0f] = 1, [0x10] = 1, [0x11] = 1, [0x12] = 1,
    [0x13] = 1, [0x14] = 1, [0x15] = 1, [0x16] = 1, [0x17] = 1, [0x18] = 1, [0x19] = 1, [0x1a] = 1,
    [0x1b] = 1, [0x1c] = 1, [0x1d] = 1, [0x1e] = 1, [0x1f] = 1, ['&'] = 1, ['<'] = 1, ['>'] = 1,
    ['"'] = 1, ['\''] = 1, [0x7f] = 1,
};

int pprof_escape_html(pprof_buf *out, const char *s, size_t n)
{
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        /* (A page's text is mostly plain: a tight loop to the next special.) */
        while (i < n && !html_special[(unsigned char)s[i]])
            i++;
        if (i == n)
            break;
        unsigned char c = (unsigned char)s[i];
        const char *rep = NULL;
        switch (c) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&#34;"; break;
        case '\'': rep = "&#39;"; break;
        case '\t': case '\n': case '\r': break;
        default:
            if (c < 0x20 || c == 0x7f)
                rep = "\xef\xbf\xbd"; /* NUL and controls are not text in HTML */
        }
        if (!rep)
            continue;
        pprof_buf_append(out, s + run, i - run);
        pprof_buf_puts(out, rep);
        run = i + 1;
    }
    pprof_buf_append(out, s + run, n - run);
    return out->failed ? PPROF_ENOMEM : 0;
}
