/* webui_settings.c: saved configurations in pprof's settings file (settings.json: {"configs": [{"name": ..., fields}]}), read with json-c, written whole to a temporary file and renamed. */
#include "webui.h"

#define DYNLIB_WANT_JSONC
#include "dynlib.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *webui_settings_path(void)
{
    const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
    const char *dir = xdg && *xdg ? xdg : home && *home ? home : NULL;
    if (!dir)
        return NULL;
    const char *rest = xdg && *xdg ? "/pprof/settings.json" : "/.config/pprof/settings.json";
    size_t n = strlen(dir) + strlen(rest) + 1;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s%s", dir, rest);
    return p;
}

/* The text of a saved field in cfg, as a URL parameter value ("" for
 * zero: false, 0, empty). */
static void field_text(char *buf, size_t n, const pprof_config *cfg, const webui_param *wp)
{
    buf[0] = 0;
    if (strcmp(wp->option, "granularity") == 0) {
        snprintf(buf, n, "%s", cfg->granularity ? cfg->granularity : "");
        return;
    }
    const option_def *d = config_find(wp->option);
    const void *f = (const char *)cfg + d->offset;
    switch (d->kind) {
    case OPT_BOOL: snprintf(buf, n, "%s", *(const bool *)f ? "t" : "f"); break;
    case OPT_INT: snprintf(buf, n, "%d", *(const int *)f); break;
    case OPT_FLOAT: snprintf(buf, n, "%.17g", *(const double *)f); break;
    case OPT_STRING: snprintf(buf, n, "%s", *(char *const *)f ? *(char *const *)f : ""); break;
    }
}

/* A JSON value as URL parameter text; zero for a missing one. */
static void json_text(char *buf, size_t n, json_object *v, const webui_param *wp)
{
    const option_def *d = config_find(wp->option);
    opt_kind kind = d ? d->kind : OPT_STRING;
    switch (kind) {
    case OPT_BOOL: snprintf(buf, n, "%s", v && json_object_get_boolean(v) ? "t" : "f"); break;
    case OPT_INT: snprintf(buf, n, "%d", v ? json_object_get_int(v) : 0); break;
    case OPT_FLOAT: snprintf(buf, n, "%.17g", v ? json_object_get_double(v) : 0.0); break;
    case OPT_STRING: snprintf(buf, n, "%s", v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : ""); break;
    }
}

/* A JSON number with the shortest text that reads back as v (0.005, not
 * 0.0050000000000000001), as Go writes floats. */
static json_object *shortest_double(double v)
{
    char text[40];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(text, sizeof text, "%.*g", prec, v);
        if (strtod(text, NULL) == v)
            break;
    }
    return json_object_new_double_s(v, text);
}

/* Loads the file: NULL with *missing when it does not exist, NULL with a
 * message in err when it is not a settings file. */
static json_object *load(const char *path, bool *missing, char *err, size_t errlen)
{
    *missing = false;
    if (access(path, F_OK) != 0) {
        *missing = true;
        return NULL;
    }
    json_object *root = json_object_from_file(path);
    if (!root) {
        snprintf(err, errlen, "could not parse settings: %s", json_util_get_last_err());
        return NULL;
    }
    json_object *configs;
    if (!json_object_is_type(root, json_type_object) ||
        (json_object_object_get_ex(root, "configs", &configs) && !json_object_is_type(configs, json_type_array))) {
        snprintf(err, errlen, "could not parse settings: not a settings file");
        json_object_put(root);
        return NULL;
    }
    return root;
}

static json_object *configs_of(json_object *root)
{
    json_object *configs;
    if (!json_object_object_get_ex(root, "configs", &configs)) {
        configs = json_object_new_array();
        json_object_object_add(root, "configs", configs);
    }
    return configs;
}

void webui_settings_js(pprof_buf *b, const char *path)
{
    bool missing;
    char err[256];
    json_object *root = path ? load(path, &missing, err, sizeof err) : NULL;
    pprof_buf_puts(b, "[");
    if (root) {
        pprof_config def;
        config_init(&def);
        json_object *configs = configs_of(root);
        size_t n = json_object_array_length(configs);
        bool first = true;
        for (size_t i = 0; i < n; i++) {
            json_object *c = json_object_array_get_idx(configs, i), *name;
            if (!json_object_is_type(c, json_type_object) || !json_object_object_get_ex(c, "name", &name) ||
                !json_object_is_type(name, json_type_string))
                continue;
            pprof_buf_puts(b, first ? "{name: " : ", {name: ");
            first = false;
            webui_js(b, json_object_get_string(name));
            pprof_buf_puts(b, ", params: {");
            bool firstp = true;
            for (size_t k = 0; k < webui_n_params; k++) {
                const webui_param *wp = &webui_params[k];
                if (!wp->json)
                    continue;
                json_object *v = NULL;
                json_object_object_get_ex(c, wp->json, &v);
                char have[512], dflt[512];
                json_text(have, sizeof have, v, wp);
                field_text(dflt, sizeof dflt, &def, wp);
                if (strcmp(have, dflt) == 0)
                    continue;
                pprof_buf_printf(b, "%s%s: ", firstp ? "" : ", ", wp->key);
                firstp = false;
                webui_js(b, have);
            }
            pprof_buf_puts(b, "}}");
        }
        config_release(&def);
        json_object_put(root);
    }
    pprof_buf_puts(b, "]");
}

/* Makes the directories of path (0700) and writes root to it atomically. */
static int store(webui_reply *r, const char *path, json_object *root)
{
    char *dir = strdup(path);
    if (!dir) {
        webui_reply_error(r, 500, "out of memory");
        return -1;
    }
    for (char *s = strchr(dir + 1, '/'); s; s = strchr(s + 1, '/')) {
        *s = 0;
        if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
            webui_reply_error(r, 500, "could not create %s: %s", dir, strerror(errno));
            free(dir);
            return -1;
        }
        *s = '/';
    }
    free(dir);
    const char *text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE);
    size_t n = strlen(path) + 32;
    char *tmp = malloc(n);
    if (!tmp) {
        webui_reply_error(r, 500, "out of memory");
        return -1;
    }
    snprintf(tmp, n, "%s.tmp-XXXXXX", path);
    int fd = mkstemp(tmp);
    int rc = -1;
    if (fd >= 0) {
        FILE *f = fdopen(fd, "w");
        if (f) {
            fchmod(fd, 0644);
            bool ok = fputs(text, f) >= 0 && fputc('\n', f) != EOF;
            ok = fflush(f) == 0 && fsync(fd) == 0 && ok;
            ok = fclose(f) == 0 && ok;
            if (ok && rename(tmp, path) == 0)
                rc = 0;
        } else {
            close(fd);
        }
    }
    if (rc != 0) {
        webui_reply_error(r, 500, "could not write %s: %s", path, strerror(errno));
        unlink(tmp);
    }
    free(tmp);
    return rc;
}

int webui_settings_save(webui_reply *r, const char *path, const char *name, const pprof_config *cfg)
{
    if (!name || !*name) {
        webui_reply_error(r, 400, "invalid config name");
        return -1;
    }
    bool missing;
    char err[256];
    json_object *root = load(path, &missing, err, sizeof err);
    if (!root && !missing) {
        webui_reply_error(r, 400, "%s", err);
        return -1;
    }
    if (!root)
        root = json_object_new_object();
    json_object *c = json_object_new_object();
    json_object_object_add(c, "name", json_object_new_string(name));
    for (size_t k = 0; k < webui_n_params; k++) {
        const webui_param *wp = &webui_params[k];
        if (!wp->json)
            continue;
        json_object *v = NULL;
        if (strcmp(wp->option, "granularity") == 0) {
            if (cfg->granularity && *cfg->granularity)
                v = json_object_new_string(cfg->granularity);
        } else {
            const option_def *d = config_find(wp->option);
            const void *f = (const char *)cfg + d->offset;
            switch (d->kind) {
            case OPT_BOOL: v = *(const bool *)f ? json_object_new_boolean(1) : NULL; break;
            case OPT_INT: v = *(const int *)f ? json_object_new_int(*(const int *)f) : NULL; break;
            case OPT_FLOAT: v = *(const double *)f != 0 ? shortest_double(*(const double *)f) : NULL; break;
            case OPT_STRING: {
                const char *s = *(char *const *)f;
                v = s && *s ? json_object_new_string(s) : NULL;
                break;
            }
            }
        }
        if (v)
            json_object_object_add(c, wp->json, v);
    }
    json_object *configs = configs_of(root);
    size_t n = json_object_array_length(configs);
    bool replaced = false;
    for (size_t i = 0; i < n && !replaced; i++) {
        json_object *old = json_object_array_get_idx(configs, i), *oname;
        if (json_object_object_get_ex(old, "name", &oname) && json_object_is_type(oname, json_type_string) &&
            strcmp(json_object_get_string(oname), name) == 0) {
            json_object_array_put_idx(configs, i, c);
            replaced = true;
        }
    }
    if (!replaced)
        json_object_array_add(configs, c);
    int rc = store(r, path, root);
    json_object_put(root);
    return rc;
}

int webui_settings_delete(webui_reply *r, const char *path, const char *name)
{
    bool missing;
    char err[256];
    json_object *root = load(path, &missing, err, sizeof err);
    if (!root && !missing) {
        webui_reply_error(r, 400, "%s", err);
        return -1;
    }
    json_object *configs = root ? configs_of(root) : NULL;
    size_t n = configs ? json_object_array_length(configs) : 0;
    for (size_t i = 0; i < n; i++) {
        json_object *c = json_object_array_get_idx(configs, i), *cname;
        if (name && json_object_object_get_ex(c, "name", &cname) && json_object_is_type(cname, json_type_string) &&
            strcmp(json_object_get_string(cname), name) == 0) {
            json_object_array_del_idx(configs, i, 1);
            int rc = store(r, path, root);
            json_object_put(root);
            return rc;
        }
    }
    if (root)
        json_object_put(root);
    webui_reply_error(r, 400, "config %s not found", name ? name : "");
    return -1;
}
