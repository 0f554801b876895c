build2/obj/formats/folded_read.o: formats/folded_read.c lib/internal.h \
 lib/pprof.h formats/readers.h formats/formats.h lib/pprof.h
lib/internal.h:
lib/pprof.h:
formats/readers.h:
formats/formats.h:
lib/pprof.h:
