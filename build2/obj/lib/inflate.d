build2/obj/lib/inflate.o: lib/inflate.c lib/internal.h lib/pprof.h
lib/internal.h:
lib/pprof.h:
