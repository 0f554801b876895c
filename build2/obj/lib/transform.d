build2/obj/lib/transform.o: lib/transform.c lib/idmap.h lib/internal.h \
 lib/pprof.h
lib/idmap.h:
lib/internal.h:
lib/pprof.h:
