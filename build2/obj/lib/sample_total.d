build2/obj/lib/sample_total.o: lib/sample_total.c lib/internal.h \
 lib/pprof.h
lib/internal.h:
lib/pprof.h:
