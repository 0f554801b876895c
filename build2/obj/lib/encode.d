build2/obj/lib/encode.o: lib/encode.c lib/idmap.h lib/internal.h \
 lib/pprof.h build2/gen/profile.pb-c.h
lib/idmap.h:
lib/internal.h:
lib/pprof.h:
build2/gen/profile.pb-c.h:
