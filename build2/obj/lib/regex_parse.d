build2/obj/lib/regex_parse.o: lib/regex_parse.c lib/internal.h \
 lib/pprof.h lib/regex.h
lib/internal.h:
lib/pprof.h:
lib/regex.h:
