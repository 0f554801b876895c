/* dot_names.c: node names as call graphs show them: pprof's ShortenFunctionName (Go package paths and module versions, Java packages and arguments, C++ namespaces) and the multi-line DOT label. */
#include "report.h"

#include <stdlib.h>
#include <string.h>

static bool is_word(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_lower(unsigned char c)
{
    return c >= 'a' && c <= 'z';
}

static bool is_upper(unsigned char c)
{
    return c >= 'A' && c <= 'Z';
}

static bool is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

/* A matched part of the name: s[start..end). */
typedef struct span {
    size_t start, end;
} span;

/* `^(.*?)/v(?:[2-9]|[1-9][0-9]+)([./].*)$` replaced by its two groups: the
 * first module version suffix ("/v2" before "." or "/") goes. In place. */
static size_t strip_module_version(char *s, size_t n)
{
    if (memchr(s, '\n', n))
        return n; /* "." and "$" do not cross a line break */
    for (size_t i = 0; i + 2 < n; i++) {
        if (s[i] != '/' || s[i + 1] != 'v')
            continue;
        size_t j = i + 2, d = j;
        while (d < n && is_digit((unsigned char)s[d]))
            d++;
        if (d == j || s[j] == '0' || (d - j == 1 && s[j] == '1'))
            continue;
        if (d >= n || (s[d] != '.' && s[d] != '/'))
            continue;
        memmove(s + i, s + d, n - d);
        return n - (d - i);
    }
    return n;
}

/* Go: `^(?:[\w\-\.]+\/)+([^.]+\..+)` (current upstream), the name after the
 * last package path segment for which a "pkg.Name" remains. */
static bool match_go(const char *s, size_t n, span *out)
{
    /* Ends of the leading path segments, each a run of [\w.-] then "/". */
    size_t last_ok = 0;
    bool any = false;
    size_t seg_start = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '/') {
            if (i == seg_start)
                break; /* empty segment */
            size_t r = i + 1;
            /* The rest must be [^.]+ "." and at least one more character. */
            const char *dot = memchr(s + r, '.', n - r);
            if (dot && (size_t)(dot - s) > r && (size_t)(dot - s) + 1 < n && dot[1] != '\n') {
                last_ok = r;
                any = true;
            }
            seg_start = i + 1;
        } else if (!is_word(c) && c != '-' && c != '.') {
            break;
        }
    }
    if (!any)
        return false;
    const char *dot = memchr(s + last_ok, '.', n - last_ok);
    const char *nl = memchr(dot + 1, '\n', n - (size_t)(dot + 1 - s));
    out->start = last_ok;
    out->end = nl ? (size_t)(nl - s) : n;
    return true;
}

/* Java: `^(?:[a-z]\w*\.)*([A-Z][\w\$]*\.(?:<init>|[a-z][\w\$]*(?:\$\d+)?))(?:(?:\()|$)`,
 * Class.method without the package and the arguments. */
static bool match_java(const char *s, size_t n, span *out)
{
    size_t pos = 0;
    /* Package segments start lower case; the class is the first upper case one. */
    while (pos < n && is_lower((unsigned char)s[pos])) {
        size_t j = pos + 1;
        while (j < n && is_word((unsigned char)s[j]))
            j++;
        if (j >= n || s[j] != '.')
            return false;
        pos = j + 1;
    }
    if (pos >= n || !is_upper((unsigned char)s[pos]))
        return false;
    size_t j = pos + 1;
    while (j < n && (is_word((unsigned char)s[j]) || s[j] == '$'))
        j++;
    if (j >= n || s[j] != '.')
        return false;
    size_t m = j + 1;
    if (n - m >= 6 && memcmp(s + m, "<init>", 6) == 0) {
        m += 6;
    } else if (m < n && is_lower((unsigned char)s[m])) {
        m++;
        while (m < n && (is_word((unsigned char)s[m]) || s[m] == '$'))
            m++;
    } else {
        return false;
    }
    if (m < n && s[m] != '(')
        return false;
    out->start = pos;
    out->end = m;
    return true;
}

/* C++: `^(?:[_a-zA-Z]\w*::)+(_*[A-Z]\w*::~?[_a-zA-Z]\w*(?:<.*>)?)`, the last
 * Class::method (with template arguments) after at least one namespace. */
static bool match_cpp(const char *s, size_t n, span *out)
{
    /* Starts of the "ident::" segments: seg[0] = 0, seg[k] after the k-th "::". */
    size_t cap = 0, k = 0;
    size_t *seg = NULL;
    if (PPROF_GROW(seg, cap, 16))
        return false;
    size_t pos = 0;
    for (;;) {
        if (pos >= n || !(is_word((unsigned char)s[pos]) && !is_digit((unsigned char)s[pos])))
            break;
        size_t j = pos + 1;
        while (j < n && is_word((unsigned char)s[j]))
            j++;
        if (j + 1 >= n || s[j] != ':' || s[j + 1] != ':')
            break;
        if (PPROF_GROW(seg, cap, k + 1)) {
            free(seg);
            return false;
        }
        seg[k++] = pos; /* segment k-1 starts here and ends in "::" */
        pos = j + 2;
    }
    /* seg[0..k) are the segments followed by "::"; the class is one of
     * seg[1..k), the method starts after it. Most namespaces first. */
    bool found = false;
    for (size_t c = k; c-- > 1 && !found;) {
        size_t p = seg[c];
        while (p < n && s[p] == '_')
            p++;
        if (p >= n || !is_upper((unsigned char)s[p]))
            continue;
        size_t m = c + 1 < k ? seg[c + 1] : pos;
        if (m < n && s[m] == '~')
            m++;
        if (m >= n || !(is_word((unsigned char)s[m]) && !is_digit((unsigned char)s[m])))
            continue;
        m++;
        while (m < n && is_word((unsigned char)s[m]))
            m++;
        if (m < n && s[m] == '<') {
            const char *nl = memchr(s + m, '\n', n - m);
            size_t lim = nl ? (size_t)(nl - s) : n;
            for (size_t r = lim; r-- > m + 1;) {
                if (s[r] == '>') {
                    m = r + 1;
                    break;
                }
            }
        }
        out->start = seg[c];
        out->end = m;
        found = true;
    }
    free(seg);
    return found;
}

int pprof_shorten_function_name(pprof_buf *out, const char *name)
{
    size_t n = strlen(name);
    static const char anon[] = "(anonymous namespace)::";
    if (n >= sizeof anon - 1 && memcmp(name, anon, sizeof anon - 1) == 0) {
        name += sizeof anon - 1;
        n -= sizeof anon - 1;
    }
    char *s = malloc(n + 1);
    if (!s)
        return PPROF_ENOMEM;
    memcpy(s, name, n + 1);
    n = strip_module_version(s, n);
    static bool (*const matchers[])(const char *, size_t, span *) = {match_go, match_java, match_cpp};
    span m = {0, n};
    for (size_t i = 0; i < sizeof matchers / sizeof matchers[0]; i++)
        if (matchers[i](s, n, &m))
            break;
    pprof_buf_append(out, s + m.start, m.end - m.start);
    free(s);
    return out->failed ? PPROF_ENOMEM : 0;
}

/* Replaces every `from` in buf[start..) by `to`. */
static void replace_all(pprof_buf *buf, size_t start, const char *from, const char *to)
{
    size_t fl = strlen(from), tl = strlen(to);
    pprof_buf tmp = {0};
    size_t i = start;
    while (i < buf->len) {
        if (buf->len - i >= fl && memcmp(buf->data + i, from, fl) == 0) {
            pprof_buf_append(&tmp, to, tl);
            i += fl;
        } else {
            pprof_buf_append(&tmp, buf->data + i, 1);
            i++;
        }
    }
    buf->len = start;
    pprof_buf_append(buf, tmp.data, tmp.len);
    if (tmp.failed)
        buf->failed = true;
    pprof_buf_release(&tmp);
}

/* Go's filepath.Base, escaped. */
static void escape_base_name(pprof_buf *out, const char *path)
{
    size_t len;
    const char *base = pprof_path_base(path, &len);
    pprof_dot_escape(out, base, len);
}

int pprof_dot_node_name(pprof_buf *out, const pprof_graph *g, const pprof_node_info *info)
{
    bool first = true;
#define SEP() (first ? (void)(first = false) : (void)pprof_buf_puts(out, "\\n"))
    if (info->address) {
        SEP();
        pprof_buf_printf(out, "%016llx", (unsigned long long)info->address);
    }
    const char *name = pprof_graph_string(g, info->name);
    if (*name) {
        SEP();
        /* Built apart: out may be handed to its sink at any append. */
        pprof_buf shortened = {0}, label = {0};
        pprof_shorten_function_name(&shortened, name);
        pprof_dot_escape(&label, (const char *)shortened.data, shortened.len);
        replace_all(&label, 0, "::", "\\n");
        replace_all(&label, 0, "[...]", "[\xe2\x80\xa6]");
        replace_all(&label, 0, ".", "\\n");
        pprof_buf_append(out, label.data, label.len);
        if (shortened.failed || label.failed)
            out->failed = true;
        pprof_buf_release(&shortened);
        pprof_buf_release(&label);
    }
    const char *file = pprof_graph_string(g, info->file);
    if (info->line) {
        SEP();
        if (*file)
            escape_base_name(out, file);
        pprof_buf_printf(out, ":%lld", (long long)info->line);
        if (info->column)
            pprof_buf_printf(out, ":%lld", (long long)info->column);
    } else if (*file) {
        SEP();
        escape_base_name(out, file);
    } else if (*name) {
        /* the name says it all */
    } else if (info->objfile) {
        SEP();
        pprof_buf_puts(out, "[");
        escape_base_name(out, pprof_graph_string(g, info->objfile));
        pprof_buf_puts(out, "]");
    } else {
        SEP();
        pprof_buf_puts(out, "<unknown>");
    }
#undef SEP
    pprof_buf_puts(out, "\\n");
    return out->failed ? PPROF_ENOMEM : 0;
}
