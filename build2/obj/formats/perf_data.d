build2/obj/formats/perf_data.o: formats/perf_data.c formats/perf_build.h \
 formats/perf_data.h formats/formats.h lib/pprof.h lib/internal.h \
 lib/pprof.h formats/readers.h
formats/perf_build.h:
formats/perf_data.h:
formats/formats.h:
lib/pprof.h:
lib/internal.h:
lib/pprof.h:
formats/readers.h:
