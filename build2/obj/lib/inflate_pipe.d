build2/obj/lib/inflate_pipe.o: lib/inflate_pipe.c lib/decode_ahead.h \
 lib/internal.h lib/pprof.h
lib/decode_ahead.h:
lib/internal.h:
lib/pprof.h:
