build2/obj/cmd/webui_page.o: cmd/webui_page.c cmd/webui.h cmd/cmd.h \
 cmd/config.h build2/include/pprof/formats.h build2/include/pprof/pprof.h \
 build2/include/pprof/pprof.h
cmd/webui.h:
cmd/cmd.h:
cmd/config.h:
build2/include/pprof/formats.h:
build2/include/pprof/pprof.h:
build2/include/pprof/pprof.h:
