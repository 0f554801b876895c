build2/obj/lib/time_window.o: lib/time_window.c lib/internal.h \
 lib/pprof.h
lib/internal.h:
lib/pprof.h:
