build2/obj/lib/c_locale.o: lib/c_locale.c lib/internal.h lib/pprof.h
lib/internal.h:
lib/pprof.h:
