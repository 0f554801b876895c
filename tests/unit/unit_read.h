/* unit_read.h: reads a profile file (any format the library reads) for the unit tests; NULL if it cannot. */
#ifndef PPROF_UNIT_READ_H
#define PPROF_UNIT_READ_H

#include "pprof.h"
#include "unit.h"

#include <stdio.h>
#include <string.h>

static inline pprof_profile *unit_read_profile(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    pprof_buf data = {0};
    pprof_error err;
    pprof_parse_options po;
    memset(&po, 0, sizeof po);
    pprof_profile *p = NULL;
    if (pprof_read_stream(&data, f, &po, &err) != 0 || pprof_read(&p, data.data, data.len, &po, &err) != 0)
        p = NULL;
    fclose(f);
    pprof_buf_release(&data);
    return p;
}

/* tests/data/NAME read; a failed check (and NULL) if it cannot be. */
static inline pprof_profile *unit_read_data(const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "tests/data/%s", name);
    pprof_profile *p = unit_read_profile(path);
    if (!p)
        fprintf(stderr, "%s: cannot read\n", path);
    CHECK(p != NULL);
    return p;
}

#endif
