/* fuzz_http.c: libFuzzer harness for HTTP response handling (cmd/fetch.c): status lines and headers as curl hands them over, a body in chunks (size caps, error bodies kept for their excerpt), curl's outcome, the one-line message made of it all, and a 200 body read as a profile. libcurl's transfer is replaced by the input; its getinfo answers from the input too (the harness's function is put in libcurl's table, cmd/dynlib.h). */
#include "../../cmd/fetch.c"

#include "formats.h"

#include <stdarg.h>
#include <stdint.h>

static long fuzz_code;
static curl_off_t fuzz_connect_time;

/* fetch.c asks curl for the response code, the URL and connect time. */
static CURLcode fuzz_getinfo(CURL *easy, CURLINFO info, ...)
{
    (void)easy;
    va_list ap;
    va_start(ap, info);
    void *arg = va_arg(ap, void *);
    va_end(ap);
    switch (info) {
    case CURLINFO_RESPONSE_CODE: *(long *)arg = fuzz_code; break;
    case CURLINFO_OS_ERRNO: *(long *)arg = 111; break;
    case CURLINFO_CONNECT_TIME_T: *(curl_off_t *)arg = fuzz_connect_time; break;
    case CURLINFO_EFFECTIVE_URL: *(const char **)arg = "http://127.0.0.1:1/debug/pprof/profile"; break;
    default: return CURLE_UNKNOWN_OPTION;
    }
    return CURLE_OK;
}
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_message(const char *s)
{
    for (const unsigned char *c = (const unsigned char *)s; *c; c++)
        if (*c < 0x20 || *c == 0x7f)
            __builtin_trap(); /* one line, nothing for the terminal to obey */
}

/* Input: response code, curl outcome, body chunk size, then header lines up
 * to an empty line, then the body. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const long codes[] = {200, 404, 500, 301, 0, 999, 403, 204, 503, -1};
    static const CURLcode results[] = {
        CURLE_OK, CURLE_WRITE_ERROR, CURLE_OPERATION_TIMEDOUT, CURLE_COULDNT_CONNECT,
        CURLE_TOO_MANY_REDIRECTS, CURLE_UNSUPPORTED_PROTOCOL, CURLE_FILESIZE_EXCEEDED,
        CURLE_OUT_OF_MEMORY, CURLE_PEER_FAILED_VERIFICATION, CURLE_RECV_ERROR, CURLE_PARTIAL_FILE,
    };
    if (!dynlib_curl.curl_easy_getinfo) {
        char why[512];
        if (dynlib_load(DYNLIB_CURL, why, sizeof why) != 0)
            __builtin_trap();
        dynlib_curl.curl_easy_getinfo = fuzz_getinfo;
    }
    if (size < 3)
        return 0;
    fuzz_code = codes[data[0] % N(codes)];
    fuzz_connect_time = data[0] & 0x80;
    CURLcode result = results[data[1] % N(results)];
    size_t chunk = data[2] ? data[2] : size;
    const uint8_t *d = data + 3, *end = data + size;

    fetch_target t;
    memset(&t, 0, sizeof t);
    t.timeout_ms = (long)data[1] * 1000;
    fetch_result r;
    memset(&r, 0, sizeof r);
    transfer x;
    memset(&x, 0, sizeof x);
    x.t = &t;
    x.r = &r;
    /* Header lines, each with its line end, as curl's header callback gets them. */
    while (d < end) {
        const uint8_t *nl = memchr(d, '\n', (size_t)(end - d));
        size_t n = nl ? (size_t)(nl + 1 - d) : (size_t)(end - d);
        char *line = malloc(n ? n : 1);
        if (!line)
            return 0;
        memcpy(line, d, n);
        on_header(line, 1, n, &x);
        free(line);
        d += n;
        if (n <= 2 && (n == 1 || d[-2] == '\r'))
            break; /* the empty line: the body follows */
    }
    check_message(x.status);
    bool stopped = false;
    while (d < end && !stopped) {
        size_t n = (size_t)(end - d) < chunk ? (size_t)(end - d) : chunk;
        char *piece = malloc(n);
        if (!piece)
            break;
        memcpy(piece, d, n);
        stopped = on_body(piece, 1, n, &x) != n;
        free(piece);
        d += n;
    }
    x.result = stopped ? CURLE_WRITE_ERROR : result;
    finish(&x);
    check_message(r.error);
    if (!r.error[0] && r.body.len) {
        pprof_profile *p = NULL;
        pprof_parse_options opt = {.max_inflated = 4u << 20, .max_memory = 64u << 20, .single_threaded = true};
        pprof_error err;
        if (pprof_read(&p, r.body.data, r.body.len, &opt, &err) == 0)
            pprof_profile_free(p);
        else
            check_message(err.msg);
    }
    pprof_buf_release(&r.body);
    return 0;
}
