build2/obj/lib/demangle.o: lib/demangle.c lib/internal.h lib/pprof.h
lib/internal.h:
lib/pprof.h:
