build2/obj/lib/stack_index.o: lib/stack_index.c lib/internal.h \
 lib/pprof.h
lib/internal.h:
lib/pprof.h:
