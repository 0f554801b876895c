build2/obj/lib/graph_tags.o: lib/graph_tags.c lib/graph_private.h \
 lib/internal.h lib/pprof.h
lib/graph_private.h:
lib/internal.h:
lib/pprof.h:
