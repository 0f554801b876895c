build2/obj/lib/graph_order.o: lib/graph_order.c lib/graph_private.h \
 lib/internal.h lib/pprof.h
lib/graph_private.h:
lib/internal.h:
lib/pprof.h:
