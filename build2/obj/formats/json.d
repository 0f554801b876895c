build2/obj/formats/json.o: formats/json.c formats/report.h \
 formats/formats.h lib/pprof.h lib/internal.h lib/pprof.h
formats/report.h:
formats/formats.h:
lib/pprof.h:
lib/internal.h:
lib/pprof.h:
