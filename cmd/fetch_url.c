/* fetch_url.c: tells URL sources from files and turns one into what is requested and shown (scheme, default path, seconds=, timeout, no credentials). */
#include "fetch.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The schemes we fetch, and what curl is asked for. Anything else written
 * as scheme://... is refused by name; file://... stays a file name, as in
 * go tool pprof. */
static const struct {
    const char *given, *requested;
    bool insecure;
} schemes[] = {
    {"http", "http", false},
    {"https", "https", false},
    {"https+insecure", "https", true},
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* pprof's path when the URL names only a host and port. */
static const char default_path[] = "/debug/pprof/profile";

static bool is_scheme(const char *s, size_t len)
{
    if (len == 0 || !isalpha((unsigned char)s[0]))
        return false;
    for (size_t i = 1; i < len; i++)
        if (!isalnum((unsigned char)s[i]) && !strchr("+-.", s[i]))
            return false;
    return true;
}

/* host:port[/path] without a scheme, as pprof accepts it: the part before
 * the first '/', '?' or '#' (after any user@) is host:digits or [v6]:digits. */
static bool is_host_port(const char *s)
{
    size_t end = strcspn(s, "/?#");
    const char *at = memchr(s, '@', end);
    const char *h = at ? at + 1 : s;
    size_t len = end - (size_t)(h - s);
    const char *colon = NULL;
    if (len > 0 && h[0] == '[') {
        const char *close = memchr(h, ']', len);
        if (!close || close + 1 == h + len || close[1] != ':')
            return false;
        colon = close + 1;
    } else {
        colon = memchr(h, ':', len);
        if (!colon || colon == h || memchr(colon + 1, ':', len - (size_t)(colon + 1 - h)))
            return false;
    }
    size_t digits = len - (size_t)(colon + 1 - h);
    if (digits == 0 || digits > 5)
        return false;
    for (size_t i = 0; i < digits; i++)
        if (!isdigit((unsigned char)colon[1 + i]))
            return false;
    return true;
}

/* ------------------------------------------------------------ query */

/* The query is rewritten as Go's url.Values does (pprof parses and
 * re-encodes it): pairs split on '&', '+' and %XX decoded, pairs with ';'
 * or a bad escape dropped, keys sorted (stable), then escaped again. */
typedef struct qpair {
    char *key, *val;
    size_t order;
} qpair;

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Query keys whose values are secrets by their name (a token, an API key,
 * a signature, a password...): shown as REDACTED, like the credentials of
 * the userinfo. */
static bool secret_key(const char *k, size_t n)
{
    static const char *const words[] = {"token", "auth", "key", "secret", "pass", "pwd", "sig", "cred",
                                        "session", "jwt", "bearer"};
    char low[64];
    if (n >= sizeof low)
        n = sizeof low - 1;
    for (size_t i = 0; i < n; i++)
        low[i] = (char)((k[i] >= 'A' && k[i] <= 'Z') ? k[i] + 32 : k[i]);
    low[n] = 0;
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strstr(low, words[i]))
            return true;
    return false;
}

/* A copy of url (the shown form) with the values of secret-named query
 * keys replaced by REDACTED; NULL when out of memory. */
static char *redact_query(const char *url)
{
    const char *q = strchr(url, '?');
    size_t ulen = strlen(url);
    /* Each pair grows by at most 8 bytes ("REDACTED" for an empty value). */
    char *out = malloc(ulen + 8 * (ulen + 1) + 1);
    if (!out || !q) {
        if (out)
            memcpy(out, url, ulen + 1);
        return out;
    }
    const char *frag = strchr(q, '#');
    size_t qlen = frag ? (size_t)(frag - q) : strlen(q);
    size_t o = (size_t)(q - url);
    memcpy(out, url, o);
    out[o++] = '?';
    for (const char *p = q + 1; p < q + qlen;) {
        const char *amp = memchr(p, '&', (size_t)(q + qlen - p));
        const char *end = amp ? amp : q + qlen;
        const char *eq = memchr(p, '=', (size_t)(end - p));
        if (eq && secret_key(p, (size_t)(eq - p))) {
            memcpy(out + o, p, (size_t)(eq - p) + 1);
            o += (size_t)(eq - p) + 1;
            memcpy(out + o, "REDACTED", 8);
            o += 8;
        } else {
            memcpy(out + o, p, (size_t)(end - p));
            o += (size_t)(end - p);
        }
        if (amp)
            out[o++] = '&';
        p = end + (amp ? 1 : 0);
    }
    size_t rest = frag ? strlen(frag) : 0;
    memcpy(out + o, frag ? frag : "", rest);
    o += rest;
    out[o] = 0;
    return out;
}

/* Decodes s[0..len) into a new string; NULL for a bad escape (or ENOMEM). */
static char *query_unescape(const char *s, size_t len)
{
    char *out = malloc(len + 1), *o = out;
    if (!out)
        return NULL;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '+') {
            *o++ = ' ';
        } else if (s[i] == '%') {
            int hi = i + 2 < len ? hexval((unsigned char)s[i + 1]) : -1;
            int lo = i + 2 < len ? hexval((unsigned char)s[i + 2]) : -1;
            if (hi < 0 || lo < 0) {
                free(out);
                return NULL;
            }
            *o++ = (char)(hi << 4 | lo);
            i += 2;
        } else {
            *o++ = s[i];
        }
    }
    *o = 0;
    return out;
}

static int cmp_pairs(const void *a, const void *b)
{
    const qpair *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : (x->order > y->order) - (x->order < y->order);
}

/* Go's QueryEscape: unreserved bytes stay, blank is '+', the rest %XX. */
static void query_escape(pprof_buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (isalnum(*p) || strchr("-_.~", *p))
            pprof_buf_append(b, p, 1);
        else if (*p == ' ')
            pprof_buf_append(b, "+", 1);
        else
            pprof_buf_printf(b, "%%%c%c", hex[*p >> 4], hex[*p & 15]);
    }
}

/* Strict decimal integer, as a duration in seconds; -1 when it is not one. */
static int parse_seconds(const char *s)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (!*s || *end || v < 0 || v > INT_MAX)
        return -1;
    return (int)v;
}

/* Rewrites query q (NULL: none) into *out (NULL when there is nothing to
 * send), setting seconds=N when seconds > 0; *duration gets the duration
 * the query asks for. Returns 0 or -1 on ENOMEM. */
static int rewrite_query(char **out, int *duration, const char *q, int seconds)
{
    *out = NULL;
    *duration = 0;
    size_t cap = 1, n = 0;
    for (const char *p = q; p && *p; p++)
        cap += *p == '&';
    qpair *pairs = calloc(cap + 1, sizeof *pairs);
    if (!pairs)
        return -1;
    int rc = 0;
    for (const char *p = q; p && *p && rc == 0;) {
        size_t len = strcspn(p, "&");
        const char *eq = memchr(p, '=', len);
        if (len > 0 && !memchr(p, ';', len)) {
            size_t klen = eq ? (size_t)(eq - p) : len;
            char *k = query_unescape(p, klen);
            char *v = k ? query_unescape(eq ? eq + 1 : p + len, eq ? len - klen - 1 : 0) : NULL;
            if (k && v && !(seconds > 0 && strcmp(k, "seconds") == 0)) {
                pairs[n] = (qpair){k, v, n};
                n++;
            } else {
                free(k);
                free(v);
            }
        }
        p += len + (p[len] == '&');
    }
    char num[32];
    if (seconds > 0) {
        snprintf(num, sizeof num, "%d", seconds);
        pairs[n].key = strdup("seconds");
        pairs[n].val = strdup(num);
        pairs[n].order = n;
        n++;
        if (!pairs[n - 1].key || !pairs[n - 1].val)
            rc = -1;
    }
    qsort(pairs, n, sizeof *pairs, cmp_pairs);
    if (seconds > 0)
        *duration = seconds;
    pprof_buf b = {0};
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (strcmp(pairs[i].key, "seconds") == 0 && *duration == 0 && parse_seconds(pairs[i].val) > 0)
            *duration = parse_seconds(pairs[i].val);
        if (i)
            pprof_buf_append(&b, "&", 1);
        query_escape(&b, pairs[i].key);
        pprof_buf_append(&b, "=", 1);
        query_escape(&b, pairs[i].val);
    }
    if (rc == 0 && n > 0 && (pprof_buf_append(&b, "", 1) || b.failed))
        rc = -1;
    if (rc == 0 && n > 0)
        *out = (char *)b.data;
    else
        pprof_buf_release(&b);
    for (size_t i = 0; i < n; i++) {
        free(pairs[i].key);
        free(pairs[i].val);
    }
    free(pairs);
    return rc;
}

/* ------------------------------------------------------------ target */

static char *dup_curl(char *s)
{
    char *d = s ? strdup(s) : NULL;
    curl_free(s);
    return d;
}

/* Fills t from a parsed URL: default path, query, display form. */
static int finish_target(fetch_target *t, CURLU *u, const char *given_scheme, const cmd_args *args,
                         char *err, size_t errlen)
{
    char *path = NULL, *query = NULL, *newq = NULL;
    if (curl_url_get(u, CURLUPART_PATH, &path, 0) == CURLUE_OK && (!*path || strcmp(path, "/") == 0) &&
        curl_url_set(u, CURLUPART_PATH, default_path, 0) != CURLUE_OK)
        goto oom;
    curl_free(path);
    path = NULL;
    if (curl_url_get(u, CURLUPART_QUERY, &query, 0) != CURLUE_OK)
        query = NULL;
    int seconds = args->seconds > 0 ? args->seconds : 0;
    if (rewrite_query(&newq, &t->duration, query, seconds) != 0)
        goto oom;
    if ((query || newq) && curl_url_set(u, CURLUPART_QUERY, newq, 0) != CURLUE_OK)
        goto oom;
    t->announce = seconds > 0;
    /* pprof: the -timeout given, else 1.5 times the duration, else 60 s;
     * its HTTP client then allows 5 s more. */
    long base_ms = args->timeout > 0 ? args->timeout * 1000L
                   : t->duration > 0 ? t->duration * 1500L
                                     : FETCH_DEFAULT_TIMEOUT_S * 1000L;
    t->timeout_ms = base_ms + FETCH_TIMEOUT_MARGIN_MS;
    char *url = NULL;
    if (curl_url_get(u, CURLUPART_URL, &url, 0) != CURLUE_OK || !(t->url = dup_curl(url)))
        goto oom;
    /* Credentials are sent (curl takes them from the URL) but never shown. */
    CURLU *shown = curl_url_dup(u);
    char *d = NULL;
    if (!shown || curl_url_set(shown, CURLUPART_USER, NULL, 0) != CURLUE_OK ||
        curl_url_set(shown, CURLUPART_PASSWORD, NULL, 0) != CURLUE_OK ||
        curl_url_set(shown, CURLUPART_OPTIONS, NULL, 0) != CURLUE_OK ||
        curl_url_get(shown, CURLUPART_URL, &d, 0) != CURLUE_OK) {
        curl_url_cleanup(shown);
        curl_free(d);
        goto oom;
    }
    curl_url_cleanup(shown);
    char *r = redact_query(d);
    curl_free(d);
    if (!r)
        goto oom;
    const char *after = strstr(r, "://");
    size_t n = strlen(given_scheme) + strlen(after ? after : r) + 1;
    t->display = malloc(n);
    if (t->display)
        snprintf(t->display, n, "%s%s", given_scheme, after ? after : r);
    free(r);
    curl_free(query);
    free(newq);
    return t->display ? 0 : (snprintf(err, errlen, "out of memory"), -1);
oom:
    curl_free(path);
    curl_free(query);
    free(newq);
    snprintf(err, errlen, "out of memory");
    return -1;
}

int fetch_target_resolve(fetch_target *t, const char *source, const cmd_args *args, char *err,
                         size_t errlen)
{
    memset(t, 0, sizeof *t);
    struct stat st;
    if (stat(source, &st) == 0)
        return 1; /* a file of that name wins, as in pprof */
    const char *sep = strstr(source, "://");
    char given[32] = "http";
    const char *requested = "http", *rest = source;
    if (sep && is_scheme(source, (size_t)(sep - source))) {
        size_t len = (size_t)(sep - source);
        snprintf(given, sizeof given, "%.*s", (int)(len < sizeof given ? len : sizeof given - 1), source);
        for (char *c = given; *c; c++)
            *c = (char)tolower((unsigned char)*c);
        if (strcmp(given, "file") == 0)
            return 1;
        requested = NULL;
        for (size_t i = 0; i < N(schemes); i++)
            if (len < sizeof given && strcmp(given, schemes[i].given) == 0) {
                requested = schemes[i].requested;
                t->insecure = schemes[i].insecure;
            }
        if (!requested) {
            snprintf(err, errlen, "unsupported protocol scheme \"%.*s\" (only http, https and https+insecure are fetched)",
                     (int)(len > 40 ? 40 : len), source);
            return -1;
        }
        rest = sep + 3;
    } else if (sep || !is_host_port(source)) {
        return 1;
    }
    if (dynlib_load(DYNLIB_CURL, err, errlen) != 0)
        return -1;
    size_t n = strlen(requested) + 3 + strlen(rest) + 1;
    char *full = malloc(n);
    CURLU *u = curl_url();
    if (!full || !u) {
        free(full);
        curl_url_cleanup(u);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    snprintf(full, n, "%s://%s", requested, rest);
    CURLUcode uc = curl_url_set(u, CURLUPART_URL, full, 0);
    free(full);
    int rc;
    if (uc != CURLUE_OK) {
        snprintf(err, errlen, "not a valid URL: %s", curl_url_strerror(uc));
        rc = -1;
    } else {
        rc = finish_target(t, u, given, args, err, errlen);
    }
    curl_url_cleanup(u);
    if (rc)
        fetch_target_release(t);
    return rc;
}

void fetch_target_release(fetch_target *t)
{
    free(t->url);
    free(t->display);
    t->url = t->display = NULL;
}
