build2/obj/cmd/commands.o: cmd/commands.c cmd/cmd.h cmd/config.h \
 build2/include/pprof/formats.h build2/include/pprof/pprof.h \
 build2/include/pprof/pprof.h
cmd/cmd.h:
cmd/config.h:
build2/include/pprof/formats.h:
build2/include/pprof/pprof.h:
build2/include/pprof/pprof.h:
