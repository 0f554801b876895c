build2/obj/lib/buf.o: lib/buf.c lib/internal.h lib/pprof.h
lib/internal.h:
lib/pprof.h:
