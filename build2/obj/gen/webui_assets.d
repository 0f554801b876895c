build2/obj/gen/webui_assets.o: build2/gen/webui_assets.c cmd/webui.h \
 cmd/cmd.h cmd/config.h build2/include/pprof/formats.h \
 build2/include/pprof/pprof.h build2/include/pprof/pprof.h
cmd/webui.h:
cmd/cmd.h:
cmd/config.h:
build2/include/pprof/formats.h:
build2/include/pprof/pprof.h:
build2/include/pprof/pprof.h:
