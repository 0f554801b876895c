/* test_escape.c: unit tests of pprof_escape_text (text for a terminal or a text report) and pprof_escape_html (text for a page). */
#include "pprof.h"
#include "unit.h"

#include <stdlib.h>
#include <string.h>

static char *esc(const char *s, size_t n)
{
    static char out[512];
    pprof_buf b = {0};
    pprof_escape_text(&b, s, n);
    snprintf(out, sizeof out, "%.*s", (int)b.len, b.data ? (const char *)b.data : "");
    pprof_buf_release(&b);
    return out;
}

#define E(lit) esc(lit, sizeof(lit) - 1)

static char *esc_html(const char *s, size_t n)
{
    static char out[512];
    pprof_buf b = {0};
    int rc = pprof_escape_html(&b, s, n);
    snprintf(out, sizeof out, "%s%.*s", rc ? "(error)" : "", (int)b.len, b.data ? (const char *)b.data : "");
    pprof_buf_release(&b);
    return out;
}

#define H(lit) esc_html(lit, sizeof(lit) - 1)

/* pprof_escape_html, byte by byte as it is specified: & < > " ' as
 * entities, the controls other than tab, newline and carriage return (and
 * DEL) as U+FFFD, every other byte as it is. */
static void html_reference(pprof_buf *b, const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned c = s[i];
        const char *rep = c == '&' ? "&amp;" : c == '<' ? "&lt;" : c == '>' ? "&gt;" : c == '"' ? "&#34;"
                          : c == '\'' ? "&#39;" : NULL;
        if (!rep && ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f))
            rep = "\xef\xbf\xbd";
        if (rep)
            pprof_buf_puts(b, rep);
        else
            pprof_buf_append(b, s + i, 1);
    }
}

/* The escaping looks at 8 bytes at a time: every byte value, at every
 * place in a word and every length, in long plain runs and dense ones,
 * must come out as the reference makes it. */
static void test_html_words(void)
{
    uint64_t seed = 0x9e3779b97f4a7c15ULL;
    unsigned char s[300];
    size_t bad = 0, runs = 0;
    for (int r = 0; r < 60000; r++) {
        size_t n = (size_t)(unit_rng(&seed) % 80);
        if (r % 7 == 0)
            n = 200 + (size_t)(unit_rng(&seed) % 100);
        unsigned dense = (unsigned)(unit_rng(&seed) % 4); /* one special byte in 2, 8, 32, 128 */
        for (size_t i = 0; i < n; i++) {
            uint64_t x = unit_rng(&seed);
            s[i] = (x >> 8) % (2u << (2 * dense)) == 0 ? (unsigned char)(x % 256) : (unsigned char)('a' + x % 26);
        }
        size_t off = (size_t)(unit_rng(&seed) % 8), len = n > off ? n - off : 0;
        pprof_buf got = {0}, want = {0};
        CHECK_INT(pprof_escape_html(&got, (const char *)s + off, len), 0);
        html_reference(&want, s + off, len);
        bool same = got.len == want.len && (got.len == 0 || memcmp(got.data, want.data, got.len) == 0);
        bad += !same;
        runs++;
        pprof_buf_release(&got);
        pprof_buf_release(&want);
    }
    /* Each byte value alone at each place of a word. */
    for (unsigned c = 0; c < 256; c++) {
        for (size_t at = 0; at < 17; at++) {
            memset(s, 'x', 24);
            s[at] = (unsigned char)c;
            pprof_buf got = {0}, want = {0};
            pprof_escape_html(&got, (const char *)s, 24);
            html_reference(&want, s, 24);
            bad += !(got.len == want.len && memcmp(got.data, want.data, got.len) == 0);
            runs++;
            pprof_buf_release(&got);
            pprof_buf_release(&want);
        }
    }
    CHECK_INT(bad, 0);
    CHECK(runs > 60000);
}

int main(void)
{
    test_html_words();
    /* Ordinary text and UTF-8 stay byte for byte. */
    CHECK_STR(E("main.(*T).run"), "main.(*T).run");
    CHECK_STR(E("caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x94\xa5 a\\b"), "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x94\xa5 a\\b");
    CHECK(pprof_text_is_safe("caf\xc3\xa9", 5));
    /* C0, DEL, NUL keep their place as \xNN. */
    CHECK_STR(E("a\x1b]0;t\x07" "b"), "a\\x1b]0;t\\x07b");
    CHECK_STR(E("x\r\b\t\n\x7f"), "x\\x0d\\x08\\x09\\x0a\\x7f");
    CHECK_STR(E("foo\0a"), "foo\\x00a");
    CHECK(strcmp(E("foo\0a"), "foo\\x00a") == 0 && strcmp(esc("foo\0b", 5), "foo\\x00b") == 0);
    /* C1 controls and bidi characters as \uNNNN. */
    CHECK_STR(E("\xc2\x80\xc2\x9b\xc2\x9f\xc2\xa0"), "\\u0080\\u009b\\u009f\xc2\xa0");
    CHECK_STR(E("\xe2\x80\xaa\xe2\x80\xae\xe2\x81\xa6\xe2\x81\xa9\xe2\x80\x8e\xe2\x80\x8f\xd8\x9c"),
              "\\u202a\\u202e\\u2066\\u2069\\u200e\\u200f\\u061c");
    CHECK_STR(E("\xe2\x80\xad" "x\xe2\x80\xaf"), "\\u202dx\xe2\x80\xaf"); /* U+202F is a space */
    /* Invalid UTF-8: stray, overlong, surrogate, truncated, past U+10FFFF. */
    CHECK_STR(E("\xff\xfe"), "\\xff\\xfe");
    CHECK_STR(E("\xc0\xaf"), "\\xc0\\xaf");
    CHECK_STR(E("\xed\xa0\x80"), "\\xed\\xa0\\x80");
    CHECK_STR(E("ab\xe2\x80"), "ab\\xe2\\x80");
    CHECK_STR(E("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80");
    CHECK(!pprof_text_is_safe("\xe2\x80\xae", 3));
    CHECK(!pprof_text_is_safe("a\0", 2));
    CHECK_STR(E(""), "");
    /* HTML: markup characters as entities, controls (NUL too) as U+FFFD,
     * tab and line ends and UTF-8 kept. */
    CHECK_STR(H("<a href=\"x\">'&'</a>"), "&lt;a href=&#34;x&#34;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    CHECK_STR(H("a\tb\r\nc"), "a\tb\r\nc");
    CHECK_STR(H("x\x1b[2Jy\x7f"), "x\xef\xbf\xbd[2Jy\xef\xbf\xbd");
    CHECK_STR(H("foo\0bar"), "foo\xef\xbf\xbd" "bar");
    CHECK_STR(H("caf\xc3\xa9 \xe2\x80\xae"), "caf\xc3\xa9 \xe2\x80\xae");
    CHECK_STR(H(""), "");
    /* Every byte value between plain runs, against the rule above: the
     * markup five as entities, controls but tab, CR, LF as U+FFFD. */
    for (int c = 0; c < 256; c++) {
        char in[] = "plain text before x plain text after";
        in[18] = (char)c;
        const char *rep = c == '&' ? "&amp;" : c == '<' ? "&lt;" : c == '>' ? "&gt;" : c == '"' ? "&#34;"
                          : c == '\'' ? "&#39;" : NULL;
        if (!rep && ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f))
            rep = "\xef\xbf\xbd";
        char want[128], one[2] = {(char)c, 0};
        snprintf(want, sizeof want, "plain text before %s plain text after", rep ? rep : one);
        CHECK_STR(esc_html(in, sizeof in - 1), want);
    }
    /* Text: a control at either end of a long plain run, and alone. */
    CHECK_STR(E("\x01" "abcdefghijklmnopqrstuvwxyz0123456789" "\x02"),
              "\\x01abcdefghijklmnopqrstuvwxyz0123456789\\x02");
    CHECK_STR(E("\x7f"), "\\x7f");
    CHECK_STR(E("~ \x1f"), "~ \\x1f");
    return unit_report("escape");
}
