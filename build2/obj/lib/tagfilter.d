build2/obj/lib/tagfilter.o: lib/tagfilter.c lib/internal.h lib/pprof.h \
 lib/regex.h
lib/internal.h:
lib/pprof.h:
lib/regex.h:
