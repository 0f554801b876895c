build2/obj/lib/filter.o: lib/filter.c lib/idmap.h lib/internal.h \
 lib/pprof.h lib/regex.h
lib/idmap.h:
lib/internal.h:
lib/pprof.h:
lib/regex.h:
