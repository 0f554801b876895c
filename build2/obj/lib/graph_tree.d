build2/obj/lib/graph_tree.o: lib/graph_tree.c lib/graph_private.h \
 lib/internal.h lib/pprof.h
lib/graph_private.h:
lib/internal.h:
lib/pprof.h:
