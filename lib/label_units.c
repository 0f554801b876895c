/* label_units.c: the unit of each numeric label key, as pprof resolves it. */
#include "internal.h"

const char *pprof_label_unit(const pprof_profile *p, pprof_str key)
{
    /* The first non-empty unit seen for the key wins. */
    for (size_t i = 0; i < p->n_labels; i++) {
        const pprof_label *l = &p->labels[i];
        if (l->key == key && l->str == 0 && l->num_unit != 0)
            return p->strings[l->num_unit];
    }
    const char *k = p->strings[key];
    if (strcmp(k, "alignment") == 0 || strcmp(k, "request") == 0)
        return "bytes";
    return k;
}
