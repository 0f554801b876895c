build2/obj/lib/idmap.o: lib/idmap.c lib/idmap.h lib/internal.h \
 lib/pprof.h
lib/idmap.h:
lib/internal.h:
lib/pprof.h:
