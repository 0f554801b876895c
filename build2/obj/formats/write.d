build2/obj/formats/write.o: formats/write.c formats/report.h \
 formats/formats.h lib/pprof.h lib/internal.h lib/pprof.h
formats/report.h:
formats/formats.h:
lib/pprof.h:
lib/internal.h:
lib/pprof.h:
