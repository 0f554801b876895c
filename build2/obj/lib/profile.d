build2/obj/lib/profile.o: lib/profile.c lib/internal.h lib/pprof.h
lib/internal.h:
lib/pprof.h:
