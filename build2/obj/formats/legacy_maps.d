build2/obj/formats/legacy_maps.o: formats/legacy_maps.c formats/legacy.h \
 lib/internal.h lib/pprof.h formats/readers.h formats/formats.h \
 lib/pprof.h
formats/legacy.h:
lib/internal.h:
lib/pprof.h:
formats/readers.h:
formats/formats.h:
lib/pprof.h:
