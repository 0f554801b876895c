build2/obj/lib/slots.o: lib/slots.c lib/internal.h lib/pprof.h
lib/internal.h:
lib/pprof.h:
