/* test_weight.c: pprof_sample_weight and pprof_quotient, the one per-sample weight every writer uses (sample index, -mean, saturation). */
#include "formats.h"
#include "unit.h"

#include <string.h>

static pprof_str S(pprof_profile *p, const char *s)
{
    pprof_str id = 0;
    pprof_profile_intern(&id, p, s, strlen(s));
    return id;
}

int main(void)
{
    CHECK_INT(pprof_quotient(7, 2), 3);
    CHECK_INT(pprof_quotient(-7, 2), -3);
    CHECK_INT(pprof_quotient(7, 0), 7); /* no divisor */
    CHECK_INT(pprof_quotient(INT64_MIN, -1), INT64_MAX); /* traps as a C division */
    CHECK_INT(pprof_quotient(INT64_MAX, -1), -INT64_MAX);
    CHECK_INT(pprof_quotient(INT64_MIN, 1), INT64_MIN);

    pprof_profile *p = pprof_profile_new();
    pprof_profile_add_sample_type(p, (pprof_value_type){S(p, "count"), S(p, "n")});
    pprof_profile_add_sample_type(p, (pprof_value_type){S(p, "value"), S(p, "bytes")});
    int64_t rows[][2] = {{-1, INT64_MIN}, {4, 10}, {0, 7}};
    for (size_t i = 0; i < 3; i++)
        CHECK_INT(pprof_profile_add_sample(p, NULL, 0, rows[i], NULL, 0), 0);
    CHECK_INT(pprof_sample_weight(p, 0, 1, false), INT64_MIN);
    CHECK_INT(pprof_sample_weight(p, 0, 1, true), INT64_MAX);
    CHECK_INT(pprof_sample_weight(p, 1, 1, true), 2);
    CHECK_INT(pprof_sample_weight(p, 2, 1, true), 7); /* a count of 0 leaves the value */
    CHECK_INT(pprof_sample_weight(p, 1, 0, true), 1);
    CHECK_INT(pprof_sample_weight(p, 1, 2, false), 0); /* index out of range */
    CHECK_INT(pprof_sample_weight(p, 1, -1, false), 0);
    CHECK_INT(pprof_sample_weight(p, 3, 1, false), 0); /* sample out of range */
    pprof_profile_free(p);
    return unit_report("weight");
}
