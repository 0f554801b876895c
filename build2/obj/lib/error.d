build2/obj/lib/error.o: lib/error.c lib/internal.h lib/pprof.h
lib/internal.h:
lib/pprof.h:
