build2/obj/lib/decode.o: lib/decode.c lib/decode_ahead.h lib/internal.h \
 lib/pprof.h lib/idmap.h
lib/decode_ahead.h:
lib/internal.h:
lib/pprof.h:
lib/idmap.h:
