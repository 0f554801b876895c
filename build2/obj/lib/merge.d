build2/obj/lib/merge.o: lib/merge.c lib/idmap.h lib/internal.h \
 lib/pprof.h
lib/idmap.h:
lib/internal.h:
lib/pprof.h:
