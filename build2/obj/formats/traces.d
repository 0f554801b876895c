build2/obj/formats/traces.o: formats/traces.c formats/report.h \
 formats/formats.h lib/pprof.h lib/internal.h lib/pprof.h
formats/report.h:
formats/formats.h:
lib/pprof.h:
lib/internal.h:
lib/pprof.h:
