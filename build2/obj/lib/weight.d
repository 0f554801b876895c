build2/obj/lib/weight.o: lib/weight.c lib/internal.h lib/pprof.h
lib/internal.h:
lib/pprof.h:
