build2/obj/formats/graph_report.o: formats/graph_report.c \
 formats/report.h formats/formats.h lib/pprof.h lib/internal.h \
 lib/pprof.h
formats/report.h:
formats/formats.h:
lib/pprof.h:
lib/internal.h:
lib/pprof.h:
