/* fetch.c: runs the HTTP transfers (libcurl multi, all at once) into memory, hardened, with pprof's messages and a countdown on a terminal. */
#include "fetch.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The state of one transfer. */
typedef struct transfer {
    CURL *easy;
    const fetch_target *t;
    fetch_result *r;
    char errbuf[CURL_ERROR_SIZE];
    char status[160];     /* the last status line's "404 Not Found" */
    char reason[256];     /* why a callback stopped the transfer */
    bool error_body_full; /* a non-200 body reached FETCH_ERROR_KEEP: stopped on purpose */
    bool body_started;
    uint64_t max_body;    /* cap of a 200 body (body_cap) */
    bool max_body_given;  /* it is -max_memory's */
    long stall_ms;        /* low-speed window */
    long window_start;    /* ms; 0 until the body flows */
    curl_off_t window_bytes;
    bool done;
    CURLcode result;
} transfer;

#define N(a) (sizeof(a) / sizeof((a)[0]))

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static long response_code(const transfer *x)
{
    long code = 0;
    curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &code);
    return code;
}

/* Keeps the status line of every response (redirects too): the last one is
 * what the error message quotes. */
static size_t on_header(char *data, size_t size, size_t nmemb, void *ctx)
{
    transfer *x = ctx;
    size_t n = size * nmemb;
    if (n > 5 && memcmp(data, "HTTP/", 5) == 0) {
        const char *sp = memchr(data, ' ', n);
        size_t len = sp ? n - (size_t)(sp + 1 - data) : 0;
        while (len && (sp[len] == '\r' || sp[len] == '\n' || sp[len] == ' '))
            len--;
        fetch_excerpt(x->status, sizeof x->status, (const uint8_t *)(sp ? sp + 1 : data), sp ? len : 0);
    }
    return n;
}

/* The cap of a 200 body: FETCH_MAX_BODY, or -max_memory when given (the
 * body is held in memory while it is decoded, so it is part of what the
 * source costs), at most the inflate cap: no profile may be bigger. */
static uint64_t body_cap(const cmd_args *args)
{
    if (!args->max_memory)
        return FETCH_MAX_BODY;
    return args->max_memory < PPROF_DEFAULT_MAX_INFLATED ? args->max_memory : PPROF_DEFAULT_MAX_INFLATED;
}

/* Why a body was refused: over the size cap, or over -max_memory. */
static void body_cap_message(char *out, size_t n, const transfer *x)
{
    if (!x->max_body_given)
        snprintf(out, n, "response body larger than %" PRIu64 " MiB (the size cap)", x->max_body >> 20);
    else if (x->max_body >= (1u << 20))
        snprintf(out, n, "response body larger than the memory budget of %" PRIu64 " MiB (max_memory)",
                 x->max_body >> 20);
    else
        snprintf(out, n, "response body larger than the memory budget of %" PRIu64 " bytes (max_memory)",
                 x->max_body);
}

/* Bodies go to memory, capped: a 200 body at x->max_body (curl's own
 * CURLOPT_MAXFILESIZE only sees a Content-Length, not a close-delimited or
 * chunked body), an error body at the few bytes its excerpt needs. */
static size_t on_body(char *data, size_t size, size_t nmemb, void *ctx)
{
    transfer *x = ctx;
    size_t n = size * nmemb;
    pprof_buf *b = &x->r->body;
    bool ok_status = response_code(x) == 200;
    uint64_t cap = ok_status ? x->max_body : FETCH_ERROR_KEEP;
    x->body_started = true;
    if ((uint64_t)b->len + n > cap) {
        if (!ok_status) {
            pprof_buf_append(b, data, (size_t)(cap - b->len));
            x->error_body_full = true;
        } else {
            body_cap_message(x->reason, sizeof x->reason, x);
        }
        return 0; /* stops the transfer */
    }
    if (pprof_buf_append(b, data, n) != 0) {
        snprintf(x->reason, sizeof x->reason, "out of memory");
        return 0;
    }
    return n;
}

/* The low-speed abort. curl's CURLOPT_LOW_SPEED_* would also count the wait
 * before the first byte, which is the profile's duration (the server
 * answers at its end); so the check starts with the body: at least
 * FETCH_LOW_SPEED_BYTES per second over each window of stall_ms. A stalled
 * or trickling body then fails in seconds instead of hanging (go tool pprof
 * hangs) or lasting the whole timeout. */
static int on_progress(void *ctx, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
    transfer *x = ctx;
    if (!x->body_started)
        return 0;
    long now = now_ms();
    if (x->window_start == 0) {
        x->window_start = now;
        x->window_bytes = dlnow;
        return 0;
    }
    if (now - x->window_start < x->stall_ms)
        return 0;
    curl_off_t want = (curl_off_t)FETCH_LOW_SPEED_BYTES * (x->stall_ms / 1000);
    if (dlnow - x->window_bytes < want) {
        snprintf(x->reason, sizeof x->reason,
                 "transfer stalled: %" CURL_FORMAT_CURL_OFF_T " bytes in the last %lds (the minimum is %ld bytes/s)",
                 dlnow - x->window_bytes, x->stall_ms / 1000, FETCH_LOW_SPEED_BYTES);
        return 1;
    }
    x->window_start = now;
    x->window_bytes = dlnow;
    return 0;
}

/* The bounds every transfer shares, profile fetch and /symbol POST alike,
 * and why each is set. Returns CURLE_OK or the first refusal. */
CURLcode fetch_curl_bounds(CURL *e, const char *url, const fetch_target *t, const cmd_args *args, long connect_ms)
{
    const struct {
        CURLoption opt;
        long value;
    } longs[] = {
        /* 0 (the default) lets libcurl ignore SIGPIPE around its socket
         * writes: main restores the default SIGPIPE action (quiet exit on a
         * closed stdout), and a TLS write to a server that hung up would
         * otherwise kill the program. The program has one thread, and
         * Debian's libcurl resolves names in a thread, so no SIGALRM is used. */
        {CURLOPT_NOSIGNAL, 0L},
        /* Redirects are followed, a few only. */
        {CURLOPT_FOLLOWLOCATION, 1L},
        {CURLOPT_MAXREDIRS, FETCH_MAX_REDIRECTS},
        /* Credentials from the URL go to that host only, never to the host a
         * redirect names (the default, stated). */
        {CURLOPT_UNRESTRICTED_AUTH, 0L},
        /* A dead or filtered host fails fast; the whole transfer (connect,
         * redirects, the wait for a time-based profile, the body) is bounded
         * by pprof's timeout rule. */
        {CURLOPT_CONNECTTIMEOUT_MS, connect_ms},
        {CURLOPT_TIMEOUT_MS, t->timeout_ms},
        /* Certificates are checked unless the URL says https+insecure;
         * nothing else turns verification off. */
        {CURLOPT_SSL_VERIFYPEER, t->insecure ? 0L : 1L},
        {CURLOPT_SSL_VERIFYHOST, t->insecure ? 0L : 2L},
    };
    CURLcode rc = CURLE_OK;
    for (size_t i = 0; i < N(longs) && rc == CURLE_OK; i++)
        rc = curl_easy_setopt(e, longs[i].opt, longs[i].value);
    const struct {
        CURLoption opt;
        const char *value;
    } strings[] = {
        {CURLOPT_URL, url},
        /* Only web schemes, for the URL and for every redirect: a server
         * cannot send us to file://, ftp://, gopher://, dict://, ldap://...
         * (curl's default redirect set includes ftp). */
        {CURLOPT_PROTOCOLS_STR, "http,https"},
        {CURLOPT_REDIR_PROTOCOLS_STR, "http,https"},
        {CURLOPT_USERAGENT, "pprof"},
        /* -tls_ca replaces the system CA bundle; -tls_cert and -tls_key are
         * the client certificate and key (PEM). NULL keeps curl's default. */
        {CURLOPT_CAINFO, args->tls_ca && *args->tls_ca ? args->tls_ca : NULL},
        {CURLOPT_SSLCERT, args->tls_cert && *args->tls_cert ? args->tls_cert : NULL},
        {CURLOPT_SSLKEY, args->tls_key && *args->tls_key ? args->tls_key : NULL},
    };
    for (size_t i = 0; i < N(strings) && rc == CURLE_OK; i++)
        if (strings[i].value || strings[i].opt == CURLOPT_URL)
            rc = curl_easy_setopt(e, strings[i].opt, strings[i].value);
    return rc;
}

/* Every option and why it is set. Returns CURLE_OK or the first refusal. */
static CURLcode setup(transfer *x, const cmd_args *args)
{
    CURL *e = x->easy;
    const fetch_target *t = x->t;
    long base_ms = t->timeout_ms - FETCH_TIMEOUT_MARGIN_MS;
    x->stall_ms = base_ms < FETCH_LOW_SPEED_WINDOW_S * 1000 ? base_ms : FETCH_LOW_SPEED_WINDOW_S * 1000;
    if (x->stall_ms < 1000)
        x->stall_ms = 1000;
    long connect_ms = t->timeout_ms < FETCH_CONNECT_TIMEOUT_MS ? t->timeout_ms : FETCH_CONNECT_TIMEOUT_MS;
    x->max_body = body_cap(args);
    x->max_body_given = args->max_memory != 0;
    CURLcode rc = fetch_curl_bounds(e, t->url, t, args, connect_ms);
    const struct {
        CURLoption opt;
        long value;
    } longs[] = {
        /* Our messages, not curl's progress meter or verbose dump (which
         * would print Authorization headers). */
        {CURLOPT_NOPROGRESS, 0L}, /* 0: enables the XFERINFO callback (no meter is drawn) */
        {CURLOPT_VERBOSE, 0L},
    };
    for (size_t i = 0; i < N(longs) && rc == CURLE_OK; i++)
        rc = curl_easy_setopt(e, longs[i].opt, longs[i].value);
    /* CURLOPT_ACCEPT_ENCODING stays unset: no Content-Encoding is asked for
     * or decoded, so a .pb.gz cannot hide a second, unbounded inflate.
     * Proxies come from the environment (http_proxy, https_proxy,
     * all_proxy, no_proxy), curl's default. */
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)x->max_body);
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->errbuf);
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(e, CURLOPT_HEADERDATA, x);
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, on_progress);
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(e, CURLOPT_XFERINFODATA, x);
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(e, CURLOPT_PRIVATE, x);
    return rc;
}

/* Reason phrases for servers that send none (HTTP/2). */
static const struct {
    long code;
    const char *text;
} reasons[] = {
    {400, "Bad Request"}, {401, "Unauthorized"}, {403, "Forbidden"}, {404, "Not Found"},
    {405, "Method Not Allowed"}, {408, "Request Timeout"}, {429, "Too Many Requests"},
    {500, "Internal Server Error"}, {501, "Not Implemented"}, {502, "Bad Gateway"},
    {503, "Service Unavailable"}, {504, "Gateway Timeout"},
};

/* "server response: 404 Not Found - <excerpt of the body>". */
static void status_message(char *out, size_t n, const transfer *x, long code)
{
    char status[200];
    snprintf(status, sizeof status, "%s", x->status);
    if (!strchr(status, ' ')) {
        const char *text = "";
        for (size_t i = 0; i < N(reasons); i++)
            if (reasons[i].code == code)
                text = reasons[i].text;
        snprintf(status, sizeof status, "%ld%s%s", code, *text ? " " : "", text);
    }
    char excerpt[FETCH_ERROR_EXCERPT];
    fetch_excerpt(excerpt, sizeof excerpt, x->r->body.data, x->r->body.len);
    snprintf(out, n, "server response: %s%s%s", status, *excerpt ? " - " : "", excerpt);
}

/* A message for curl's error: our words where curl's carry timings that
 * change from run to run, or where a hint helps; curl's otherwise. */
static void curl_message(char *out, size_t n, const transfer *x)
{
    char dur[32];
    const char *curl_text = x->errbuf[0] ? x->errbuf : curl_easy_strerror(x->result);
    switch (x->result) {
    case CURLE_OPERATION_TIMEDOUT: {
        curl_off_t connected = 0;
        curl_easy_getinfo(x->easy, CURLINFO_CONNECT_TIME_T, &connected);
        long connect_ms = x->t->timeout_ms < FETCH_CONNECT_TIMEOUT_MS ? x->t->timeout_ms : FETCH_CONNECT_TIMEOUT_MS;
        if (connected == 0) {
            fetch_format_duration(dur, sizeof dur, (int)(connect_ms / 1000));
            snprintf(out, n, "could not connect within %s", dur);
        } else {
            fetch_format_duration(dur, sizeof dur, (int)(x->t->timeout_ms / 1000));
            snprintf(out, n, "timed out after %s (-timeout, plus 5s)", dur);
        }
        return;
    }
    case CURLE_COULDNT_CONNECT: {
        /* The host and port of the URL last tried (a redirect may have
         * changed it); curl's own text carries a timing. */
        char *url = NULL, *host = NULL, *port = NULL;
        long os_errno = 0;
        curl_easy_getinfo(x->easy, CURLINFO_EFFECTIVE_URL, &url);
        curl_easy_getinfo(x->easy, CURLINFO_OS_ERRNO, &os_errno);
        CURLU *u = curl_url();
        if (u && url && os_errno && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
            curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
            curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK) {
            snprintf(out, n, "could not connect to %s port %s: %s", host, port, strerror((int)os_errno));
        } else {
            snprintf(out, n, "%s", curl_text);
        }
        curl_free(host);
        curl_free(port);
        curl_url_cleanup(u);
        return;
    }
    case CURLE_TOO_MANY_REDIRECTS:
        snprintf(out, n, "stopped after %ld redirects", FETCH_MAX_REDIRECTS);
        return;
    case CURLE_UNSUPPORTED_PROTOCOL:
        snprintf(out, n, "refused a redirect: only http and https are fetched (%s)", curl_text);
        return;
    case CURLE_FILESIZE_EXCEEDED:
        body_cap_message(out, n, x);
        return;
    case CURLE_OUT_OF_MEMORY:
        /* libcurl refuses a response header line over 100 KB with this
         * code; a real shortage of memory says the same. */
        snprintf(out, n, "response header too large (libcurl takes header lines of at most 100 KB), or out of memory");
        return;
    case CURLE_PEER_FAILED_VERIFICATION:
        snprintf(out, n, "%s (-tls_ca=FILE trusts another CA; https+insecure:// skips verification)",
                 curl_text);
        return;
    default:
        break;
    }
    snprintf(out, n, "%s", x->reason[0] ? x->reason : curl_text);
}

/* Fills x->r->error (empty on success). A non-200 body stopped on purpose
 * at FETCH_ERROR_KEEP bytes is a complete answer. */
static void finish(transfer *x)
{
    long code = response_code(x);
    bool complete = x->result == CURLE_OK || (x->result == CURLE_WRITE_ERROR && x->error_body_full);
    if (!complete)
        curl_message(x->r->error, sizeof x->r->error, x);
    else if (code != 200)
        status_message(x->r->error, sizeof x->r->error, x, code);
    if (x->r->error[0])
        pprof_buf_release(&x->r->body);
}

/* ------------------------------------------------------------ countdown */

/* On a terminal, one line under pprof's messages counts down the longest
 * remaining duration; it is erased at the end, leaving pprof's lines. */
typedef struct countdown {
    bool on;
    long start;
    int shown; /* seconds last shown, -1: nothing on the line */
} countdown;

static void countdown_tick(countdown *c, const transfer *xs, size_t n)
{
    if (!c->on)
        return;
    long left_ms = -1;
    for (size_t i = 0; i < n; i++)
        if (!xs[i].done && xs[i].t->announce) {
            long l = xs[i].t->duration * 1000L - (now_ms() - c->start);
            if (l < 0)
                l = 0;
            if (l > left_ms)
                left_ms = l;
        }
    if (left_ms < 0)
        return;
    int left = (int)((left_ms + 999) / 1000);
    if (left == c->shown)
        return;
    c->shown = left;
    char dur[32];
    fetch_format_duration(dur, sizeof dur, left);
    if (left > 0)
        fprintf(stderr, "\r%s left\033[K", dur);
    else
        fputs("\rwaiting for the server...\033[K", stderr);
    fflush(stderr);
}

static void countdown_end(countdown *c)
{
    if (c->on && c->shown >= 0) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
}

/* ------------------------------------------------------------ run */

int fetch_run(fetch_result *results, const fetch_target *targets, size_t n, const cmd_args *args)
{
    if (n == 0)
        return 0;
    transfer *xs = calloc(n, sizeof *xs);
    CURLM *m = NULL;
    bool any_duration = false;
    int failed = 0;
    for (size_t i = 0; i < n; i++) {
        char dur[32];
        memset(&results[i], 0, sizeof results[i]);
        cmd_note("Fetching profile over HTTP from %s", targets[i].display);
        if (targets[i].announce) {
            fetch_format_duration(dur, sizeof dur, targets[i].duration);
            cmd_note("Please wait... (%s)", dur);
            any_duration = true;
        }
    }
    char why[sizeof results[0].error] = "could not initialise libcurl";
    if (!xs || dynlib_load(DYNLIB_CURL, why, sizeof why) != 0 || curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        free(xs);
        for (size_t i = 0; i < n; i++)
            snprintf(results[i].error, sizeof results[i].error, "%s", why);
        return -1;
    }
    m = curl_multi_init();
    for (size_t i = 0; i < n; i++) {
        transfer *x = &xs[i];
        x->t = &targets[i];
        x->r = &results[i];
        x->easy = curl_easy_init();
        CURLcode rc = x->easy ? setup(x, args) : CURLE_OUT_OF_MEMORY;
        if (!m || rc != CURLE_OK || curl_multi_add_handle(m, x->easy) != CURLM_OK) {
            snprintf(x->r->error, sizeof x->r->error, "libcurl refused the transfer: %s",
                     curl_easy_strerror(rc != CURLE_OK ? rc : CURLE_OUT_OF_MEMORY));
            x->done = true;
            failed = 1;
        }
    }
    countdown cd = {.on = any_duration && isatty(STDERR_FILENO), .start = now_ms(), .shown = -1};
    int running = m ? 1 : 0;
    while (running && !failed) {
        if (curl_multi_perform(m, &running) != CURLM_OK)
            break;
        CURLMsg *msg;
        int left;
        while ((msg = curl_multi_info_read(m, &left)) != NULL) {
            char *priv = NULL;
            if (msg->msg != CURLMSG_DONE ||
                curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv) != CURLE_OK || !priv)
                continue;
            transfer *x = (transfer *)priv;
            x->done = true;
            x->result = msg->data.result;
            finish(x);
        }
        countdown_tick(&cd, xs, n);
        if (running && curl_multi_poll(m, NULL, 0, 250, NULL) != CURLM_OK)
            break;
    }
    countdown_end(&cd);
    for (size_t i = 0; i < n; i++) {
        if (!xs[i].done && !xs[i].r->error[0])
            snprintf(xs[i].r->error, sizeof xs[i].r->error, "%s",
                     failed ? "not started: another transfer could not be set up" : "transfer interrupted (libcurl error)");
        if (xs[i].r->error[0])
            failed = 1;
        if (m && xs[i].easy)
            curl_multi_remove_handle(m, xs[i].easy);
        curl_easy_cleanup(xs[i].easy);
    }
    curl_multi_cleanup(m);
    curl_global_cleanup();
    free(xs);
    return failed ? -1 : 0;
}
