/* symbolize.c: the program's side of symbolization: -symbolize parsed once, the environment's search paths, warnings printed. */
#include "cmd.h"

#include <stdlib.h>
#include <string.h>

static void print_warning(void *ctx, const char *msg)
{
    (void)ctx;
    cmd_note("%s", msg);
}

void cmd_symbolize_setup(cmd_args *args)
{
    pprof_error err;
    if (pprof_symbolize_parse(&args->sym, args->symbolize, &err) != 0) {
        cmd_note("%s", err.msg);
        cmd_note("expecting -symbolize=[local|fastlocal|remote|none][:force][:demangle=[none|full|templates|default]");
    }
    const char *bp = getenv("PPROF_BINARY_PATH");
    args->sym.binary_path = bp; /* NULL: the library's default, $HOME/pprof/binaries */
    args->sym.home = getenv("HOME");
    /* Kernel names; PPROF_KALLSYMS names another copy (a saved one). */
    const char *ks = getenv("PPROF_KALLSYMS");
    args->sym.kallsyms = ks && *ks ? ks : "/proc/kallsyms";
    args->sym.warn = print_warning;
}

int cmd_symbolize_local(pprof_profile *p, const cmd_args *args, bool recorded_here)
{
    pprof_error err;
    pprof_symbolize_options opt = args->sym;
    opt.running_vdso = recorded_here;
    if (pprof_symbolize_local(p, &opt, &err) != 0) {
        cmd_error("%s", err.msg);
        return EXIT_DATA;
    }
    return 0;
}

int cmd_demangle(pprof_profile *p, const cmd_args *args)
{
    if (args->sym.none)
        return 0;
    if (pprof_profile_demangle(p, args->sym.demangle, args->sym.force) != 0) {
        cmd_error("out of memory");
        return EXIT_DATA;
    }
    return 0;
}
