build2/obj/cmd/window_sources.o: cmd/window_sources.c cmd/cmd.h \
 cmd/config.h build2/include/pprof/formats.h build2/include/pprof/pprof.h \
 build2/include/pprof/pprof.h
cmd/cmd.h:
cmd/config.h:
build2/include/pprof/formats.h:
build2/include/pprof/pprof.h:
build2/include/pprof/pprof.h:
