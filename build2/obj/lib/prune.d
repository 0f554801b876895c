build2/obj/lib/prune.o: lib/prune.c lib/internal.h lib/pprof.h \
 lib/regex.h
lib/internal.h:
lib/pprof.h:
lib/regex.h:
