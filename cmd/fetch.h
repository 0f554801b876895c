/* fetch.h: private interface of the HTTP fetch files (fetch_url.c, fetch.c, fetch_save.c, fetch_symbol.c). */
#ifndef PPROF_CMD_FETCH_H
#define PPROF_CMD_FETCH_H

#include "cmd.h"

/* libcurl, opened when a fetch first needs it */
#define DYNLIB_WANT_CURL
#include "dynlib.h"

/* Limits of a fetch, documented in pprof(1) (LIMITS). */
#define FETCH_MAX_BODY (256ULL << 20)     /* bytes of one response body */
#define FETCH_MAX_REDIRECTS 5L
#define FETCH_CONNECT_TIMEOUT_MS 10000L   /* or the whole timeout when shorter */
#define FETCH_TIMEOUT_MARGIN_MS 5000L     /* pprof's client allows timeout + 5 s */
#define FETCH_DEFAULT_TIMEOUT_S 60        /* pprof's default without a duration */
#define FETCH_LOW_SPEED_BYTES 1024L       /* once the body flows: at least this many bytes ... */
#define FETCH_LOW_SPEED_WINDOW_S 10L      /* ... per window of this many seconds (or the timeout) */
#define FETCH_ERROR_EXCERPT 160           /* characters of an error body shown */
#define FETCH_ERROR_KEEP 4096             /* bytes of an error body kept */

/* One URL source, resolved: what is requested, what is shown, how long to wait. */
typedef struct fetch_target {
    char *url;        /* requested: scheme http or https, credentials kept (curl sends them) */
    char *display;    /* shown: scheme as given (https+insecure too), credentials removed */
    bool insecure;    /* https+insecure: no certificate verification */
    int duration;     /* seconds of collection: -seconds, else the URL's seconds=, else 0 */
    bool announce;    /* -seconds was given: print "Please wait... (<duration>)" */
    long timeout_ms;  /* the whole transfer, pprof's rule (see fetch_url.c) */
} fetch_target;

/* Resolves source. Returns 1 when it is a local file (it exists, or is not
 * URL-shaped), 0 with *t filled (free with fetch_target_release), or -1 with
 * err filled when it is a URL that cannot be fetched (unsupported scheme,
 * malformed). */
int fetch_target_resolve(fetch_target *t, const char *source, const cmd_args *args, char *err,
                         size_t errlen);
void fetch_target_release(fetch_target *t);

/* Writes a Go-style duration of whole seconds ("30s", "1m30s", "1h0m0s"). */
void fetch_format_duration(char *buf, size_t n, int seconds);

/* Copies s into out (NUL-terminated, at most n-1 bytes) for a one-line
 * message: HTML tags dropped, whitespace runs made one blank, control bytes,
 * C1 controls, bidi overrides and invalid UTF-8 written as \xNN. */
void fetch_excerpt(char *out, size_t n, const uint8_t *s, size_t len);

/* Sets the bounds every transfer shares on e: the URL, web schemes only,
 * few redirects, credentials never sent on, connect_ms to connect and
 * t->timeout_ms in all, certificates checked unless https+insecure, the
 * -tls_* files. Returns CURLE_OK or the first refusal. */
CURLcode fetch_curl_bounds(CURL *e, const char *url, const fetch_target *t, const cmd_args *args, long connect_ms);

/* One transfer's result. */
typedef struct fetch_result {
    pprof_buf body;
    char error[1024]; /* empty on success */
} fetch_result;

/* Runs every transfer at once; results[i] belongs to targets[i]. Prints the
 * "Fetching profile over HTTP" and "Please wait" lines and, on a terminal,
 * a countdown. Returns 0 when every transfer succeeded. */
int fetch_run(fetch_result *results, const fetch_target *targets, size_t n, const cmd_args *args);

#endif
