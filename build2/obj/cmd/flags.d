build2/obj/cmd/flags.o: cmd/flags.c cmd/cmd.h cmd/config.h \
 build2/include/pprof/formats.h build2/include/pprof/pprof.h \
 build2/include/pprof/pprof.h
cmd/cmd.h:
cmd/config.h:
build2/include/pprof/formats.h:
build2/include/pprof/pprof.h:
build2/include/pprof/pprof.h:
