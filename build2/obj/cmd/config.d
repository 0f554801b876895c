build2/obj/cmd/config.o: cmd/config.c cmd/config.h \
 build2/include/pprof/formats.h build2/include/pprof/pprof.h
cmd/config.h:
build2/include/pprof/formats.h:
build2/include/pprof/pprof.h:
