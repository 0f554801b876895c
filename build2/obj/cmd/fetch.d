build2/obj/cmd/fetch.o: cmd/fetch.c cmd/fetch.h cmd/cmd.h cmd/config.h \
 build2/include/pprof/formats.h build2/include/pprof/pprof.h \
 build2/include/pprof/pprof.h
cmd/fetch.h:
cmd/cmd.h:
cmd/config.h:
build2/include/pprof/formats.h:
build2/include/pprof/pprof.h:
build2/include/pprof/pprof.h:
