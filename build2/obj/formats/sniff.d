build2/obj/formats/sniff.o: formats/sniff.c formats/readers.h \
 formats/formats.h lib/pprof.h
formats/readers.h:
formats/formats.h:
lib/pprof.h:
