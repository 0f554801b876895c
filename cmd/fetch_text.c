/* fetch_text.c: text of fetch messages: Go-style durations and safe one-line excerpts of what a server sent. */
#include "fetch.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

void fetch_format_duration(char *buf, size_t n, int s)
{
    if (s >= 3600)
        snprintf(buf, n, "%dh%dm%ds", s / 3600, s / 60 % 60, s % 60);
    else if (s >= 60)
        snprintf(buf, n, "%dm%ds", s / 60, s % 60);
    else
        snprintf(buf, n, "%ds", s);
}

/* Length of the valid UTF-8 sequence at s (of at most len bytes) whose code
 * point may be printed; 0 when it is invalid or a code point that moves or
 * hides text: C1 controls (0x9b is an 8-bit CSI), bidi overrides and
 * isolates, line and paragraph separators. */
static size_t printable_utf8(const uint8_t *s, size_t len)
{
    static const struct {
        uint8_t lead_mask, lead, len;
        uint32_t min;
    } forms[] = {{0xe0, 0xc0, 2, 0x80}, {0xf0, 0xe0, 3, 0x800}, {0xf8, 0xf0, 4, 0x10000}};
    for (size_t f = 0; f < sizeof forms / sizeof forms[0]; f++) {
        if ((s[0] & forms[f].lead_mask) != forms[f].lead)
            continue;
        size_t k = forms[f].len;
        if (len < k)
            return 0;
        uint32_t cp = s[0] & (0x7f >> k);
        for (size_t i = 1; i < k; i++) {
            if ((s[i] & 0xc0) != 0x80)
                return 0;
            cp = cp << 6 | (s[i] & 0x3f);
        }
        bool bad = cp < forms[f].min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ||
                   (cp >= 0x80 && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e) ||
                   (cp >= 0x2066 && cp <= 0x2069) || cp == 0x2028 || cp == 0x2029;
        return bad ? 0 : k;
    }
    return 0;
}

/* After the tag s[start..end): where the text resumes. The contents of
 * <style> and <script> are not text either. */
static size_t skip_element(const uint8_t *s, size_t len, size_t start, size_t end)
{
    static const char *const hidden[] = {"style", "script"};
    for (size_t h = 0; h < sizeof hidden / sizeof hidden[0]; h++) {
        size_t k = strlen(hidden[h]);
        if (end - start < k + 2 || strncasecmp((const char *)s + start + 1, hidden[h], k) != 0 ||
            !strchr(" \t\r\n>", s[start + 1 + k]))
            continue;
        for (size_t i = end; i + k + 2 <= len; i++)
            if (s[i] == '<' && s[i + 1] == '/' && strncasecmp((const char *)s + i + 2, hidden[h], k) == 0) {
                const uint8_t *close = memchr(s + i, '>', len - i);
                return close ? (size_t)(close - s) + 1 : len;
            }
        return len;
    }
    return end;
}

void fetch_excerpt(char *out, size_t n, const uint8_t *s, size_t len)
{
    size_t o = 0;
    bool blank = false, truncated = false;
    if (n < 8) {
        if (n)
            out[0] = 0;
        return;
    }
    size_t room = n - 4; /* for "..." and the NUL */
    for (size_t i = 0; i < len;) {
        if (s[i] == '<') { /* markup says nothing to a terminal reader */
            const uint8_t *close = memchr(s + i, '>', len - i);
            if (!close)
                break;
            i = skip_element(s, len, i, (size_t)(close - s) + 1);
            blank = o > 0;
            continue;
        }
        if (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r')) {
            blank = o > 0;
            i++;
            continue;
        }
        char piece[32];
        size_t plen, used;
        if (s[i] > 0x20 && s[i] < 0x7f) {
            piece[0] = (char)s[i];
            plen = used = 1;
        } else if (s[i] >= 0x80 && (used = printable_utf8(s + i, len - i)) > 0) {
            memcpy(piece, s + i, used);
            plen = used;
        } else {
            snprintf(piece, sizeof piece, "\\x%02x", s[i]);
            plen = 4;
            used = 1;
        }
        if (o + blank + plen > room) {
            truncated = true;
            break;
        }
        if (blank)
            out[o++] = ' ';
        blank = false;
        memcpy(out + o, piece, plen);
        o += plen;
        i += used;
    }
    if (truncated) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o] = 0;
}
