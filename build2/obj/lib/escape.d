build2/obj/lib/escape.o: lib/escape.c lib/internal.h lib/pprof.h
lib/internal.h:
lib/pprof.h:
