build2/obj/lib/nodemap.o: lib/nodemap.c lib/internal.h lib/pprof.h
lib/internal.h:
lib/pprof.h:
