build2/obj/lib/regex_exec.o: lib/regex_exec.c lib/regex.h lib/pprof.h \
 lib/internal.h
lib/regex.h:
lib/pprof.h:
lib/internal.h:
