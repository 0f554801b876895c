build2/obj/lib/objfile.o: lib/objfile.c lib/dwarf_index.h lib/internal.h \
 lib/pprof.h
lib/dwarf_index.h:
lib/internal.h:
lib/pprof.h:
