/* readers.h: private interface of the readers behind pprof_read (read.c holds their table). */
#ifndef PPROF_READERS_H
#define PPROF_READERS_H

#include "formats.h"

/* Legacy profiles (gperftools CPU binary, heap/growth text, Go count
 * profiles, threadz, contention, Java): parses raw (inflated) bytes.
 * Returns PPROF_EUNRECOGNIZED when data is in none of these formats. */
int pprof_read_legacy(pprof_profile **out, const uint8_t *data, size_t len, pprof_error *err);

/* Looks at the first bytes (PPROF_SNIFF_BYTES at most): returns what the
 * data is when it cannot be a profile (HTML, zstd, zlib, nested gzip,
 * binary junk), else NULL. inflated says the bytes came out of gzip
 * already. The readers' sniffs look at as many. */
#define PPROF_SNIFF_BYTES 4096
const char *pprof_sniff_not_profile(const uint8_t *data, size_t len, bool inflated);

/* Folded text (flamegraph.pl, inferno, perf collapsed): "a;b;c 10" lines,
 * optionally with a second count column (differential: before, after).
 * Builds a profile with one function per distinct frame name and one
 * location per function; a two-column file becomes a profile whose base
 * samples carry the label pprof::base=true (negated, as -diff_base makes).
 * Returns PPROF_EUNRECOGNIZED when data does not look like folded text. */
int pprof_read_folded(pprof_profile **out, const uint8_t *data, size_t len, pprof_error *err);

/* Linux perf's perf.data (file or pipe mode, magic "PERFILE2"): one
 * profile of all its events (<event>_sample and <event>_event sample
 * types), labels pid, tid and comm, raw addresses with mappings and build
 * ids for a symbolizer. Errors name what is not supported (DWARF call
 * graphs, compressed records, other byte order) or where the data is
 * malformed; PPROF_EUNRECOGNIZED without the magic. Memory stays linear
 * in len. */
int pprof_read_perf(pprof_profile **out, const uint8_t *data, size_t len, pprof_error *err);

#endif
