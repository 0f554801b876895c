build2/obj/lib/units.o: lib/units.c lib/internal.h lib/pprof.h
lib/internal.h:
lib/pprof.h:
