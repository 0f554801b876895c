build2/obj/formats/weblist_source.o: formats/weblist_source.c \
 formats/report.h formats/formats.h lib/pprof.h lib/internal.h \
 lib/pprof.h
formats/report.h:
formats/formats.h:
lib/pprof.h:
lib/internal.h:
lib/pprof.h:
