/* fetch_symbol.c: remote symbolization of URL sources: POSTs a mapping's unnamed addresses to the service's /debug/pprof/symbol (pprof's protocol), bounded like every fetch. */
#include "fetch.h"

#include <stdlib.h>
#include <string.h>

/* A symbol reply is a few bytes per address: 32 MiB is plenty. */
#define SYMBOL_MAX_BODY (32ULL << 20)

typedef struct reply {
    pprof_buf body;
    bool too_big;
} reply;

static size_t on_body(char *data, size_t size, size_t n, void *ctx)
{
    reply *r = ctx;
    size_t len = size * n;
    if (r->body.len + len > SYMBOL_MAX_BODY) {
        r->too_big = true;
        return 0; /* aborts the transfer */
    }
    return pprof_buf_append(&r->body, data, len) ? 0 : len;
}

/* pprof's symbol URL of a profile URL: a net/http/pprof or gperftools
 * path gets its last element replaced by "symbol", any other path becomes
 * /symbolz; the query goes. NULL when the URL has no host. */
static char *symbol_url(const char *url)
{
    const char *sep = strstr(url, "://");
    if (!sep || !sep[3] || sep[3] == '/')
        return NULL;
    const char *path = sep + 3 + strcspn(sep + 3, "/?#");
    size_t plen = strcspn(path, "?#");
    static const char *const suffixes[] = {"/pprof/heap", "/pprof/growth", "/pprof/profile", "/pprof/pmuprofile",
                                           "/pprof/contention"};
    bool pprof_path = false;
    for (size_t i = 0; i + 13 <= plen && !pprof_path; i++)
        pprof_path = memcmp(path + i, "/debug/pprof/", 13) == 0;
    for (size_t i = 0; !pprof_path && i < sizeof suffixes / sizeof suffixes[0]; i++) {
        size_t sl = strlen(suffixes[i]);
        pprof_path = plen >= sl && memcmp(path + plen - sl, suffixes[i], sl) == 0;
    }
    size_t keep = (size_t)(path - url);
    if (pprof_path) {
        /* path/../symbol: drop the last element (and a trailing slash). */
        size_t end = plen;
        while (end > 0 && path[end - 1] == '/')
            end--;
        while (end > 0 && path[end - 1] != '/')
            end--;
        keep += end;
    }
    const char *tail = pprof_path ? "symbol" : "/symbolz";
    char *out = malloc(keep + strlen(tail) + 1);
    if (!out)
        return NULL;
    memcpy(out, url, keep);
    strcpy(out + keep, tail);
    return out;
}

/* One bounded POST; 0, or -1 with why filled. */
static int post(reply *r, const char *url, const fetch_target *t, const pprof_buf *body, const cmd_args *args,
                char *why, size_t whylen)
{
    CURL *e = curl_easy_init();
    if (!e) {
        snprintf(why, whylen, "cannot start a transfer");
        return -1;
    }
    char errbuf[CURL_ERROR_SIZE] = "";
    struct curl_slist *hdrs = curl_slist_append(NULL, "Content-Type: application/octet-stream");
    hdrs = hdrs ? curl_slist_append(hdrs, "Expect:") : NULL; /* no 100-continue round trip */
    long timeout = t->timeout_ms;
    CURLcode rc = hdrs ? CURLE_OK : CURLE_OUT_OF_MEMORY;
    /* The same bounds as profile fetches: whole-transfer timeout, a fast
     * connect, a minimum speed, a size cap, few redirects, web schemes only,
     * certificates checked unless https+insecure. */
    if (rc == CURLE_OK)
        rc = fetch_curl_bounds(e, url, t, args, timeout < FETCH_CONNECT_TIMEOUT_MS ? timeout : FETCH_CONNECT_TIMEOUT_MS);
    const struct {
        CURLoption opt;
        long value;
    } longs[] = {
        {CURLOPT_POSTREDIR, CURL_REDIR_POST_ALL},
        {CURLOPT_LOW_SPEED_LIMIT, FETCH_LOW_SPEED_BYTES},
        {CURLOPT_LOW_SPEED_TIME, FETCH_LOW_SPEED_WINDOW_S},
        {CURLOPT_POSTFIELDSIZE, (long)body->len},
    };
    for (size_t i = 0; i < sizeof longs / sizeof longs[0] && rc == CURLE_OK; i++)
        rc = curl_easy_setopt(e, longs[i].opt, longs[i].value);
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(e, CURLOPT_POSTFIELDS, body->data ? (const char *)body->data : "");
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(e, CURLOPT_HTTPHEADER, hdrs);
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
    if (rc == CURLE_OK)
        rc = curl_easy_perform(e);
    long status = 0;
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(e);
    curl_slist_free_all(hdrs);
    if (r->too_big) {
        snprintf(why, whylen, "reply larger than %llu bytes", (unsigned long long)SYMBOL_MAX_BODY);
        return -1;
    }
    if (rc != CURLE_OK) {
        snprintf(why, whylen, "%s", errbuf[0] ? errbuf : curl_easy_strerror(rc));
        return -1;
    }
    if (status != 200) {
        char excerpt[FETCH_ERROR_EXCERPT + 1];
        fetch_excerpt(excerpt, sizeof excerpt, r->body.data, r->body.len);
        snprintf(why, whylen, "server response: %ld%s%s", status, excerpt[0] ? " - " : "", excerpt);
        return -1;
    }
    return 0;
}

int cmd_symbolize_remote(pprof_profile *p, const cmd_args *args, const char *source)
{
    if (args->sym.none || !args->sym.remote)
        return 0;
    fetch_target t;
    char err[512];
    if (fetch_target_resolve(&t, source, args, err, sizeof err) != 0)
        return 0; /* a file: nothing to ask */
    char *url = symbol_url(t.url), *shown = symbol_url(t.display);
    for (uint32_t m = 0; url && m < p->n_mappings; m++) {
        const char *file = pprof_string(p, p->mappings[m].file);
        const char *base = strrchr(file, '/');
        base = base ? base + 1 : file;
        if ((p->mappings[m].has_functions && !args->sym.force) || base[0] == '[' ||
            strncmp(base, "linux-vdso", 10) == 0)
            continue;
        pprof_buf body = {0};
        if (pprof_symbolize_remote_body(&body, p, m, args->sym.force, 0) != 0) {
            pprof_buf_release(&body);
            cmd_error("out of memory");
            free(url);
            free(shown);
            fetch_target_release(&t);
            return EXIT_DATA;
        }
        if (body.len == 0)
            continue;
        reply r = {{0}, false};
        char why[1024];
        pprof_error perr;
        /* pprof gives up on the whole run here; a warning is enough: the
         * profile is still good, only without these names. */
        if (post(&r, url, &t, &body, args, why, sizeof why) != 0)
            cmd_warning("remote symbolization: http post %s: %s", shown ? shown : "", why);
        else if (pprof_symbolize_remote_apply(p, m, (const char *)r.body.data, r.body.len, 0, &perr) != 0)
            cmd_warning("remote symbolization: %s", perr.msg);
        pprof_buf_release(&r.body);
        pprof_buf_release(&body);
    }
    free(url);
    free(shown);
    fetch_target_release(&t);
    return 0;
}
