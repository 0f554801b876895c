build2/obj/lib/source_path.o: lib/source_path.c lib/internal.h \
 lib/pprof.h
lib/internal.h:
lib/pprof.h:
