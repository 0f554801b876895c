/* http_server.c: the fetch tests' HTTP server on 127.0.0.1: serves fixture profiles at /debug/pprof/NAME and misbehaves on purpose on the other paths. */

/*
 * Usage: http_server DIR [DEADLINE_SECONDS [LOGFILE]]
 *
 * Listens on 127.0.0.1, on a free port it prints on stdout (one line), and
 * exits by itself after DEADLINE_SECONDS (default 60) whatever happens.
 * One thread per connection, one request per connection (Connection: close).
 * LOGFILE gets one line per request: "<target> auth=<Authorization or ->".
 * An absolute-form target (http://host/path, as sent to a proxy) is served
 * by its path, so the server doubles as an HTTP proxy for the proxy test.
 *
 *   /debug/pprof/NAME[?seconds=N]  DIR/NAME (NAME: [A-Za-z0-9_.-], no leading
 *                                  dot), after N seconds (at most 30)
 *   /barrier?n=N                   DIR/profile once N requests wait here
 *                                  together (503 after 5 s): proves that
 *                                  fetches run concurrently
 *   /auth                          DIR/heap with Basic user:s3cret, else 401
 *   /404, /500                     errors with an HTML / ANSI-laden body
 *   /html, /empty, /evil-names     200 with a login page, nothing, or a
 *                                  profile whose names try to steer a path
 *   /stall-headers, /stall-body    silence before headers / mid-body
 *   /trickle, /endless             1 byte per 100 ms / zeros without end
 *   /huge-length                   Content-Length of 1 TiB
 *   /close-mid-body[-nolen]        half of DIR/profile, then close
 *   /redir-loop, /redir-file, /redir-ok, /redir-other-host
 *   /sym-MODE/debug/pprof/NAME     DIR/NAME, and the symbol service of
 *                                  net/http/pprof at /sym-MODE/debug/pprof/symbol:
 *                                  POST "0xA+0xB..." gets "0xA name" lines, names
 *                                  from the "#\t0xPC\tname+0xoff" lines of
 *                                  DIR/heap.legacy.txt (PC or PC+1). MODE ok,
 *                                  garbage (binary junk), huge (endless lines),
 *                                  slow (a byte per second), 500
 */

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

typedef struct request {
    int fd;
    char target[2048]; /* as received */
    char path[2048];
    char query[2048];
    char auth[256];
    char body[8192]; /* what came with the head (a small POST body) */
    size_t body_len;
    long content_length;
} request;

static const char *g_dir;
static FILE *g_log;
static int g_port;
static int g_deadline = 60;
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_cond = PTHREAD_COND_INITIALIZER;
static long g_barrier_arrived;

/* ------------------------------------------------------------ I/O */

static int send_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static int send_str(int fd, const char *s) { return send_all(fd, s, strlen(s)); }

/* Waits up to ms for the client to hang up; returns 1 when it did. */
static int wait_hangup(int fd, long ms)
{
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        long left = ms - ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000);
        if (left <= 0)
            return 0;
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int r = poll(&p, 1, (int)(left > 1000 ? 1000 : left));
        if (r > 0) {
            char c[256];
            ssize_t n = recv(fd, c, sizeof c, 0);
            if (n <= 0)
                return 1;
        }
    }
}

static void head(int fd, const char *status, const char *type, long long length, const char *extra)
{
    char h[1024];
    char len[64] = "";
    if (length >= 0)
        snprintf(len, sizeof len, "Content-Length: %lld\r\n", length);
    snprintf(h, sizeof h, "HTTP/1.1 %s\r\nContent-Type: %s\r\n%s%sConnection: close\r\n\r\n", status, type, len,
             extra ? extra : "");
    send_str(fd, h);
}

static void respond(int fd, const char *status, const char *type, const void *body, size_t len, const char *extra)
{
    head(fd, status, type, (long long)len, extra);
    send_all(fd, body, len);
}

static void redirect(int fd, const char *location)
{
    char extra[600];
    snprintf(extra, sizeof extra, "Location: %s\r\n", location);
    respond(fd, "302 Found", "text/plain", "", 0, extra);
}

/* DIR/name in a new buffer; NULL when missing. */
static char *read_fixture(const char *name, size_t *len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", g_dir, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    struct stat st;
    char *data = NULL;
    if (fstat(fileno(f), &st) == 0 && st.st_size > 0 && (data = malloc((size_t)st.st_size)) != NULL)
        *len = fread(data, 1, (size_t)st.st_size, f);
    fclose(f);
    return data;
}

static void serve_fixture(int fd, const char *name)
{
    size_t len = 0;
    char *data = read_fixture(name, &len);
    if (!data) {
        static const char msg[] = "no such fixture\n";
        respond(fd, "404 Not Found", "text/plain", msg, sizeof msg - 1, NULL);
        return;
    }
    respond(fd, "200 OK", "application/octet-stream", data, len, NULL);
    free(data);
}

static long query_long(const request *r, const char *key, long def)
{
    size_t k = strlen(key);
    for (const char *p = r->query; *p;) {
        if (strncmp(p, key, k) == 0 && p[k] == '=')
            return strtol(p + k + 1, NULL, 10);
        const char *amp = strchr(p, '&');
        if (!amp)
            break;
        p = amp + 1;
    }
    return def;
}

/* ------------------------------------------------------------ routes */

static void h_pprof(const request *r)
{
    const char *name = r->path + strlen("/debug/pprof/");
    if (!*name || name[0] == '.' || strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") != strlen(name)) {
        static const char msg[] = "bad profile name\n";
        respond(r->fd, "404 Not Found", "text/plain", msg, sizeof msg - 1, NULL);
        return;
    }
    long seconds = query_long(r, "seconds", 0);
    if (seconds > 30)
        seconds = 30;
    if (seconds > 0 && wait_hangup(r->fd, seconds * 1000))
        return; /* the client gave up */
    serve_fixture(r->fd, name);
}

/* Request k (1-based) waits until the group of n it belongs to is complete. */
static void h_barrier(const request *r)
{
    long n = query_long(r, "n", 2);
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 5;
    pthread_mutex_lock(&g_lock);
    long k = ++g_barrier_arrived;
    long goal = ((k - 1) / n + 1) * n;
    pthread_cond_broadcast(&g_cond);
    int rc = 0;
    while (g_barrier_arrived < goal && rc == 0)
        rc = pthread_cond_timedwait(&g_cond, &g_lock, &until);
    long arrived = g_barrier_arrived;
    pthread_mutex_unlock(&g_lock);
    if (arrived < goal) {
        char msg[128];
        int len = snprintf(msg, sizeof msg, "barrier: %ld of %ld requests arrived together\n", arrived - (goal - n), n);
        respond(r->fd, "503 Service Unavailable", "text/plain", msg, (size_t)len, NULL);
        return;
    }
    serve_fixture(r->fd, "profile");
}

static void h_auth(const request *r)
{
    if (strcmp(r->auth, "Basic dXNlcjpzM2NyZXQ=") == 0) { /* user:s3cret */
        serve_fixture(r->fd, "heap");
        return;
    }
    static const char msg[] = "credentials required\n";
    respond(r->fd, "401 Unauthorized", "text/plain", msg, sizeof msg - 1, "WWW-Authenticate: Basic realm=\"pprof\"\r\n");
}

static void h_404(const request *r)
{
    static const char body[] = "<!DOCTYPE html>\n<html><head><title>404 Not Found</title>\n"
                               "<style>body { color: red }</style></head>\n<body><h1>Not Found</h1>\n"
                               "<p>The requested   profile\r\n was not found on this server.</p></body></html>\n";
    respond(r->fd, "404 Not Found", "text/html", body, sizeof body - 1, NULL);
}

static void h_500(const request *r)
{
    /* ESC sequences (colour, window title, screen clear), an 8-bit CSI
     * (C1, as UTF-8 and raw), a bidi override, BEL, CR and invalid UTF-8. */
    static const char body[] = "profiling failed: \x1b[31mred\x1b[0m \x1b]0;owned\x07 \xc2\x9b"
                               "2J \x9b"
                               "2J \xe2\x80\xae" "abc\r\nline two \xff\xfe end\n";
    respond(r->fd, "500 Internal Server Error", "text/plain; charset=utf-8", body, sizeof body - 1,
            "X-Go-Pprof: 1\r\n");
}

static void h_html(const request *r)
{
    static const char body[] = "<!DOCTYPE html>\n<html><head><title>Sign in</title></head>\n"
                               "<body><form method=post><input name=user><input type=password name=pw>"
                               "</form></body></html>\n";
    respond(r->fd, "200 OK", "text/html", body, sizeof body - 1, NULL);
}

/* Checklist 11 over HTTP: the profile's .pb.gz gzipped again and sent as
 * Content-Encoding: gzip (fixture "gzip-of-gzip", made by run.sh), a second
 * layer pprof must refuse rather than inflate. */
static void h_content_encoding(const request *r)
{
    size_t len = 0;
    char *data = read_fixture("gzip-of-gzip", &len);
    if (!data)
        return;
    respond(r->fd, "200 OK", "application/octet-stream", data, len, "Content-Encoding: gzip\r\n");
    free(data);
}

