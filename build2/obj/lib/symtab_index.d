build2/obj/lib/symtab_index.o: lib/symtab_index.c lib/dwarf_index.h \
 lib/internal.h lib/pprof.h
lib/dwarf_index.h:
lib/internal.h:
lib/pprof.h:
