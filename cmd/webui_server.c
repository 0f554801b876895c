/* webui_server.c: -http: the libmicrohttpd daemon, the Host and peer checks, the path table (pprof's /ui/ paths), redirects, save/delete of configurations, and a clean stop on Ctrl-C. */
#include "webui.h"

#define DYNLIB_WANT_MHD
#include "dynlib.h"

#include <arpa/inet.h>
#include <errno.h>
#include <malloc.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---------------------------------------------------------------- small replies */

static int reply(struct MHD_Connection *conn, int status, const char *type, const char *body, const char *location)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, "Content-Type", type);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    if (location)
        MHD_add_response_header(r, "Location", location);
    int rc = MHD_queue_response(conn, (unsigned)status, r);
    MHD_destroy_response(r);
    return rc;
}

static webui_server *the_server; /* for the logger, which has no context of its own here */

static int reply_error(struct MHD_Connection *conn, int status, const char *msg)
{
    char body[1200];
    snprintf(body, sizeof body, "%s\n", msg);
    webui_log(the_server, body, strlen(body));
    return reply(conn, status, "text/plain; charset=utf-8", body, NULL);
}

static int reply_webui(struct MHD_Connection *conn, webui_reply *r)
{
    if (r->status >= 400)
        webui_log(the_server, (const char *)r->body.data, r->body.len);
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(r->body.len, r->body.data ? (void *)r->body.data : (void *)"", MHD_RESPMEM_MUST_COPY);
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, "Content-Type", r->type ? r->type : "text/plain; charset=utf-8");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    int rc = MHD_queue_response(conn, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    return rc;
}

/* ---------------------------------------------------------------- the query, re-encoded for a redirect */

typedef struct query_ctx {
    pprof_buf *b;
} query_ctx;

static enum MHD_Result add_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    query_ctx *q = cls;
    pprof_buf_puts(q->b, q->b->len ? "&" : "?");
    webui_url_value(q->b, key);
    if (value) {
        pprof_buf_puts(q->b, "=");
        webui_url_value(q->b, value);
    }
    return MHD_YES;
}

static int redirect(struct MHD_Connection *conn, int status, const char *to)
{
    pprof_buf q = {0};
    query_ctx ctx = {&q};
    MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, add_arg, &ctx);
    pprof_buf loc = {0};
    pprof_buf_puts(&loc, to);
    if (q.len)
        pprof_buf_append(&loc, q.data, q.len);
    pprof_buf_append(&loc, "", 1);
    int rc = loc.failed ? MHD_NO : reply(conn, status, "text/html; charset=utf-8", "", (const char *)loc.data);
    pprof_buf_release(&q);
    pprof_buf_release(&loc);
    return rc;
}

/* Go's path.Clean for a URL path: "//" collapsed, "." and ".." resolved;
 * a trailing slash kept. Writes into out (as long as path). */
static void clean_path(char *out, const char *path)
{
    size_t n = 0;
    out[n++] = '/';
    for (const char *p = path; *p;) {
        while (*p == '/')
            p++;
        const char *e = p;
        while (*e && *e != '/')
            e++;
        size_t len = (size_t)(e - p);
        if (len == 1 && p[0] == '.') {
            /* nothing */
        } else if (len == 2 && p[0] == '.' && p[1] == '.') {
            while (n > 1 && out[n - 1] == '/')
                n--;
            while (n > 1 && out[n - 1] != '/')
                n--;
        } else if (len) {
            if (out[n - 1] != '/')
                out[n++] = '/';
            memcpy(out + n, p, len);
            n += len;
        }
        p = e;
    }
    size_t plen = strlen(path);
    if (plen > 1 && path[plen - 1] == '/' && out[n - 1] != '/')
        out[n++] = '/';
    out[n] = 0;
}

/* ---------------------------------------------------------------- checks */

/* DNS rebinding: a page from another site reaches this server under that
 * site's name. The Host header must name this server: an IP address
 * literal, "localhost", or the host given to -http, with our port if any. */
static bool host_allowed(const webui_server *srv, const char *host)
{
    if (!host || !*host)
        return false;
    char name[300];
    size_t n = strlen(host);
    if (n >= sizeof name)
        return false;
    memcpy(name, host, n + 1);
    char *port = NULL;
    if (name[0] == '[') {
        char *close = strchr(name, ']');
        if (!close)
            return false;
        if (close[1] == ':')
            port = close + 2;
        else if (close[1])
            return false;
        *close = 0;
        memmove(name, name + 1, strlen(name + 1) + 1);
    } else {
        char *colon = strchr(name, ':');
        if (colon) {
            if (strchr(colon + 1, ':'))
                return false;
            *colon = 0;
            port = colon + 1;
        }
    }
    if (port) {
        char *end;
        unsigned long p = strtoul(port, &end, 10);
        if (!*port || *end || p != __atomic_load_n(&srv->port, __ATOMIC_ACQUIRE))
            return false;
    }
    unsigned char addr[16];
    if (inet_pton(AF_INET, name, addr) == 1 || inet_pton(AF_INET6, name, addr) == 1)
        return true;
    return strcasecmp(name, "localhost") == 0 || (srv->host[0] && strcasecmp(name, srv->host) == 0);
}

static bool peer_is_loopback(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (!ci || !ci->client_addr)
        return false;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        return (ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr) >> 24) == 127;
    if (sa->sa_family == AF_INET6) {
        const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
        return IN6_IS_ADDR_LOOPBACK(a) ||
               (IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127);
    }
    return false;
}

/* Saving or deleting a configuration changes a file: only a POST (or
 * DELETE) sent by a page of this server, as its Origin header shows. */
static bool same_origin(struct MHD_Connection *conn)
{
    const char *origin = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Origin");
    const char *host = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Host");
    if (!origin || !host || strncmp(origin, "http://", 7) != 0)
        return false;
    return strcmp(origin + 7, host) == 0;
}

/* ---------------------------------------------------------------- requests */

static int handle_config(webui_server *srv, struct MHD_Connection *conn, const char *method, bool save)
{
    if (strcmp(method, "POST") != 0 && !(strcmp(method, "DELETE") == 0 && !save))
        return reply_error(conn, 405, save ? "saving a configuration needs a POST" : "deleting a configuration needs a POST or DELETE");
    if (!same_origin(conn))
        return reply_error(conn, 403, "permission denied: not sent by a page of this server");
    if (!srv->settings_path)
        return reply_error(conn, 500, "neither $XDG_CONFIG_HOME nor $HOME are defined");
    const char *name = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "config");
    webui_reply r = {0};
    r.status = 200;
    r.type = "text/plain; charset=utf-8";
    webui_request req = {0};
    req.srv = srv;
    if (config_copy(&req.cfg, srv->base) != 0) {
        config_release(&req.cfg);
        return reply_error(conn, 500, "out of memory");
    }
    pthread_mutex_lock(&srv->settings_lock);
    if (!save)
        webui_settings_delete(&r, srv->settings_path, name);
    else if (webui_params_apply(&req, conn, &r) == 0)
        webui_settings_save(&r, srv->settings_path, name, &req.cfg);
    pthread_mutex_unlock(&srv->settings_lock);
    config_release(&req.cfg);
    int rc = reply_webui(conn, &r);
    pprof_buf_release(&r.body);
    return rc;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                              const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
    webui_server *srv = cls;
    static int first_call;
    if (*con_cls == NULL) {
        *con_cls = &first_call;
        return MHD_YES;
    }
    if (*upload_data_size) {
        /* Request bodies are not used; MHD's memory limit bounds them. */
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (!host_allowed(srv, MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Host")))
        return reply_error(conn, 403, "permission denied: the Host header does not name this server");
    if (srv->loopback && !peer_is_loopback(conn))
        return reply_error(conn, 403, "permission denied");
    size_t ulen = strlen(url);
    char *clean = malloc(ulen + 3);
    if (!clean)
        return reply_error(conn, 500, "out of memory");
    clean_path(clean, url);
    if (strcmp(clean, url) != 0) {
        /* An unclean path (//, /./, /../) is redirected to its clean form. */
        int rc = redirect(conn, 301, clean);
        free(clean);
        return rc;
    }
    free(clean);
    if (strncmp(url, "/ui/", 4) != 0)
        return redirect(conn, strcmp(url, "/ui") == 0 ? 301 : 307, "/ui/");
    const char *path = url + 4;
    if (strcmp(path, "saveconfig") == 0 || strcmp(path, "deleteconfig") == 0)
        return handle_config(srv, conn, method, path[0] == 's');
    const webui_view *view = NULL;
    for (size_t i = 0; i < webui_n_views; i++)
        if (strcmp(webui_views[i].path, path) == 0)
            view = &webui_views[i];
    if (!view)
        return reply_error(conn, 404, "404 page not found");
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
        return reply_error(conn, 405, "method not allowed");
    webui_request req = {0};
    req.srv = srv;
    req.view = view;
    if (config_copy(&req.cfg, srv->base) != 0) {
        config_release(&req.cfg);
        return reply_error(conn, 500, "out of memory");
    }
    webui_reply r = {0};
    int rc;
    if (webui_params_apply(&req, conn, &r) != 0)
        rc = reply_webui(conn, &r);
    else if (!view->fn)
        rc = webui_serve_download(srv, conn);
    else
        rc = webui_run_view(srv, conn, &req);
    pprof_buf_release(&r.body);
    config_release(&req.cfg);
    return rc ? MHD_YES : MHD_NO;
}

static void log_mhd(void *cls, const char *fmt, va_list ap)
{
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n && msg[n - 1] == '\n')
        msg[--n] = 0;
    pthread_mutex_lock(&the_server->log_lock);
    cmd_note("http: %s", msg);
    pthread_mutex_unlock(&the_server->log_lock);
}

/* ---------------------------------------------------------------- start and stop */

/* Splits host:port; an empty host is localhost, an empty port 0 (any). */
static int split_address(const char *addr, char *host, size_t hn, unsigned *port)
{
    const char *colon = strrchr(addr, ':');
    if (!colon || (addr[0] == '[' && colon < strchr(addr, ']'))) {
        cmd_error("could not split http address: address %s: missing port in address", addr);
        return EXIT_USAGE;
    }
    size_t n = (size_t)(colon - addr);
    if (n >= 2 && addr[0] == '[' && addr[n - 1] == ']')
        addr++, n -= 2;
    if (n >= hn) {
        cmd_error("could not split http address: address too long");
        return EXIT_USAGE;
    }
    memcpy(host, addr, n);
    host[n] = 0;
    const char *p = colon + 1;
    char *end;
    unsigned long v = strtoul(p, &end, 10);
    if (*end || v > 65535 || (*p && (*p < '0' || *p > '9'))) {
        cmd_error("invalid port number: %s", p);
        return EXIT_USAGE;
    }
    *port = (unsigned)v;
    return 0;
}

static bool is_loopback(const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET)
        return (ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr) >> 24) == 127;
    return sa->sa_family == AF_INET6 && IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)sa)->sin6_addr);
}

int cmd_webui_serve(pprof_profile *p, const pprof_config *cfg, const cmd_args *args)
{
    char why[512];
    if (dynlib_load(DYNLIB_MHD, why, sizeof why) != 0 || dynlib_load(DYNLIB_JSONC, why, sizeof why) != 0) {
        cmd_error("%s", why);
        return EXIT_DATA;
    }
    static webui_server srv; /* threads and the signal wait share it for the life of the server */
    memset(&srv, 0, sizeof srv);
    srv.profile = p;
    srv.base = cfg;
    srv.args = args;
    pthread_mutex_init(&srv.settings_lock, NULL);
    pthread_mutex_init(&srv.log_lock, NULL);
    the_server = &srv;
    pthread_mutex_init(&srv.slots_lock, NULL);
    pthread_mutex_init(&srv.download_lock, NULL);
    pthread_cond_init(&srv.download_made, NULL);
    pthread_mutex_init(&srv.frames_lock, NULL);
    pthread_cond_init(&srv.frames_made, NULL);
    pthread_cond_init(&srv.slots_free, NULL);
    char host[256];
    if (split_address(args->http, host, sizeof host, &srv.port) != 0)
        return EXIT_USAGE;
    /* No host: localhost only, never every interface. */
    snprintf(srv.host, sizeof srv.host, "%s", *host ? host : "localhost");
    struct addrinfo hints = {0}, *ai = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    const char *lookup = *host ? host : "127.0.0.1";
    int gai = getaddrinfo(lookup, NULL, &hints, &ai);
    if (gai != 0 || !ai) {
        cmd_error("listen tcp %s: lookup %s: %s", args->http, lookup, gai_strerror(gai));
        return EXIT_USAGE;
    }
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    memcpy(&ss, ai->ai_addr, ai->ai_addrlen);
    freeaddrinfo(ai);
    if (ss.ss_family == AF_INET)
        ((struct sockaddr_in *)&ss)->sin_port = htons((uint16_t)srv.port);
    else
        ((struct sockaddr_in6 *)&ss)->sin6_port = htons((uint16_t)srv.port);
    srv.loopback = is_loopback((struct sockaddr *)&ss);
    srv.settings_path = webui_settings_path();
    struct stat st;
    srv.capture_dir = args->n_sources == 1 && stat(args->sources[0], &st) == 0 && S_ISDIR(st.st_mode) &&
                      webui_captures_scan(&srv.captures, &srv.n_captures, args->sources[0]) == 0 &&
                      srv.n_captures >= 2;

    /* Memory freed while loading goes back to the system: a view's child
     * would otherwise reuse it and copy each page it writes (copy-on-write),
     * which made views take twice the CPU time. */
    malloc_trim(0);
    /* Hundreds of connection threads would each get a malloc arena that
     * keeps its memory; two arenas keep the server's memory flat. */
    mallopt(M_ARENA_MAX, 2);

    /* Signals are taken by sigwait below: every thread blocks them. */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);

    unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO |
                     MHD_USE_ERROR_LOG | (ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0);
    struct MHD_Daemon *d = MHD_start_daemon(
        flags, (uint16_t)srv.port, NULL, NULL, handle, &srv, MHD_OPTION_EXTERNAL_LOGGER, log_mhd, NULL,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)WEBUI_CONNECTIONS, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)WEBUI_IDLE_TIMEOUT_S, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(1 << 20),
        MHD_OPTION_STRICT_FOR_CLIENT, (int)1, MHD_OPTION_END);
    if (!d) {
        cmd_error("listen tcp %s: %s", args->http, errno ? strerror(errno) : "cannot start the server");
        free(srv.settings_path);
        webui_captures_free(srv.captures, srv.n_captures);
        return EXIT_USAGE;
    }
    if (srv.port == 0) {
        /* The connection threads already run and read the port (the Host
         * check): it is published atomically. */
        const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
        if (di)
            __atomic_store_n(&srv.port, (unsigned)di->port, __ATOMIC_RELEASE);
    }
    char url[400];
    bool v6 = strchr(srv.host, ':') != NULL;
    snprintf(url, sizeof url, "http://%s%s%s:%u", v6 ? "[" : "", srv.host, v6 ? "]" : "", srv.port);
    webui_download_start(&srv);
    cmd_note("Serving web UI on %s", url);
    if (!args->no_browser) {
        char page[450];
        snprintf(page, sizeof page, "%s/ui/", url);
        if (!cmd_view_file(page))
            cmd_note("no browser found (set $BROWSER): open %s", page);
    }
    int sig = 0;
    while (sigwait(&sigs, &sig) != 0)
        ;
    webui_kill_views(&srv);
    MHD_stop_daemon(d);
    webui_download_stop(&srv);
    pprof_buf_release(&srv.download);
    free(srv.settings_path);
    webui_captures_free(srv.captures, srv.n_captures);
    return EXIT_OK;
}
