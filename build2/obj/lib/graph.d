build2/obj/lib/graph.o: lib/graph.c lib/graph_private.h lib/internal.h \
 lib/pprof.h
lib/graph_private.h:
lib/internal.h:
lib/pprof.h:
