build2/obj/formats/speedscope.o: formats/speedscope.c formats/formats.h \
 lib/pprof.h
formats/formats.h:
lib/pprof.h:
