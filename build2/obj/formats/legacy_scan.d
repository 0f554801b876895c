build2/obj/formats/legacy_scan.o: formats/legacy_scan.c formats/legacy.h \
 lib/internal.h lib/pprof.h formats/readers.h formats/formats.h \
 lib/pprof.h
formats/legacy.h:
lib/internal.h:
lib/pprof.h:
formats/readers.h:
formats/formats.h:
lib/pprof.h:
