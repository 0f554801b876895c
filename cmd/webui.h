/* webui.h: internal interfaces of the web UI (-http): the server, the per-request settings, the views and their pages. */
#ifndef PPROF_CMD_WEBUI_H
#define PPROF_CMD_WEBUI_H

#include "cmd.h"

#include <pthread.h>
#include <sys/types.h>

struct webui_capture;

/* Serves the web UI for p on args->http until SIGINT or SIGTERM. The
 * profile is loaded once; every request works on it read-only (a view
 * that filters runs in a forked child, a copy-on-write view). Returns an
 * exit code. */
int cmd_webui_serve(pprof_profile *p, const pprof_config *cfg, const cmd_args *args);

/* The embedded pages' files (cmd/webui/, made into C arrays at build time). */
typedef struct webui_asset {
    const char *name;
    const unsigned char *data;
    size_t len;
} webui_asset;
extern const webui_asset webui_assets[]; /* generated: build/gen/webui_assets.c */
extern const size_t webui_n_assets;
const webui_asset *webui_asset_find(const char *name);

/* Limits of one request. */
enum {
    WEBUI_MAX_WORKERS = 4,         /* views computed at once (each a child process) */
    WEBUI_TIMEOUT_S = 60,          /* a view is stopped after this */
    WEBUI_CONNECTIONS = 512,       /* open connections at once */
    WEBUI_IDLE_TIMEOUT_S = 30,     /* an idle or half-sent request is closed */
    WEBUI_QUEUE_S = 300,           /* a request waits this long for a free worker, then gets 503 */
};
#define WEBUI_MAX_OUTPUT ((size_t)512 << 20) /* bytes of one reply */

/* The running server: what every request reads. */
typedef struct webui_server {
    pprof_profile *profile;      /* read-only while serving */
    const pprof_config *base;    /* the command line's settings: every request starts from them */
    const cmd_args *args;
    char host[256];              /* as bound, for the Host check and the printed URL */
    unsigned port;               /* atomic: set once the server runs when it was 0 (any) */
    bool loopback;               /* bound to a loopback address: check Host and peer */
    bool capture_dir;            /* the one source is a directory: the compare view works */
    char *settings_path;         /* pprof's settings.json, NULL when there is no $HOME */
    pthread_mutex_t settings_lock;
    pthread_mutex_t log_lock;    /* stderr: held around fork, so no child starts with stdio locked */
    pthread_mutex_t slots_lock;  /* views running at once */
    pthread_cond_t slots_free;
    int slots_used;
    pid_t running[WEBUI_CONNECTIONS];
    struct webui_capture *captures; /* capture_dir: its timed profiles, oldest first */
    size_t n_captures;
    /* /ui/download: the profile encoded once, by a background thread
     * right after the server starts (webui_download_start), else at the
     * first download; its query is ignored, so every download is the same
     * bytes */
    pthread_mutex_t download_lock;
    pthread_cond_t download_made; /* the thread tried: download_pending cleared */
    pprof_buf download;
    bool download_done;
    bool download_pending; /* the background thread has yet to try */
    bool download_thread_started;
    pthread_t download_thread;
    /* The same thread first names the flame graph's frames
     * (pprof_profile_index_frames); a flame graph view waits for them
     * (frames_done, under frames_lock) before its child is forked. */
    pthread_mutex_t frames_lock;
    pthread_cond_t frames_made;
    bool frames_done;
} webui_server;

/* A profile of the capture directory and its time span. */
typedef struct webui_capture {
    char *path;
    int64_t time, duration;
} webui_capture;

/* Lists the timed profiles of dir (their headers only), oldest first. */
int webui_captures_scan(webui_capture **out, size_t *n, const char *dir);
void webui_captures_free(webui_capture *c, size_t n);

/* A reply: status, content type and body, built by a view. */
typedef struct webui_reply {
    int status;
    const char *type;
    const char *disposition; /* Content-Disposition, or NULL */
    pprof_buf body;
} webui_reply;

/* Sets an error reply: text/plain, the message and a newline. */
void webui_reply_error(webui_reply *r, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* One request's settings: the base configuration with the URL's
 * parameters applied, and the view asked for. */
typedef struct webui_request {
    const webui_server *srv;
    const struct webui_view *view;
    pprof_config cfg;
    const char *arg;      /* f: the regexp argument of peek, source and disasm */
    const char *tv;       /* tv: the label panel's filter, a regexp on values and keys (NULL: none) */
    int cmp[4];           /* the compare view's windows: first and last capture of A, then of B (-1: default) */
} webui_request;

/* Applies the query parameters of conn to req->cfg (which holds the base
 * configuration). Returns 0, or fills r with a 400 reply. */
struct MHD_Connection;
int webui_params_apply(webui_request *req, struct MHD_Connection *conn, webui_reply *r);

/* A view: a path under /ui/ and the function that builds its reply, run
 * in a child process on a copy-on-write view of the profile. */
typedef int (*webui_view_fn)(webui_reply *out, webui_request *req, pprof_profile *p);
typedef struct webui_view {
    const char *path;    /* after /ui/ */
    const char *command; /* the report command whose defaults apply ("dot", "top", ...) */
    webui_view_fn fn;
    bool frames;         /* waits for the flame graph's frame names (webui_server.frames_done) */
} webui_view;
extern const webui_view webui_views[];
/* Views beyond pprof's: the label panel and the compare view. */
int webui_view_tags(webui_reply *out, webui_request *req, pprof_profile *p);
int webui_view_compare(webui_reply *out, webui_request *req, pprof_profile *p);
extern const size_t webui_n_views;

/* Runs fn in a child process and streams its reply to conn; returns MHD's
 * result. The child is killed after WEBUI_TIMEOUT_S or past
 * WEBUI_MAX_OUTPUT bytes. */
int webui_run_view(webui_server *srv, struct MHD_Connection *conn, const webui_request *req);
/* /ui/download: the loaded profile re-encoded (gzipped protobuf), made
 * once by the server (not in a child) and kept for later downloads;
 * returns MHD's result. */
int webui_serve_download(webui_server *srv, struct MHD_Connection *conn);
/* Starts encoding the download on a background thread (lower priority),
 * so that the first download finds it made; webui_download_stop waits for
 * that thread. Without a thread, the first download encodes it. */
void webui_download_start(webui_server *srv);
void webui_download_stop(webui_server *srv);
/* A reply made in two parts at once, in a view's child: a writer calls
 * webui_split_fork (as pprof_report_options.split) once its shared work is
 * done; the child is single-threaded, so forking it is safe. The helper
 * process makes part 1 and ends in webui_split_helper_end, which sends its
 * bytes through a pipe; the child makes part 0, then webui_split_join
 * reads them. The helper dies with the child. */
typedef struct webui_split {
    pid_t pid;    /* the helper, in the child; 0 before the fork or without one */
    bool helper;  /* true in the helper */
    int fd;
} webui_split;
unsigned webui_split_fork(void *split, uint64_t lines);
/* In the helper: sends its part (unless rc is not 0) and exits. */
void webui_split_helper_end(webui_split *s, const void *data, size_t len, int rc) __attribute__((noreturn));
/* In the child: part 1 into second; false when there was no helper or it
 * failed (then second is empty, and part 1 is to be made here). */
bool webui_split_join(webui_split *s, pprof_buf *second, bool ok);
/* Prints msg on stderr, under srv->log_lock. */
void webui_log(webui_server *srv, const char *msg, size_t len);
/* Kills the views still running (at shutdown). */
void webui_kill_views(webui_server *srv);

/* v scaled by -divide_by's ratio as pprof scales report values. */
int64_t webui_ratio(int64_t v, double ratio);

/* Escaping for where a string goes: HTML text and attribute values
 * (both quotes escaped), and a JavaScript string literal (with its quotes)
 * that is safe inside <script> (no "</script>", no "<!--"). */
void webui_html(pprof_buf *b, const char *s);
void webui_html_n(pprof_buf *b, const char *s, size_t n);
void webui_js(pprof_buf *b, const char *s);
/* A URL query value: all but the unreserved characters %-escaped. */
void webui_url_value(pprof_buf *b, const char *s);
void webui_url_value_n(pprof_buf *b, const char *s, size_t n);

/* The page around a view: head, styles, header with menus, the details
 * box and the notes; then the view's HTML; then the data for the scripts
 * and the scripts. data is a JavaScript object literal (already escaped). */
typedef struct webui_page {
    const webui_request *req;
    const pprof_profile *p;
    const char *view_id;   /* "graph", "top", "flamegraph", ... */
    const char *title;     /* NULL: "<file> <type>" */
    const char *notes;     /* report warnings, one per line, or NULL */
    const char *details;   /* legend lines, or NULL */
} webui_page;
void webui_page_begin(pprof_buf *b, const webui_page *pg);
void webui_page_end(pprof_buf *b, const webui_page *pg, const char *data, const char *script);

/* pprof's settings file: $XDG_CONFIG_HOME/pprof/settings.json, else
 * $HOME/.config/pprof/settings.json; NULL when neither is set. */
char *webui_settings_path(void);
/* The saved configurations as a JavaScript array literal of
 * {name: "...", params: {f: "...", ...}} (URL parameter names). */
void webui_settings_js(pprof_buf *b, const char *path);
/* Saves cfg (its non-default fields) under name, replacing a config of
 * that name in place or appending; deletes name. 0, or a 400 in r. */
int webui_settings_save(webui_reply *r, const char *path, const char *name, const pprof_config *cfg);
int webui_settings_delete(webui_reply *r, const char *path, const char *name);

/* The URL parameter of each saved configuration field. */
typedef struct webui_param {
    const char *key;    /* in the URL */
    const char *option; /* in pprof_config (config_find) */
    const char *json;   /* in settings.json */
} webui_param;
extern const webui_param webui_params[];
extern const size_t webui_n_params;

#endif
