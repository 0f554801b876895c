build2/obj/formats/read.o: formats/read.c formats/readers.h \
 formats/formats.h lib/pprof.h formats/report.h lib/internal.h \
 lib/pprof.h
formats/readers.h:
formats/formats.h:
lib/pprof.h:
formats/report.h:
lib/internal.h:
lib/pprof.h:
