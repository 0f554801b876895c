build2/obj/formats/stacks.o: formats/stacks.c formats/flame_layout.h \
 formats/formats.h lib/pprof.h lib/internal.h lib/pprof.h
formats/flame_layout.h:
formats/formats.h:
lib/pprof.h:
lib/internal.h:
lib/pprof.h:
