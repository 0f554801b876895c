/* sniff.c: recognises, from the first bytes, inputs that cannot be a profile
 * (HTML pages, other compressions, nested gzip, binary junk), so they fail
 * fast with a message that says what they are. */
#include "readers.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

static bool starts_with(const uint8_t *d, size_t n, const void *magic, size_t m)
{
    return n >= m && memcmp(d, magic, m) == 0;
}

/* Profile.proto's first byte is the tag of one of its fields 1..15 with the
 * right wire type. */
static bool proto_first_byte(uint8_t b)
{
    static const uint8_t tags[] = {0x0a, 0x12, 0x1a, 0x22, 0x2a, 0x32, 0x38, 0x40, 0x48,
                                   0x50, 0x5a, 0x60, 0x68, 0x6a, 0x70, 0x78};
    return memchr(tags, b, sizeof tags) != NULL;
}

static bool mostly_text(const uint8_t *d, size_t n)
{
    size_t lim = n < PPROF_SNIFF_BYTES ? n : PPROF_SNIFF_BYTES;
    for (size_t i = 0; i < lim; i++)
        if (d[i] == 0)
            return false;
    return lim > 0;
}

/* gperftools' binary CPU header: words 0, 3 (32- or 64-bit, either order). */
static bool legacy_cpu_header(const uint8_t *d, size_t n)
{
    static const uint8_t w32le[] = {0, 0, 0, 0, 3, 0, 0, 0}, w32be[] = {0, 0, 0, 0, 0, 0, 0, 3};
    static const uint8_t w64le[] = {0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0};
    static const uint8_t w64be[] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3};
    return starts_with(d, n, w32le, 8) || starts_with(d, n, w32be, 8) || starts_with(d, n, w64le, 16) ||
           starts_with(d, n, w64be, 16);
}

static const struct {
    const char *magic;
    size_t len;
    const char *what;
} compressions[] = {
    {"\x28\xb5\x2f\xfd", 4, "zstd-compressed data (unsupported compression; profiles are gzip or raw)"},
    {"BZh", 3, "bzip2-compressed data (unsupported compression; profiles are gzip or raw)"},
    {"\xfd" "7zXZ", 5, "xz-compressed data (unsupported compression; profiles are gzip or raw)"},
    {"\x78\x01", 2, "zlib-compressed data (unsupported compression; profiles are gzip or raw)"},
    {"\x78\x5e", 2, "zlib-compressed data (unsupported compression; profiles are gzip or raw)"},
    {"\x78\x9c", 2, "zlib-compressed data (unsupported compression; profiles are gzip or raw)"},
    {"\x78\xda", 2, "zlib-compressed data (unsupported compression; profiles are gzip or raw)"},
};

const char *pprof_sniff_not_profile(const uint8_t *d, size_t n, bool inflated)
{
    if (n == 0)
        return NULL;
    if (inflated && pprof_is_gzip(d, n))
        return "gzip data inside gzip (only one layer of compression is read)";
    for (size_t i = 0; i < sizeof compressions / sizeof compressions[0]; i++)
        if (starts_with(d, n, compressions[i].magic, compressions[i].len))
            return compressions[i].what;
    size_t i = 0;
    while (i < n && i < 512 && isspace(d[i]))
        i++;
    static const char *html[] = {"<!doctype html", "<html", "<head", "<body", "<?xml"};
    for (size_t k = 0; k < sizeof html / sizeof html[0]; k++) {
        size_t m = strlen(html[k]);
        if (n - i >= m && strncasecmp((const char *)d + i, html[k], m) == 0)
            return "not a profile: it looks like an HTML or XML page";
    }
    if (pprof_is_gzip(d, n) || pprof_perf_sniff(d, n) || proto_first_byte(d[0]) || legacy_cpu_header(d, n) || mostly_text(d, n))
        return NULL;
    return "unrecognized profile format (neither profile.proto nor a legacy profile)";
}
