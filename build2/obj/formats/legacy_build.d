build2/obj/formats/legacy_build.o: formats/legacy_build.c \
 formats/legacy.h lib/internal.h lib/pprof.h formats/readers.h \
 formats/formats.h lib/pprof.h
formats/legacy.h:
lib/internal.h:
lib/pprof.h:
formats/readers.h:
formats/formats.h:
lib/pprof.h:
