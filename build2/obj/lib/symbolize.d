build2/obj/lib/symbolize.o: lib/symbolize.c lib/internal.h lib/pprof.h
lib/internal.h:
lib/pprof.h:
