build2/obj/lib/dwarf_index.o: lib/dwarf_index.c lib/dwarf_index.h \
 lib/internal.h lib/pprof.h
lib/dwarf_index.h:
lib/internal.h:
lib/pprof.h:
