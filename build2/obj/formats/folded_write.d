build2/obj/formats/folded_write.o: formats/folded_write.c \
 formats/formats.h lib/pprof.h
formats/formats.h:
lib/pprof.h:
