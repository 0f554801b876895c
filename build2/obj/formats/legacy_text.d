build2/obj/formats/legacy_text.o: formats/legacy_text.c formats/legacy.h \
 lib/internal.h lib/pprof.h formats/readers.h formats/formats.h \
 lib/pprof.h
formats/legacy.h:
lib/internal.h:
lib/pprof.h:
formats/readers.h:
formats/formats.h:
lib/pprof.h:
