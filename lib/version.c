/* version.c: the version of the library linked at run time. */
#include "pprof.h"

const char *pprof_version(void)
{
    return PPROF_VERSION;
}
