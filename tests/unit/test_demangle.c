/* test_demangle.c: unit tests for lib/demangle.c and the -symbolize parser; expected names are current upstream pprof's (its demangler), except where noted. */
#include "pprof.h"
#include "unit.h"

#include <stdlib.h>

#define D PPROF_DEMANGLE_DEFAULT
#define T PPROF_DEMANGLE_TEMPLATES
#define F PPROF_DEMANGLE_FULL
#define N PPROF_DEMANGLE_NONE

static void check(const char *sym, pprof_demangle_mode mode, const char *want)
{
    char *got = pprof_demangle(sym, mode);
    CHECK_STR(got, want);
    if (!got || strcmp(got, want) != 0)
        fprintf(stderr, "  for %s (mode %d)\n", sym, (int)mode);
    free(got);
}

static void test_cxx(void)
{
    check("_ZNK5outer5inner11AccumulatorImE4StepEm", D, "outer::inner::Accumulator::Step");
    check("_ZNK5outer5inner11AccumulatorImE4StepEm", T, "outer::inner::Accumulator<unsigned long>::Step");
    check("_ZNK5outer5inner11AccumulatorImE4StepEm", F, "outer::inner::Accumulator<unsigned long>::Step(unsigned long) const");
    check("_ZNK5outer5inner11AccumulatorImE4StepEm", N, "_ZNK5outer5inner11AccumulatorImE4StepEm");
    check("_ZN12_GLOBAL__N_19anon_workERKSt6vectorIlSaIlEE", D, "(anonymous namespace)::anon_work");
    check("_ZZN6Widget6SortMeERSt6vectorIlSaIlEEENKUlllE_clEll", D,
          "Widget::SortMe()::{lambda(long, long)#1}::operator()");
    check("_ZNSt17_Function_handlerIFllEZ4mainEUllE_E9_M_invokeERKSt9_Any_dataOl", D,
          "std::_Function_handler::_M_invoke");
    check("_ZNSt17_Function_handlerIFllEZ4mainEUllE_E9_M_invokeERKSt9_Any_dataOl", T,
          "std::_Function_handler<long (long), main::{lambda(long)#1}>::_M_invoke");
    check("_Z8templ_fnILi5EEll", D, "templ_fn");
    check("_Z8templ_fnILi5EEll", T, "templ_fn<5>");
    check("_Z8templ_fnILi5EEll", F, "long templ_fn<5>(long)");
    check("_ZNK5outer5inner11AccumulatorImEclEm", D, "outer::inner::Accumulator::operator()");
    check("_ZNSt6vectorIiSaIiEE9push_backERKi", D, "std::vector::push_back");
    check("_ZN6WidgetD0Ev", D, "Widget::~Widget");
    check("_ZN1AcviEv", D, "A::operator int");
    check("_Znwm", D, "operator new");
    check("_Z3fooi.constprop.0", D, "foo");
    check("_Z3fooi.constprop.0", F, "foo(int)");
    check("_ZTV6Widget", D, "vtable for Widget");
    check("_ZThn8_N7Derived3fooEv", D, "non-virtual thunk to Derived::foo()");
    /* An extra leading '_' (Mach-O) is tried off (Go 1.19 leaves it). */
    check("__ZN3foo3barEv", D, "foo::bar");
}

static void test_others(void)
{
    /* Already demangled C++: parameters and template arguments removed. */
    check("foo::Bar<int>::baz(std::map<int, int> const&) const", D, "foo::Bar::baz const");
    check("foo::Bar<int>::baz(std::map<int, int> const&) const", T, "foo::Bar<int>::baz const");
    check("foo::Bar<int>::baz(int", D, "foo::Bar<int>::baz(int"); /* unbalanced: kept */
    /* Rust legacy (hash dropped) and v0. */
    check("_ZN4main4main17he714a2e23ed7db23E", D, "main::main");
    check("_RNCNCNgCs6DXkGYLi8lr_2cc5spawn00B5_", D, "cc::spawn::{closure#0}::{closure#0}");
    /* Left alone: C, Go, Java, global constructor helpers, junk. */
    check("_GLOBAL__sub_I_main", D, "_GLOBAL__sub_I_main");
    check("_Zfoo", D, "_Zfoo");
    check("malloc", D, "malloc");
    check("github.com/foo/bar/v2/baz.(*T).Method", D, "github.com/foo/bar/v2/baz.(*T).Method");
    check("main.(*L[...]).Push", D, "main.(*L[...]).Push");
    check("com.example.Foo.<init>", D, "com.example.Foo.<init>");
    /* Other languages' names that merely hold <> and (): kept (the folded
     * reader's Python frame became " "). */
    check("<module> (app.py:1)", D, "<module> (app.py:1)");
    check("<anonymous>", D, "<anonymous>");
    check("", D, "");
}

static void test_profile(void)
{
    pprof_profile *p = pprof_profile_new();
    pprof_str raw, other;
    pprof_profile_intern(&raw, p, "_ZN6WidgetD0Ev", 14);
    pprof_profile_intern(&other, p, "kept", 4);
    pprof_function f1 = {.id = 1, .name = raw, .system_name = raw};
    pprof_function f2 = {.id = 2, .name = other, .system_name = raw};
    pprof_profile_add_function(NULL, p, &f1);
    pprof_profile_add_function(NULL, p, &f2);
    CHECK_INT(pprof_profile_demangle(p, D, false), 0);
    CHECK_STR(pprof_string(p, p->functions[0].name), "Widget::~Widget");
    CHECK_STR(pprof_string(p, p->functions[1].name), "kept"); /* name differs: left */
    CHECK_INT(pprof_profile_demangle(p, F, true), 0);         /* force: both redone */
    CHECK_STR(pprof_string(p, p->functions[1].name), "Widget::~Widget()");
    pprof_profile_free(p);
}

/* A name with a NUL inside is no symbol: left whole, in every mode. */
static void test_profile_nul(void)
{
    static const char raw[] = "_ZN6WidgetD0Ev\0x::y<int>(int)";
    static const pprof_demangle_mode modes[] = {D, T, F};
    for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++) {
        pprof_profile *p = pprof_profile_new();
        pprof_str id;
        CHECK_INT(pprof_profile_intern(&id, p, raw, sizeof raw - 1), 0);
        pprof_function f = {.id = 1, .name = id, .system_name = id};
        CHECK_INT(pprof_profile_add_function(NULL, p, &f), 0);
        CHECK_INT(pprof_profile_demangle(p, modes[m], false), 0);
        CHECK_INT((long long)p->functions[0].name, (long long)id);
        pprof_profile_free(p);
    }
}

/* A profile's functions get what pprof_demangle gives their names, in
 * every mode, those it leaves alone (skipped unread) included. */
static void test_profile_all(void)
{
    static const char *syms[] = {
        "_ZN6WidgetD0Ev", "__ZN3foo3barEv", "_Z8templ_fnILi5EEll", "_ZN4main4main17he714a2e23ed7db23E",
        "_RNCNCNgCs6DXkGYLi8lr_2cc5spawn00B5_", "_GLOBAL__I_a", "_GLOBAL__sub_I_main", "_Zfoo", "malloc", "_",
        "main.main", "github.com/foo/bar/v2/baz.(*T).Method", "main.(*L[...]).Push", "com.example.Foo.<init>",
        "foo::Bar<int>::baz(int) const", "x::y", "a[1]", "<module> (app.py:1)", "<anonymous>", "f(int",
        /* each byte the one-pass scan looks for, alone, far into a long
         * name that demangling changes in some mode */
        "github.com/example/server/pkg0.Type0::Method3(int)", "github.com/example/server/pkg0.Map<int(int)",
        "github.com/example/server/pkg0.Map>int(int)", "github.com/example/server/pkg0.F[int(int)",
        "github.com/example/server/pkg0.F]int(int)", "github.com/example/server/pkg0.fn_Z_under(int)",
    };
    static const pprof_demangle_mode modes[] = {D, T, F, N};
    enum { NS = sizeof syms / sizeof syms[0] };
    for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++) {
        pprof_profile *p = pprof_profile_new();
        for (size_t i = 0; i < NS; i++) {
            pprof_str id;
            CHECK_INT(pprof_profile_intern(&id, p, syms[i], strlen(syms[i])), 0);
            pprof_function f = {.id = i + 1, .name = id, .system_name = id};
            CHECK_INT(pprof_profile_add_function(NULL, p, &f), 0);
        }
        CHECK_INT(pprof_profile_demangle(p, modes[m], false), 0);
        for (size_t i = 0; i < NS && i < p->n_functions; i++) {
            char *want = pprof_demangle(syms[i], modes[m]);
            CHECK_STR(pprof_string(p, p->functions[i].name), want);
            free(want);
        }
        pprof_profile_free(p);
    }
}

static void test_parse(void)
{
    pprof_symbolize_options o;
    pprof_error err;
    CHECK_INT(pprof_symbolize_parse(&o, "", &err), 0);
    CHECK(o.local && o.remote && !o.fast && !o.force && !o.none);
    CHECK_INT(pprof_symbolize_parse(&o, "local", &err), 0);
    CHECK(o.local && !o.remote);
    CHECK_INT(pprof_symbolize_parse(&o, "Remote:force", &err), 0);
    CHECK(!o.local && o.remote && o.force);
    CHECK_INT(pprof_symbolize_parse(&o, "fastlocal", &err), 0);
    CHECK(o.local && o.fast && !o.remote);
    CHECK_INT(pprof_symbolize_parse(&o, "demangle=full", &err), 0);
    CHECK(o.demangle == F && o.force && o.local && o.remote);
    CHECK_INT(pprof_symbolize_parse(&o, "demangle=templates", &err), 0);
    CHECK(o.demangle == T);
    CHECK_INT(pprof_symbolize_parse(&o, "none", &err), 0);
    CHECK(o.none);
    CHECK_INT(pprof_symbolize_parse(&o, "local:bogus", &err), PPROF_EINVAL);
    CHECK_STR(err.msg, "ignoring unrecognized symbolization option: local:bogus");
    CHECK(o.local && !o.remote);
}

int main(void)
{
    test_profile_all();
    test_profile_nul();
    test_cxx();
    test_others();
    test_profile();
    test_parse();
    return unit_report("demangle");
}
