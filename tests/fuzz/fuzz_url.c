/* fuzz_url.c: libFuzzer harness for URL sources (cmd/fetch_url.c): what is a URL, its scheme, host:port forms, default path, seconds= rewriting, credentials and secret query values kept out of what is shown. Input: a -seconds byte, a -timeout byte, then the source. */
#include "fetch.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What is printed must not carry raw control bytes. */
static void check_printable(const char *s)
{
    for (const unsigned char *c = (const unsigned char *)s; *c; c++)
        if (*c < 0x20 || *c == 0x7f)
            __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2 || size > 4096)
        return 0;
    cmd_args args;
    memset(&args, 0, sizeof args);
    args.seconds = data[0] < 128 ? 0 : (int)data[0] - 200;
    args.timeout = (int)data[1] - 16;
    char *src = malloc(size - 1);
    if (!src)
        return 0;
    memcpy(src, data + 2, size - 2);
    src[size - 2] = 0;
    fetch_target t;
    char err[512];
    err[0] = 0;
    int rc = fetch_target_resolve(&t, src, &args, err, sizeof err);
    if (rc == 0) {
        if (strncmp(t.url, "http://", 7) != 0 && strncmp(t.url, "https://", 8) != 0)
            __builtin_trap();
        check_printable(t.display);
        /* Credentials are never shown: no user@ in the authority. */
        const char *auth = strstr(t.display, "://");
        if (!auth)
            __builtin_trap();
        auth += 3;
        if (memchr(auth, '@', strcspn(auth, "/?#")))
            __builtin_trap();
        if (t.timeout_ms <= 0)
            __builtin_trap();
        fetch_target_release(&t);
    } else if (rc < 0) {
        if (!err[0])
            __builtin_trap();
        check_printable(err);
    }
    free(src);
    return 0;
}
