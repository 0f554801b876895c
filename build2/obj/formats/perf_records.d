build2/obj/formats/perf_records.o: formats/perf_records.c \
 formats/perf_data.h formats/formats.h lib/pprof.h
formats/perf_data.h:
formats/formats.h:
lib/pprof.h:
