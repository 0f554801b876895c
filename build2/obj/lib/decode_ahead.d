build2/obj/lib/decode_ahead.o: lib/decode_ahead.c lib/decode_ahead.h \
 lib/internal.h lib/pprof.h
lib/decode_ahead.h:
lib/internal.h:
lib/pprof.h:
