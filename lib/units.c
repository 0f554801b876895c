/* units.c: unit families, value scaling and value/percentage formatting, as pprof's measurement package does them. */
#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* One unit of a family. Only the aliases are matched when a unit string is
 * sniffed, never the canonical name: pprof behaves so, which is why
 * "u*GCU" is printed but cannot be parsed back. */
typedef struct unit_def {
    const char *name;       /* canonical name, the one printed */
    const char *aliases[4]; /* lowercase, NULL-terminated */
    double factor;          /* multiple of the family's base unit */
} unit_def;

typedef struct unit_family {
    const unit_def *units; /* in increasing factor order */
    size_t n_units;
    const char *default_name; /* used when `to` is unknown or nothing auto-scales */
    double default_factor;
} unit_family;

/* Memory uses binary multiples. */
static const unit_def memory_units[] = {
    {"B", {"b", "byte", NULL}, 1.0},
    {"kB", {"kb", "kbyte", "kilobyte", NULL}, 1024.0},
    {"MB", {"mb", "mbyte", "megabyte", NULL}, 1048576.0},
    {"GB", {"gb", "gbyte", "gigabyte", NULL}, 1073741824.0},
    {"TB", {"tb", "tbyte", "terabyte", NULL}, 1099511627776.0},
    {"PB", {"pb", "pbyte", "petabyte", NULL}, 1125899906842624.0},
};

/* "\xce\xbc" is UTF-8 for the micro sign. Sniffing strips the trailing "s"
 * of "μs" (3 bytes), so that alias is never matched — as in pprof. */
static const unit_def time_units[] = {
    {"ns", {"ns", "nanosecond", NULL}, 1.0},
    {"us", {"\xce\xbc" "s", "us", "microsecond", NULL}, 1e3},
    {"ms", {"ms", "millisecond", NULL}, 1e6},
    {"s", {"s", "sec", "second", NULL}, 1e9},
    {"hrs", {"hour", "hr", NULL}, 3.6e12},
};

static const unit_def gcu_units[] = {
    {"n*GCU", {"nanogcu", NULL}, 1e-9},
    {"u*GCU", {"microgcu", NULL}, 1e-6},
    {"m*GCU", {"milligcu", NULL}, 1e-3},
    {"GCU", {"gcu", NULL}, 1.0},
    {"k*GCU", {"kilogcu", NULL}, 1e3},
    {"M*GCU", {"megagcu", NULL}, 1e6},
    {"G*GCU", {"gigagcu", NULL}, 1e9},
    {"T*GCU", {"teragcu", NULL}, 1e12},
    {"P*GCU", {"petagcu", NULL}, 1e15},
};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* Order matters: a `from` unit is tried against each family in turn. */
static const unit_family families[] = {
    {memory_units, N_OF(memory_units), "B", 1.0},
    {time_units, N_OF(time_units), "s", 1e9},
    {gcu_units, N_OF(gcu_units), "GCU", 1.0},
};

/* `to` values for which an unknown `from` yields no unit at all. */
static const char *const unitless_targets[] = {"count", "sample", "unit", "minimum", "auto"};

/* ASCII only, so the result does not depend on the C locale. */
static char lower_ascii(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* True when the first n bytes of s, lowercased, equal the lowercase alias. */
static bool alias_matches(const char *s, size_t n, const char *alias)
{
    if (strlen(alias) != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (lower_ascii(s[i]) != alias[i])
            return false;
    }
    return true;
}

/* The unit of fam that unit names, or NULL. The string is lowercased and,
 * when longer than 2 bytes, loses one trailing "s", so plurals and
 * "Bytes"/"seconds" work while "ms" and "us" stay intact. */
static const unit_def *sniff(const unit_family *fam, const char *unit)
{
    size_t n = strlen(unit);
    if (n > 2 && lower_ascii(unit[n - 1]) == 's')
        n--;
    for (size_t i = 0; i < fam->n_units; i++) {
        const unit_def *u = &fam->units[i];
        for (size_t j = 0; j < N_OF(u->aliases) && u->aliases[j]; j++) {
            if (alias_matches(unit, n, u->aliases[j]))
                return u;
        }
    }
    return NULL;
}

static bool is_auto_target(const char *to)
{
    /* Case-sensitive on purpose: pprof treats "AUTO" as an unknown unit. */
    return strcmp(to, "minimum") == 0 || strcmp(to, "auto") == 0;
}

/* Converts within fam when fam knows `from`; false otherwise. */
static bool family_convert(const unit_family *fam, int64_t value, const char *from, const char *to,
                           double *out_value, const char **out_unit)
{
    const unit_def *f = sniff(fam, from);
    if (!f)
        return false;
    double v = (double)value * f->factor; /* in base units */

    const unit_def *t = NULL;
    if (is_auto_target(to)) {
        /* The largest unit in which the value is at least 1. The division
         * (not v >= factor) keeps pprof's rounding for fractional factors. */
        for (size_t i = 0; i < fam->n_units; i++) {
            const unit_def *u = &fam->units[i];
            if (v / u->factor >= 1.0 && (!t || u->factor >= t->factor))
                t = u;
        }
    } else {
        t = sniff(fam, to);
    }
    if (t) {
        *out_value = v / t->factor;
        *out_unit = t->name;
    } else {
        /* Nothing auto-scales (0, INT64_MIN) or `to` is not of this family,
         * including a unit of another family: pprof then uses the default. */
        *out_value = v / fam->default_factor;
        *out_unit = fam->default_name;
    }
    return true;
}

static double scale(int64_t value, const char *from, const char *to, const char **out_unit)
{
    /* pprof scales |value| and negates the result. INT64_MIN has no positive
     * counterpart; pprof lets it through as is, so it auto-scales to no unit
     * (the default) — kept here, and this also avoids overflow. */
    if (value < 0 && value != INT64_MIN) {
        double v = scale(-value, from, to, out_unit);
        return -v;
    }
    for (size_t i = 0; i < N_OF(families); i++) {
        double v;
        if (family_convert(&families[i], value, from, to, &v, out_unit))
            return v;
    }
    /* Unknown `from` (counts, custom units): the value is not converted and
     * a real target unit is shown as given, e.g. "10requests". */
    *out_unit = to;
    for (size_t i = 0; i < N_OF(unitless_targets); i++) {
        if (strcmp(to, unitless_targets[i]) == 0)
            *out_unit = "";
    }
    return (double)value;
}

double pprof_unit_scale(int64_t value, const char *from, const char *to, const char **out_unit)
{
    const char *unit;
    double v = scale(value, from ? from : "", to ? to : "", &unit);
    if (out_unit)
        *out_unit = unit;
    return v;
}

/* The family knowing both units, with the units found; NULL when none. */
static const unit_family *common_family(const char *a, const char *b, const unit_def **ua,
                                        const unit_def **ub)
{
    for (size_t i = 0; i < N_OF(families); i++) {
        *ua = sniff(&families[i], a);
        *ub = sniff(&families[i], b);
        if (*ua && *ub)
            return &families[i];
    }
    return NULL;
}

bool pprof_unit_compatible(const char *a, const char *b)
{
    a = a ? a : "";
    b = b ? b : "";
    /* Identical strings are compatible even when unknown ("count"), as in
     * pprof's merge check. */
    if (strcmp(a, b) == 0)
        return true;
    const unit_def *ua, *ub;
    return common_family(a, b, &ua, &ub) != NULL;
}

const char *pprof_unit_finest(const char *a, const char *b, double *factor_a, double *factor_b)
{
    double fa = 1.0, fb = 1.0;
    const char *name = NULL;
    const unit_def *ua, *ub;
    if (common_family(a ? a : "", b ? b : "", &ua, &ub)) {
        /* pprof keeps the first unit unless converting one `b` into it gives
         * less than 1, i.e. unless b is strictly finer. */
        const unit_def *best = (1.0 * ub->factor) / ua->factor < 1.0 ? ub : ua;
        fa = (1.0 * ua->factor) / best->factor;
        fb = (1.0 * ub->factor) / best->factor;
        name = best->name;
    }
    if (factor_a)
        *factor_a = fa;
    if (factor_b)
        *factor_b = fb;
    return name;
}

/* "%.2f" of v into out (room for 24 bytes), as printf prints it: the
 * binary value rounded to two decimals, ties to even; the digits are made
 * from an integer. Reports print hundreds of thousands of values, and
 * printf (with its locale switch) was most of a big peek's formatting.
 * false, and nothing written, from 1e13 (and for NaN), where v * 100 - k
 * (the fma below) might not be exact in a double, and below 0.125 when
 * that remainder, rounded, lands on a half (it is exact from 0.125). */
static bool fixed2(char *out, double v)
{
    double a = fabs(v);
    if (!(a < 1e13))
        return false;
    /* a * 100 rounded may cross a half: the exact remainder tells. (A
     * true tie has a fraction of .5 below 2^50, so it is exact, and
     * nearbyint takes the even side as printf does. Below 0.125 there is
     * no true tie, and the remainder, rounded once, is on the same side of
     * a half as the exact one unless it rounded onto it.) */
    double k = nearbyint(a * 100.0);
    double d = fma(a, 100.0, -k); /* a * 100 - k, exactly from 0.125 */
    if (a < 0.125 && (d == 0.5 || d == -0.5))
        return false;
    if (d > 0.5)
        k += 1;
    else if (d < -0.5)
        k -= 1;
    uint64_t q = (uint64_t)k;
    char tmp[24];
    size_t n = 0;
    tmp[n++] = (char)('0' + q % 10);
    q /= 10;
    tmp[n++] = (char)('0' + q % 10);
    q /= 10;
    tmp[n++] = '.';
    do {
        tmp[n++] = (char)('0' + q % 10);
        q /= 10;
    } while (q);
    if (v < 0)
        tmp[n++] = '-';
    for (size_t i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    out[n] = '\0';
    return true;
}

/* "%.2f" of v with ".00" trimmed, then unit; "0" when that rounds to zero
 * (pprof_format_scaled after the scaling). Returns the length written. */
static size_t format_number(char *buf, size_t n, double v, const char *unit)
{
    /* Room for "%.2f" of any double (DBL_MAX has 309 integer digits). */
    char num[320];
    if (!fixed2(num, v)) {
        void *loc = pprof_c_locale_enter();
        snprintf(num, sizeof num, "%.2f", v);
        pprof_c_locale_leave(loc);
    }
    size_t len = strlen(num);
    if (len >= 3 && strcmp(num + len - 3, ".00") == 0)
        num[len -= 3] = '\0';
    /* Values that round to zero print bare, without sign or unit. */
    if (strcmp(num, "0") == 0 || strcmp(num, "-0") == 0) {
        if (n >= 2) {
            memcpy(buf, "0", 2);
            return 1;
        }
        if (n)
            buf[0] = '\0';
        return 0;
    }
    size_t ul = strlen(unit);
    if (n && len + ul < n) {
        memcpy(buf, num, len);
        memcpy(buf + len, unit, ul + 1);
        return len + ul;
    }
    snprintf(buf, n, "%s%s", num, unit);
    return n ? strlen(buf) : 0;
}

void pprof_format_scaled(char *buf, size_t n, int64_t value, const char *from, const char *to)
{
    const char *unit;
    double v = pprof_unit_scale(value, from, to, &unit);
    format_number(buf, n, v, unit);
}

void pprof_value_format_init(pprof_value_format *f, const char *from, const char *to)
{
    memset(f, 0, sizeof *f);
    f->from = from ? from : "";
    f->to = to ? to : "";
    for (size_t i = 0; i < N_OF(families); i++) {
        const unit_def *u = sniff(&families[i], f->from);
        if (!u)
            continue;
        /* (An automatic unit depends on each value: not prepared.) */
        if (is_auto_target(f->to))
            return;
        const unit_def *t = sniff(&families[i], f->to);
        f->from_factor = u->factor;
        f->to_factor = t ? t->factor : families[i].default_factor;
        f->unit = t ? t->name : families[i].default_name;
        f->kind = 1;
        return;
    }
    /* Unknown `from`: values as they are, with `to` (or nothing). */
    f->unit = f->to;
    for (size_t i = 0; i < N_OF(unitless_targets); i++)
        if (strcmp(f->to, unitless_targets[i]) == 0)
            f->unit = "";
    f->kind = 2;
}

/* scale() with the units looked up once: the same operations in the same
 * order, so the same double. */
static double value_format_scale(const pprof_value_format *f, int64_t value)
{
    if (f->kind == 2)
        return (double)value;
    if (value < 0 && value != INT64_MIN)
        return -(((double)-value * f->from_factor) / f->to_factor);
    return ((double)value * f->from_factor) / f->to_factor;
}

size_t pprof_value_format_put(const pprof_value_format *f, char *buf, size_t n, int64_t value)
{
    if (!f->kind) {
        const char *unit;
        double v = pprof_unit_scale(value, f->from, f->to, &unit);
        return format_number(buf, n, v, unit);
    }
    return format_number(buf, n, value_format_scale(f, value), f->unit);
}

/* "%.2g" of a, for a 0 or 1e-4 <= a < 0.125, as printf prints it: two
 * significant digits rounded from the binary value, trailing zeros
 * dropped ("0.0016", "0.001"). false, and nothing written, when the
 * rounding is too close to tell from a double (printf decides then). */
static bool small_g2(char *out, double a)
{
    if (a == 0) {
        memcpy(out, "0", 2);
        return true;
    }
    if (!(a >= 1e-4 && a < 0.125))
        return false;
    /* The first digit's place, 10^x (the doubles nearest 10^-1 .. 10^-4
     * are above them, so each comparison is exact). */
    int x = a >= 1e-1 ? -1 : a >= 1e-2 ? -2 : a >= 1e-3 ? -3 : -4;
    static const double scale[] = {1e2, 1e3, 1e4, 1e5}; /* 10^(1 - x) */
    double p = scale[-x - 1];
    double k = nearbyint(a * p);
    /* a * p - k rounded once: on the same side of a half as the exact
     * remainder, unless it rounded onto the half itself. */
    double d = fma(a, p, -k);
    if (d == 0.5 || d == -0.5)
        return false;
    if (d > 0.5)
        k += 1;
    else if (d < -0.5)
        k -= 1;
    if (!(k >= 10 && k <= 100))
        return false;
    unsigned m = (unsigned)k;
    if (m == 100) /* rounded up to the next power of ten */
        m = 10, x++;
    size_t n = 0;
    out[n++] = '0';
    out[n++] = '.';
    for (int z = -x - 1; z > 0; z--)
        out[n++] = '0';
    out[n++] = (char)('0' + m / 10);
    if (m % 10)
        out[n++] = (char)('0' + m % 10);
    out[n] = '\0';
    return true;
}

void pprof_format_percent(char *buf, size_t n, int64_t value, int64_t total)
{
    double ratio = 0.0;
    if (total != 0)
        ratio = fabs((double)value / (double)total) * 100.0;
    char num[24];
    if (ratio >= 99.95 && ratio <= 100.05) {
        snprintf(buf, n, "  100%%");
        return;
    }
    /* "%5.2f%%" from ratio 1, "%5.2g%%" below: from 0.125 to 1 that is the
     * same two decimals without trailing zeros (unless it rounds to 1),
     * below 0.125 small_g2 makes it (printf below 1e-4). */
    bool small = ratio < 0.125 && small_g2(num, ratio);
    if (small || (ratio >= 0.125 && fixed2(num, ratio) && (ratio >= 1.0 || strcmp(num, "1.00") != 0))) {
        size_t len = strlen(num);
        if (ratio < 1.0 && !small) {
            while (num[len - 1] == '0')
                num[--len] = '\0';
            if (num[len - 1] == '.')
                num[--len] = '\0';
        }
        size_t pad = len < 5 ? 5 - len : 0;
        if (pad + len + 2 <= n) { /* "%5s%%" */
            memset(buf, ' ', pad);
            memcpy(buf + pad, num, len);
            memcpy(buf + pad + len, "%", 2);
        } else {
            snprintf(buf, n, "%5s%%", num);
        }
        return;
    }
    void *loc = pprof_c_locale_enter();
    if (ratio >= 1.0)
        snprintf(buf, n, "%5.2f%%", ratio);
    else
        snprintf(buf, n, "%5.2g%%", ratio);
    pprof_c_locale_leave(loc);
}

/* 100*v with Go's two's-complement wrap-around instead of C's undefined
 * signed overflow; the out-of-range conversion back is two's complement on
 * every compiler we build with. */
static int64_t times_100_wrapping(int64_t v)
{
    return (int64_t)((uint64_t)v * 100u);
}

const char *pprof_unit_select_minimum(int64_t min_value, int64_t max_value, const char *sample_unit)
{
    const char *su = sample_unit ? sample_unit : "";
    const char *min_unit, *max_unit;
    pprof_unit_scale(min_value, su, "minimum", &min_unit);
    pprof_unit_scale(max_value, su, "minimum", &max_unit);
    const char *unit = min_unit;
    int64_t min100 = times_100_wrapping(min_value);
    /* A larger unit lets the smallest value still print, as 0.01 or more. */
    if (strcmp(min_unit, max_unit) != 0 && min100 < max_value)
        pprof_unit_scale(min100, su, "minimum", &unit);
    return unit[0] != '\0' ? unit : su;
}