static void h_empty(const request *r) { respond(r->fd, "200 OK", "application/octet-stream", "", 0, NULL); }

/* A profile.proto whose mapping file and sample type hold '/', "..",
 * blanks and escape sequences: the saved file's name must not follow them. */
static void h_evil_names(const request *r)
{
    static const char *const strings[] = {
        "", "../../../../tmp/pwned\x1b[31m", "count/../x", "/srv/..\x1b]0;t\x07/evil bin\x1b[2J;rm -rf",
    };
    static const uint8_t vt[] = {0x08, 0x01, 0x10, 0x02};
    static const uint8_t sample[] = {0x08, 0x01, 0x10, 0x07};
    static const uint8_t mapping[] = {0x08, 0x01, 0x10, 0x80, 0x20, 0x18, 0x80, 0x40, 0x28, 0x03};
    static const uint8_t location[] = {0x08, 0x01, 0x10, 0x01, 0x18, 0x80, 0x22};
    uint8_t out[512];
    size_t n = 0;
    const struct {
        uint8_t tag;
        const uint8_t *data;
        size_t len;
    } fields[] = {{0x0a, vt, sizeof vt}, {0x12, sample, sizeof sample}, {0x1a, mapping, sizeof mapping},
                  {0x22, location, sizeof location}};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        out[n++] = fields[i].tag;
        out[n++] = (uint8_t)fields[i].len;
        memcpy(out + n, fields[i].data, fields[i].len);
        n += fields[i].len;
    }
    for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++) {
        size_t len = strlen(strings[i]);
        out[n++] = 0x32;
        out[n++] = (uint8_t)len;
        memcpy(out + n, strings[i], len);
        n += len;
    }
    respond(r->fd, "200 OK", "application/octet-stream", out, n, NULL);
}

static void h_stall_headers(const request *r) { wait_hangup(r->fd, g_deadline * 1000L); }

static void h_stall_body(const request *r)
{
    size_t len = 0;
    char *data = read_fixture("profile", &len);
    if (!data || len < 200)
        return;
    head(r->fd, "200 OK", "application/octet-stream", (long long)len, NULL);
    send_all(r->fd, data, 100);
    free(data);
    wait_hangup(r->fd, g_deadline * 1000L);
}

static void h_trickle(const request *r)
{
    size_t len = 0;
    char *data = read_fixture("profile", &len);
    if (!data)
        return;
    head(r->fd, "200 OK", "application/octet-stream", (long long)len, NULL);
    for (size_t i = 0; i < len; i++)
        if (send_all(r->fd, data + i, 1) != 0 || wait_hangup(r->fd, 100))
            break;
    free(data);
}

static void h_endless(const request *r)
{
    static char zeros[64 * 1024];
    head(r->fd, "200 OK", "application/octet-stream", -1, NULL);
    send_all(r->fd, "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff", 10); /* looks like gzip */
    while (send_all(r->fd, zeros, sizeof zeros) == 0)
        ;
}

/* A header line of 200 KB (libcurl refuses lines over 100 KB). */
static void h_huge_header(const request *r)
{
    size_t n = 200 * 1024;
    char *line = malloc(n + 32);
    if (!line)
        return;
    memcpy(line, "HTTP/1.1 200 OK\r\nX-Big: ", 25);
    memset(line + 25, 'a', n);
    memcpy(line + 25 + n, "\r\n\r\n", 4);
    send_all(r->fd, line, 25 + n + 4);
    free(line);
}

static void h_huge_length(const request *r)
{
    head(r->fd, "200 OK", "application/octet-stream", 1LL << 40, NULL);
    wait_hangup(r->fd, 5000);
}

static void close_mid_body(const request *r, bool with_length)
{
    size_t len = 0;
    char *data = read_fixture("profile", &len);
    if (!data)
        return;
    head(r->fd, "200 OK", "application/octet-stream", with_length ? (long long)len : -1, NULL);
    send_all(r->fd, data, len / 2);
    free(data);
}

static void h_close_mid_body(const request *r) { close_mid_body(r, true); }
static void h_close_mid_body_nolen(const request *r) { close_mid_body(r, false); }
static void h_redir_loop(const request *r) { redirect(r->fd, "/redir-loop"); }
static void h_redir_file(const request *r) { redirect(r->fd, "file:///etc/passwd"); }
static void h_redir_ok(const request *r) { redirect(r->fd, "/debug/pprof/heap"); }

/* Another host name for the same server: credentials must not follow. */
static void h_redir_other_host(const request *r)
{
    char to[128];
    snprintf(to, sizeof to, "http://localhost:%d/auth", g_port);
    redirect(r->fd, to);
}

static const struct {
    const char *path;
    void (*fn)(const request *);
} routes[] = {
    {"/barrier", h_barrier},
    {"/auth", h_auth},
    {"/404", h_404},
    {"/500", h_500},
    {"/html", h_html},
    {"/empty", h_empty},
    {"/content-encoding-gzip", h_content_encoding},
    {"/evil-names", h_evil_names},
    {"/stall-headers", h_stall_headers},
    {"/stall-body", h_stall_body},
    {"/trickle", h_trickle},
    {"/endless", h_endless},
    {"/huge-length", h_huge_length},
    {"/huge-header", h_huge_header},
    {"/close-mid-body", h_close_mid_body},
    {"/close-mid-body-nolen", h_close_mid_body_nolen},
    {"/redir-loop", h_redir_loop},
    {"/redir-file", h_redir_file},
    {"/redir-ok", h_redir_ok},
    {"/redir-other-host", h_redir_other_host},
};

/* ------------------------------------------------------------ requests */


/* The symbol service: names for the addresses of the POST body. */
static void h_symbol(const request *r, const char *mode)
{
    if (strcmp(mode, "500") == 0) {
        static const char msg[] = "symbolizer exploded\n";
        respond(r->fd, "500 Internal Server Error", "text/plain", msg, sizeof msg - 1, NULL);
        return;
    }
    if (strcmp(mode, "garbage") == 0) {
        char junk[4096];
        for (size_t i = 0; i < sizeof junk; i++)
            junk[i] = (char)(i * 131 + 7);
        static const char start[] = "0xzz not an address\n\x1b[31m0x\n";
        memcpy(junk, start, sizeof start - 1);
        respond(r->fd, "200 OK", "text/plain", junk, sizeof junk, NULL);
        return;
    }
    if (strcmp(mode, "huge") == 0) {
        head(r->fd, "200 OK", "text/plain", -1, NULL);
        char line[64];
        for (unsigned long i = 0;; i++) {
            int n = snprintf(line, sizeof line, "0x%lx fn%lu\n", 0x100000UL + i, i);
            if (send_all(r->fd, line, (size_t)n) != 0)
                return;
        }
    }
    if (strcmp(mode, "slow") == 0) {
        head(r->fd, "200 OK", "text/plain", -1, NULL);
        for (int i = 0; i < 120; i++) {
            if (send_all(r->fd, "0", 1) != 0)
                return;
            sleep(1);
        }
        return;
    }
    size_t len = 0;
    char *src = read_fixture("heap.legacy.txt", &len);
    char *out = malloc(r->body_len * 8 + 64);
    size_t w = 0;
    if (!out) {
        free(src);
        return;
    }
    for (const char *a = r->body; src && *a;) {
        unsigned long long want = strtoull(a, NULL, 0);
        /* "#\t0xPC\tname+0xoff": the stack holds PC+1. */
        for (const char *l = src; l && l < src + len; l = memchr(l, '\n', (size_t)(src + len - l)), l = l ? l + 1 : NULL) {
            if (l[0] != '#' || l[1] != '\t')
                continue;
            char *e;
            unsigned long long pc = strtoull(l + 2, &e, 16);
            if ((pc != want && pc + 1 != want) || *e != '\t')
                continue;
            const char *name = e + 1;
            size_t nl = strcspn(name, "+\t\n");
            if (w + nl + 40 < r->body_len * 8 + 64)
                w += (size_t)sprintf(out + w, "%#llx %.*s\n", want, (int)nl, name);
            break;
        }
        const char *plus = strchr(a, '+');
        if (!plus)
            break;
        a = plus + 1;
    }
    respond(r->fd, "200 OK", "text/plain", out, w, NULL);
    free(out);
    free(src);
}

static void h_sym_prefix(const request *r)
{
    /* /sym-MODE/debug/pprof/NAME */
    const char *mode = r->path + 5;
    const char *rest = strchr(mode, '/');
    char m[32];
    if (!rest || (size_t)(rest - mode) >= sizeof m || strncmp(rest, "/debug/pprof/", 13) != 0) {
        respond(r->fd, "404 Not Found", "text/plain", "no such path\n", 13, NULL);
        return;
    }
    snprintf(m, sizeof m, "%.*s", (int)(rest - mode), mode);
    const char *name = rest + 13;
    if (strcmp(name, "symbol") == 0) {
        h_symbol(r, m);
        return;
    }
    request copy = *r;
    snprintf(copy.path, sizeof copy.path, "/debug/pprof/%s", name);
    h_pprof(&copy);
}

/* Reads the request head; 0 or -1 (bad or timed out). */
static int read_request(request *r)
{
    char buf[16384];
    size_t len = 0;
    struct timeval tv = {5, 0};
    setsockopt(r->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    while (len < sizeof buf - 1) {
        ssize_t n = recv(r->fd, buf + len, sizeof buf - 1 - len, 0);
        if (n <= 0)
            return -1;
        len += (size_t)n;
        buf[len] = 0;
        if (strstr(buf, "\r\n\r\n"))
            break;
    }
    char method[16];
    if (sscanf(buf, "%15s %2047s", method, r->target) != 2)
        return -1;
    const char *t = r->target;
    if (strncmp(t, "http://", 7) == 0) { /* absolute form: we are the proxy */
        t = strchr(t + 7, '/');
        if (!t)
            t = "/";
    }
    snprintf(r->path, sizeof r->path, "%s", t);
    char *q = strchr(r->path, '?');
    if (q) {
        snprintf(r->query, sizeof r->query, "%s", q + 1);
        *q = 0;
    }
    char *end = strstr(buf, "\r\n\r\n");
    for (char *line = strstr(buf, "\r\n"); line && line[2] && line < end; line = strstr(line + 2, "\r\n")) {
        if (strncasecmp(line + 2, "Authorization: ", 15) == 0)
            snprintf(r->auth, sizeof r->auth, "%.*s", (int)strcspn(line + 17, "\r\n"), line + 17);
        if (strncasecmp(line + 2, "Content-Length: ", 16) == 0)
            r->content_length = strtol(line + 18, NULL, 10);
    }
    if (end) {
        size_t got = len - (size_t)(end + 4 - buf);
        if (got > sizeof r->body - 1)
            got = sizeof r->body - 1;
        memcpy(r->body, end + 4, got);
        r->body_len = got;
    }
    /* The rest of a small body. */
    while (r->content_length > 0 && r->body_len < (size_t)r->content_length && r->body_len < sizeof r->body - 1) {
        ssize_t n = recv(r->fd, r->body + r->body_len, sizeof r->body - 1 - r->body_len, 0);
        if (n <= 0)
            break;
        r->body_len += (size_t)n;
    }
    r->body[r->body_len] = 0;
    return 0;
}

static void *serve(void *arg)
{
    request *r = arg;
    if (read_request(r) == 0) {
        pthread_mutex_lock(&g_lock);
        if (g_log) {
            fprintf(g_log, "%s auth=%s\n", r->target, r->auth[0] ? r->auth : "-");
            fflush(g_log);
        }
        pthread_mutex_unlock(&g_lock);
        void (*fn)(const request *) = NULL;
        if (strncmp(r->path, "/debug/pprof/", 13) == 0)
            fn = h_pprof;
        else if (strncmp(r->path, "/sym-", 5) == 0)
            fn = h_sym_prefix;
        for (size_t i = 0; !fn && i < sizeof routes / sizeof routes[0]; i++)
            if (strcmp(r->path, routes[i].path) == 0)
                fn = routes[i].fn;
        if (fn)
            fn(r);
        else
            respond(r->fd, "404 Not Found", "text/plain", "no such path\n", 13, NULL);
    }
    close(r->fd);
    free(r);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 4) {
        fprintf(stderr, "usage: http_server DIR [DEADLINE_SECONDS [LOGFILE]]\n");
        return 2;
    }
    g_dir = argv[1];
    if (argc > 2)
        g_deadline = atoi(argv[2]);
    if (g_deadline <= 0)
        g_deadline = 60;
    if (argc > 3 && !(g_log = fopen(argv[3], "a"))) {
        perror(argv[3]);
        return 1;
    }
    alarm((unsigned)g_deadline); /* SIGALRM ends the process: the tests never hang on us */
    signal(SIGPIPE, SIG_IGN);
    int s = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t alen = sizeof a;
    if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) != 0 || listen(s, 64) != 0 ||
        getsockname(s, (struct sockaddr *)&a, &alen) != 0) {
        perror("http_server: listen");
        return 1;
    }
    g_port = ntohs(a.sin_port);
    printf("%d\n", g_port);
    fflush(stdout);
    for (;;) {
        int fd = accept(s, NULL, NULL);
        if (fd < 0) {
            if (errno == EINTR)
                continue;
            perror("http_server: accept");
            return 1;
        }
        request *r = calloc(1, sizeof *r);
        pthread_t t;
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        if (!r || (r->fd = fd, pthread_create(&t, &attr, serve, r) != 0)) {
            close(fd);
            free(r);
        }
        pthread_attr_destroy(&attr);
    }
}
