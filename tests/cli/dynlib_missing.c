/* dynlib_missing.c: cmd/dynlib.c built with the sonames of tests/cli/missing/dynlib_names.h (none loads): prints, one line per library, dynlib_load's status and message, for tests/cli/libs.sh. */
#include "../../cmd/dynlib.h"

#include <stdio.h>

int main(void)
{
    static const char *const names[DYNLIB_COUNT] = {"curl", "graphviz", "mhd", "jsonc", "readline", "dw", "zstd"};
    for (int i = 0; i < DYNLIB_COUNT; i++) {
        char err[512] = "";
        int rc = dynlib_load((dynlib_id)i, err, sizeof err);
        printf("%s %d %s\n", names[i], rc, err);
    }
    return 0;
}
