build2/obj/formats/flame_layout.o: formats/flame_layout.c \
 formats/flame_layout.h formats/formats.h lib/pprof.h lib/internal.h \
 lib/pprof.h
formats/flame_layout.h:
formats/formats.h:
lib/pprof.h:
lib/internal.h:
lib/pprof.h:
