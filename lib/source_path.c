/* source_path.c: pprof's trimming of source file names (-trim_path, -source_path, /proc/self/cwd), which every report applies to file names. */
#include "internal.h"

#include <string.h>

/* The length of element [s, end) of a ':'-separated list starting at s. */
static size_t element_len(const char *s)
{
    const char *colon = strchr(s, ':');
    return colon ? (size_t)(colon - s) : strlen(s);
}

/* Whether path has dir (len bytes) as its leading directory: dir followed
 * by '/', or dir ending in '/'. Returns the length to remove, or 0. */
static size_t dir_prefix(const char *path, const char *dir, size_t len)
{
    if (strncmp(path, dir, len) != 0)
        return 0;
    if (len > 0 && dir[len - 1] == '/')
        return len;
    return path[len] == '/' ? len + 1 : 0;
}

/* Where "/<base>/" of dir (len bytes) first occurs in path, as the offset
 * just past it; 0 when it does not. base is what follows dir's last slash
 * once trailing slashes are gone ("/" for a dir of slashes, "." for an
 * empty one). */
static size_t after_base(const char *path, const char *dir, size_t len)
{
    while (len > 1 && dir[len - 1] == '/')
        len--;
    const char *base = ".";
    size_t blen = 1;
    if (len == 1 && dir[0] == '/') {
        base = "/";
    } else if (len > 0) {
        size_t b = len;
        while (b > 0 && dir[b - 1] != '/')
            b--;
        base = dir + b;
        blen = len - b;
    }
    for (const char *at = strchr(path, '/'); at; at = strchr(at + 1, '/'))
        if (strncmp(at + 1, base, blen) == 0 && at[1 + blen] == '/')
            return (size_t)(at - path) + blen + 2;
    return 0;
}

const char *pprof_trim_source_path(const char *path, const char *trim_path, const char *source_path)
{
    if (!path)
        return path;
    /* With no prefixes configured, a search directory's base name found in
     * the path marks where the part the search can use starts. */
    if ((!trim_path || !*trim_path) && source_path && *source_path) {
        for (const char *s = source_path;; s++) {
            size_t len = element_len(s);
            size_t cut = after_base(path, s, len);
            if (cut)
                return path + cut;
            s += len;
            if (!*s)
                break;
        }
    }
    if (trim_path && *trim_path) {
        for (const char *t = trim_path;; t++) {
            size_t len = element_len(t);
            size_t cut = len ? dir_prefix(path, t, len) : (path[0] == '/'); /* an empty one is "/" */
            if (cut)
                return path + cut;
            t += len;
            if (!*t)
                break;
        }
    }
    static const char *const cwd_forms[] = {"/proc/self/cwd/./", "/proc/self/cwd/"};
    for (size_t i = 0; i < 2; i++)
        if (strncmp(path, cwd_forms[i], strlen(cwd_forms[i])) == 0)
            return path + strlen(cwd_forms[i]);
    return path;
}
