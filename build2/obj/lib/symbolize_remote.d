build2/obj/lib/symbolize_remote.o: lib/symbolize_remote.c lib/internal.h \
 lib/pprof.h
lib/internal.h:
lib/pprof.h:
