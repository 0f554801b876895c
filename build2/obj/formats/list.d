build2/obj/formats/list.o: formats/list.c formats/report.h \
 formats/formats.h lib/pprof.h lib/internal.h lib/pprof.h
formats/report.h:
formats/formats.h:
lib/pprof.h:
lib/internal.h:
lib/pprof.h:
