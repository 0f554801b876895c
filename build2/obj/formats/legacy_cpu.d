build2/obj/formats/legacy_cpu.o: formats/legacy_cpu.c formats/legacy.h \
 lib/internal.h lib/pprof.h formats/readers.h formats/formats.h \
 lib/pprof.h
formats/legacy.h:
lib/internal.h:
lib/pprof.h:
formats/readers.h:
formats/formats.h:
lib/pprof.h:
