build2/obj/lib/label_units.o: lib/label_units.c lib/internal.h \
 lib/pprof.h
lib/internal.h:
lib/pprof.h:
