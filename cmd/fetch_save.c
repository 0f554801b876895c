/* fetch_save.c: saves a profile built from fetched sources as pprof does ($PPROF_TMPDIR/pprof.<binary>.<types>.NNN.pb.gz), with names no profile can steer. */
#include "fetch.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { PART_MAX = 64, MIDDLE_MAX = 160 };

/* Appends one name part: bytes outside [A-Za-z0-9._+-] become '_' (so no
 * '/', no control byte), and so does a '.' not preceded by a letter or
 * digit (no "..", no leading dot); at most PART_MAX bytes, and nothing once
 * the middle of the name would pass MIDDLE_MAX. */
static void add_part(char *name, size_t n, const char *s, size_t len)
{
    if (len == 0)
        return;
    if (len > PART_MAX)
        len = PART_MAX;
    size_t o = strlen(name);
    if (o + len + 1 > MIDDLE_MAX || o + len + 2 > n)
        return;
    bool after_alnum = false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        bool keep = alnum || c == '_' || c == '+' || c == '-' || (c == '.' && after_alnum);
        name[o++] = keep ? (char)c : '_';
        after_alnum = alnum;
    }
    name[o++] = '.';
    name[o] = 0;
}

/* "<binary>.<type1>.<type2>." from the profile: the base name of the first
 * mapping's file (none when it has no name) and every sample type. */
static void name_middle(char *out, size_t n, const pprof_profile *p)
{
    out[0] = 0;
    if (p->n_mappings > 0) {
        const char *file = pprof_string(p, p->mappings[0].file);
        size_t len = strlen(file);
        while (len > 0 && file[len - 1] == '/')
            len--;
        size_t start = len;
        while (start > 0 && file[start - 1] != '/')
            start--;
        add_part(out, n, file + start, len - start);
    }
    for (size_t i = 0; i < p->n_sample_types; i++) {
        const char *t = pprof_string(p, p->sample_types[i].type);
        add_part(out, n, t, strlen(t));
    }
}

/* mkdir -p, mode 0700 for what it creates (profiles can be sensitive).
 * Returns 0, or -1 with *failed naming the path that could not be made. */
static int make_dirs(const char *dir, char *failed, size_t n)
{
    char path[4096];
    if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path) {
        snprintf(failed, n, "%s: %s", dir, strerror(ENAMETOOLONG));
        return -1;
    }
    for (char *p = path + 1;; p++) {
        if (*p != '/' && *p != 0)
            continue;
        char c = *p;
        *p = 0;
        struct stat st;
        if (mkdir(path, 0700) != 0 && (errno != EEXIST || stat(path, &st) != 0 || !S_ISDIR(st.st_mode))) {
            int e = errno == EEXIST ? ENOTDIR : errno;
            snprintf(failed, n, "mkdir %s: %s", path, strerror(e));
            return -1;
        }
        *p = c;
        if (c == 0)
            return 0;
    }
}

static int write_all(int fd, const uint8_t *data, size_t len)
{
    while (len) {
        ssize_t w = write(fd, data, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        data += w;
        len -= (size_t)w;
    }
    return 0;
}

/* Writes data as dir/pprof.<middle>NNN.pb.gz with the first free NNN.
 * O_EXCL|O_NOFOLLOW: never overwrites, never follows a planted link.
 * Returns 0 with path filled, or -1 with errno set. */
static int save_in(char *path, size_t n, const char *dir, const char *middle, const pprof_buf *data)
{
    for (int i = 1; i <= 9999; i++) {
        if (snprintf(path, n, "%s/pprof.%s%03d.pb.gz", dir, middle, i) >= (int)n) {
            errno = ENAMETOOLONG;
            return -1;
        }
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0 && errno == EEXIST)
            continue;
        if (fd < 0)
            return -1;
        int rc = write_all(fd, data->data, data->len);
        int e = errno;
        if (close(fd) != 0 && rc == 0) {
            rc = -1;
            e = errno;
        }
        if (rc != 0) {
            unlink(path);
            errno = e;
        }
        return rc;
    }
    errno = EEXIST;
    return -1;
}

void cmd_fetched_save(const cmd_fetched *f, const pprof_profile *p)
{
    if (!f || !p)
        return;
    pprof_buf data = {0};
    pprof_error err;
    if (pprof_profile_encode(&data, p, true, &err) != 0) {
        cmd_warning("could not save the fetched profile: %s", err.msg);
        pprof_buf_release(&data);
        return;
    }
    /* pprof's order: $PPROF_TMPDIR, then $HOME/pprof, then the temp dir. */
    const char *env_dir = getenv("PPROF_TMPDIR"), *home = getenv("HOME"), *tmp = getenv("TMPDIR");
    char home_dir[4096] = "";
    if (home && *home)
        snprintf(home_dir, sizeof home_dir, "%s/pprof", home);
    const char *dirs[] = {env_dir, home_dir, tmp && *tmp ? tmp : "/tmp"};
    char middle[MIDDLE_MAX + 8];
    name_middle(middle, sizeof middle, p);
    char path[4200] = "";
    int why = 0; /* errno of the last failed save */
    bool saved = false;
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0] && !saved; i++) {
        if (!dirs[i] || !*dirs[i])
            continue;
        char failed[4200];
        if (make_dirs(dirs[i], failed, sizeof failed) != 0) {
            cmd_note("Could not use temp dir %s: %s", dirs[i], failed);
            continue;
        }
        if (save_in(path, sizeof path, dirs[i], middle, &data) == 0)
            saved = true;
        else
            why = errno;
    }
    if (saved)
        cmd_note("Saved profile in %s", path);
    else
        cmd_warning("could not save the fetched profile%s%s%s%s", why ? ": " : "", why ? path : "",
                    why ? ": " : "", why ? strerror(why) : "");
    pprof_buf_release(&data);
}
