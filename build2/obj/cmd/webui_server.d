build2/obj/cmd/webui_server.o: cmd/webui_server.c cmd/webui.h cmd/cmd.h \
 cmd/config.h build2/include/pprof/formats.h build2/include/pprof/pprof.h \
 build2/include/pprof/pprof.h
cmd/webui.h:
cmd/cmd.h:
cmd/config.h:
build2/include/pprof/formats.h:
build2/include/pprof/pprof.h:
build2/include/pprof/pprof.h:
