build2/obj/formats/perf_header.o: formats/perf_header.c \
 formats/perf_data.h formats/formats.h lib/pprof.h lib/internal.h \
 lib/pprof.h
formats/perf_data.h:
formats/formats.h:
lib/pprof.h:
lib/internal.h:
lib/pprof.h:
