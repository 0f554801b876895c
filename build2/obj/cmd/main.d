build2/obj/cmd/main.o: cmd/main.c cmd/cmd.h cmd/config.h \
 build2/include/pprof/formats.h build2/include/pprof/pprof.h \
 build2/include/pprof/pprof.h cmd/webui.h
cmd/cmd.h:
cmd/config.h:
build2/include/pprof/formats.h:
build2/include/pprof/pprof.h:
build2/include/pprof/pprof.h:
cmd/webui.h:
