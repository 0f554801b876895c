build2/obj/formats/flame_svg.o: formats/flame_svg.c formats/flame_js.h \
 formats/flame_layout.h formats/formats.h lib/pprof.h formats/report.h \
 lib/internal.h lib/pprof.h
formats/flame_js.h:
formats/flame_layout.h:
formats/formats.h:
lib/pprof.h:
formats/report.h:
lib/internal.h:
lib/pprof.h:
