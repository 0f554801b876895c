build2/obj/lib/version.o: lib/version.c lib/pprof.h
lib/pprof.h:
