build2/obj/formats/text_tree.o: formats/text_tree.c formats/report.h \
 formats/formats.h lib/pprof.h lib/internal.h lib/pprof.h
formats/report.h:
formats/formats.h:
lib/pprof.h:
lib/internal.h:
lib/pprof.h:
