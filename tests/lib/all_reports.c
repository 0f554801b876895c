/* all_reports.c: an outside program (installed headers and pkg-config only) that reads a profile and writes every report the library has, one file each. */
#include <pprof/pprof.h>
#include <pprof/formats.h>

#include <stdio.h>
#include <string.h>

/* Usage: all_reports PROFILE OUTDIR. Prints the version first, then one
 * line per report: its name and the code pprof_write returned. */
int main(int argc, char **argv)
{
    if (argc != 3)
        return 2;
    printf("version %s %s\n", pprof_version(), PPROF_VERSION);
    FILE *f = fopen(argv[1], "rb");
    if (!f)
        return 1;
    pprof_buf data = {0};
    pprof_error err;
    pprof_profile *p = NULL;
    pprof_parse_options opt = {.single_threaded = true};
    int rc = pprof_read_stream(&data, f, &opt, &err);
    fclose(f);
    if (rc == 0)
        rc = pprof_read(&p, data.data, data.len, &opt, &err);
    pprof_buf_release(&data);
    if (rc == 0)
        rc = pprof_profile_prune_frames(p, &err);
    if (rc) {
        fprintf(stderr, "%s: %s (%s)\n", argv[1], err.msg, pprof_strerror(rc));
        return 1;
    }
    for (size_t i = 0; pprof_writer_name(i); i++) {
        const char *name = pprof_writer_name(i);
        pprof_report_options o;
        pprof_report_options_init(&o, name);
        static const char *const by_symbol[] = {"peek", "list", "disasm", "weblist", "source"};
        for (size_t k = 0; k < sizeof by_symbol / sizeof by_symbol[0]; k++)
            if (strcmp(name, by_symbol[k]) == 0)
                o.symbol = "main";
        pprof_buf out = {0};
        rc = pprof_write(&out, name, p, &o, &err);
        printf("%s %d\n", name, rc);
        char path[4096];
        snprintf(path, sizeof path, "%s/%s.out", argv[2], name);
        FILE *w = fopen(path, "wb");
        if (w) {
            if (rc != 0)
                fprintf(w, "pprof: %s\n", err.msg);
            else if (out.len) /* an empty report has no buffer */
                fwrite(out.data, 1, out.len, w);
            fclose(w);
        }
        pprof_buf_release(&out);
    }
    pprof_profile_free(p);
    return 0;
}
