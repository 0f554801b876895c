build2/obj/formats/perf_build.o: formats/perf_build.c \
 formats/perf_build.h formats/perf_data.h formats/formats.h lib/pprof.h \
 lib/internal.h lib/pprof.h
formats/perf_build.h:
formats/perf_data.h:
formats/formats.h:
lib/pprof.h:
lib/internal.h:
lib/pprof.h:
