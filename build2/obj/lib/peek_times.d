build2/obj/lib/peek_times.o: lib/peek_times.c lib/internal.h lib/pprof.h
lib/internal.h:
lib/pprof.h:
