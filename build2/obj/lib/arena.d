build2/obj/lib/arena.o: lib/arena.c lib/internal.h lib/pprof.h
lib/internal.h:
lib/pprof.h:
