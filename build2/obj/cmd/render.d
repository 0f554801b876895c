build2/obj/cmd/render.o: cmd/render.c cmd/cmd.h cmd/config.h \
 build2/include/pprof/formats.h build2/include/pprof/pprof.h \
 build2/include/pprof/pprof.h /usr/include/graphviz/cgraph.h \
 /usr/include/graphviz/cdt.h /usr/include/graphviz/gvc.h \
 /usr/include/graphviz/types.h /usr/include/graphviz/geom.h \
 /usr/include/graphviz/arith.h /usr/include/graphviz/gvcext.h \
 /usr/include/graphviz/pathgeom.h /usr/include/graphviz/textspan.h \
 /usr/include/graphviz/cgraph.h /usr/include/graphviz/usershape.h \
 /usr/include/graphviz/gvplugin.h
cmd/cmd.h:
cmd/config.h:
build2/include/pprof/formats.h:
build2/include/pprof/pprof.h:
build2/include/pprof/pprof.h:
/usr/include/graphviz/cgraph.h:
/usr/include/graphviz/cdt.h:
/usr/include/graphviz/gvc.h:
/usr/include/graphviz/types.h:
/usr/include/graphviz/geom.h:
/usr/include/graphviz/arith.h:
/usr/include/graphviz/gvcext.h:
/usr/include/graphviz/pathgeom.h:
/usr/include/graphviz/textspan.h:
/usr/include/graphviz/cgraph.h:
/usr/include/graphviz/usershape.h:
/usr/include/graphviz/gvplugin.h:
