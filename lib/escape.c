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

/* Whether none of the 8 bytes of x is one pprof_escape_html replaces. It
 * may answer no for a word without one (a tab, newline or carriage return
 * counts, as may a byte above a control byte): the byte loop decides. */
static bool html_plain8(uint64_t x)
{
    const uint64_t ones = UINT64_C(0x0101010101010101), high = UINT64_C(0x8080808080808080);
#define ZERO_BYTE(v) (((v) - ones) & ~(v) & high)
    uint64_t hit = ((x - 0x20 * ones) & ~x & high) /* a byte below 0x20 */
                   | ZERO_BYTE(x ^ ('&' * ones)) | ZERO_BYTE(x ^ ('<' * ones)) | ZERO_BYTE(x ^ ('>' * ones)) |
                   ZERO_BYTE(x ^ ('"' * ones)) | ZERO_BYTE(x ^ ('\'' * ones)) | ZERO_BYTE(x ^ (0x7f * ones));
#undef ZERO_BYTE
    return hit == 0;
}

int pprof_escape_html(pprof_buf *out, const char *s, size_t n)
{
    size_t run = 0, i = 0;
    while (i < n) {
        /* A page's text is mostly plain (a peek of a big profile is
         * megabytes): 8 bytes at a time to a word that may hold a special
         * byte, then byte by byte through that word. */
        uint64_t x;
        while (i + 8 <= n && (memcpy(&x, s + i, 8), html_plain8(x)))
            i += 8;
        size_t end = i + 8 < n ? i + 8 : n;
        while (i < end && !html_special[(unsigned char)s[i]])
            i++;
        if (i == end)
            continue;
        unsigned char c = (unsigned char)s[i];
        const char *rep;
        switch (c) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&#34;"; break;
        case '\'': rep = "&#39;"; break;
        default: rep = "\xef\xbf\xbd"; /* NUL and controls are not text in HTML */
        }
        pprof_buf_append(out, s + run, i - run);
        pprof_buf_puts(out, rep);
        run = ++i;
    }
    pprof_buf_append(out, s + run, n - run);
    return out->failed ? PPROF_ENOMEM : 0;
}
