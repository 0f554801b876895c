build2/obj/formats/report_labels.o: formats/report_labels.c \
 formats/report.h formats/formats.h lib/pprof.h lib/internal.h \
 lib/pprof.h
formats/report.h:
formats/formats.h:
lib/pprof.h:
lib/internal.h:
lib/pprof.h:
