# Makefile: the only build system of pprof in C (library, program, tests, bench).

PREFIX       ?= /usr/local
BINDIR       ?= $(PREFIX)/bin
LIBDIR       ?= $(PREFIX)/lib
INCLUDEDIR   ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
MANDIR       ?= $(PREFIX)/share/man
DESTDIR      ?=
BUILD        ?= build
CC           ?= cc
SANITIZE     ?=
# DEVELOPER=1 (set by `make check`): warnings are errors. A plain `make` on
# someone else's compiler only warns.
DEVELOPER    ?=

# Debian packages the build needs (`make deps`) and those only the tests need
# (`make test-deps`: xmllint for SVG validity, chromium for the browser test,
# openssl for the HTTPS fetch tests' certificates and TLS server, tmux for the
# terminal test of the shell, pdftoppm to check rendered PDFs, perf to record
# the programs the perf.data tests compare with perf's own reports);
# each target installs just the missing ones.
DEPS_PKGS = protobuf-c-compiler libprotobuf-c-dev zlib1g-dev libreadline-dev \
            libgraphviz-dev libcurl4-openssl-dev pkg-config libisal-dev \
            libdw-dev libelf-dev libiberty-dev libcapstone-dev \
            libmicrohttpd-dev libjson-c-dev xxd libzstd-dev
TEST_PKGS = libxml2-utils chromium tmux openssl poppler-utils binutils \
            gcc g++ libgoogle-perftools-dev nodejs curl linux-perf locales-all strace
FUZZ_PKGS = clang libclang-rt-14-dev
# The bench compares with go tool pprof (and builds C++ for the native case).
BENCH_PKGS = golang-go g++ binutils isal

WARN     = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wno-unused-parameter -Wformat=2 -Wno-format-nonliteral $(if $(filter 1,$(DEVELOPER)),-Werror)
CSTD     = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
OPT      ?= -O2 -g
# -MMD -MP: each object records the headers it includes (build/obj/*.d);
# the prefix map keeps build paths out of the binaries (reproducible builds).
CFLAGS_BASE = $(CSTD) $(OPT) $(WARN) -fPIC $(SANITIZE) -MMD -MP -ffile-prefix-map=$(CURDIR)=. $(CFLAGS)
CURL_CFLAGS = $(shell pkg-config --cflags libcurl 2>/dev/null)
CURL_LIBS   = $(shell pkg-config --libs libcurl 2>/dev/null || echo -lcurl)
# Graphviz's libraries render call graphs in the program (cmd/render.c).
GV_CFLAGS = $(shell pkg-config --cflags libgvc libcgraph 2>/dev/null)
GV_LIBS   = $(shell pkg-config --libs libgvc libcgraph 2>/dev/null || echo -lgvc -lcgraph -lcdt)
# Symbolization: elfutils (ELF, DWARF, MiniDebugInfo), libiberty's demangler
# (static, PIC on Debian). capstone (disassembly) is not linked:
# formats/disasm.c loads it with dlopen by the soname of the one found here.
NATIVE_LIBS = -ldw -lelf -liberty
soname_of = $(shell f=$$($(CC) -print-file-name=lib$(1).so) && objdump -p "$$f" 2>/dev/null | awk '/SONAME/ {print $$2}')
CAPSTONE_SONAME := $(call soname_of,capstone)
CAPSTONE_CFLAGS := $(if $(CAPSTONE_SONAME),-DPPROF_CAPSTONE_SONAME='"$(CAPSTONE_SONAME)"')
# libcurl, Graphviz, libmicrohttpd, json-c and readline are not linked
# either: cmd/dynlib.c opens each when a command first needs it, by the
# soname of the one found here, and names its Debian package when it is
# missing ($(BUILD)/gen/dynlib_names.h; -dev packages above bring both).
DYNLIB_NAMES = curl gvc microhttpd json-c readline dw zstd
# libzstd decodes the compressed records of perf.data (perf record -z).
LDLIBS_ALL = -lprotobuf-c $(ISAL_LIBS) -lz -lzstd -lm -pthread $(NATIVE_LIBS) $(LDLIBS)
# The program links neither elfutils nor libzstd: it defines the names
# libpprof calls in them (cmd/dynlib_lib.c), which open each on first use.
LDLIBS_PROG = -lprotobuf-c $(ISAL_LIBS) -lz -lm -pthread -liberty $(LDLIBS)
# ISA-L's igzip inflates gzip input (lib/inflate_pipe.c says why); without
# libisal-dev the build falls back to zlib alone.
ISAL_CFLAGS := $(shell pkg-config --exists libisal 2>/dev/null && echo -DPPROF_HAVE_ISAL)
ISAL_LIBS   := $(shell pkg-config --exists libisal 2>/dev/null && echo -lisal)
LDFLAGS_ALL = $(SANITIZE) $(LDFLAGS)
# The web UI (-http): libmicrohttpd serves, json-c reads and writes pprof's settings file.
WEB_CFLAGS = $(shell pkg-config --cflags libmicrohttpd json-c 2>/dev/null)
WEB_LIBS   = $(shell pkg-config --libs libmicrohttpd json-c 2>/dev/null || echo -lmicrohttpd -ljson-c)

# One include path per layer, so a layer cannot reach above itself: lib/
# sees only lib/ (and the generated protobuf code); formats/ sees lib/ and
# formats/; the program sees only the installed public headers (staged in
# $(BUILD)/include/pprof/) and its own. The library exports only what is
# marked PPROF_API (-fvisibility=hidden); the program and the tests link the
# static library, so the hidden helpers still link for them.
LIB_CFLAGS  = $(CFLAGS_BASE) -fvisibility=hidden -Ilib -I$(BUILD)/gen $(ISAL_CFLAGS)
FMT_CFLAGS  = $(CFLAGS_BASE) -fvisibility=hidden -Ilib -Iformats $(CAPSTONE_CFLAGS)
CMD_CFLAGS  = $(CFLAGS_BASE) -Icmd -I$(BUILD)/include -I$(BUILD)/gen $(CURL_CFLAGS) $(GV_CFLAGS) $(WEB_CFLAGS) $(ISAL_CFLAGS)
TEST_CFLAGS = $(CFLAGS_BASE) -Ilib -Iformats -Itests/unit $(ISAL_CFLAGS)

# The public headers, installed as <pprof/pprof.h> and <pprof/formats.h>.
PUB_H     = lib/pprof.h formats/formats.h
PUB_STAGE = $(addprefix $(BUILD)/include/pprof/,$(notdir $(PUB_H)))

GEN_C    = $(BUILD)/gen/profile.pb-c.c
GEN_H    = $(BUILD)/gen/profile.pb-c.h
LIB_SRC  = $(sort $(wildcard lib/*.c))
FMT_SRC  = $(sort $(wildcard formats/*.c))
CMD_SRC  = $(sort $(wildcard cmd/*.c))
LIB_OBJ  = $(LIB_SRC:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/gen/profile.pb-c.o
FMT_OBJ  = $(FMT_SRC:%.c=$(BUILD)/obj/%.o)
CMD_OBJ  = $(CMD_SRC:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/gen/webui_assets.o
# The web UI's pages (HTML, CSS, JS) are compiled into the program.
WEBUI_FILES = $(sort $(wildcard cmd/webui/*.css cmd/webui/*.js))
UNIT_SRC = $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
TOOL_SRC = $(sort $(wildcard tests/bench/*.c tests/bad/*.c tests/http/*.c))
TOOL_BIN = $(patsubst %.c,$(BUILD)/tools/%,$(notdir $(TOOL_SRC)))
# The version lives in lib/pprof.h (PPROF_VERSION); the soname follows its major.
VERSION  := $(shell sed -n 's/^\#define PPROF_VERSION "\(.*\)"/\1/p' lib/pprof.h)
SOMAJOR  := $(shell sed -n 's/^\#define PPROF_VERSION_MAJOR \([0-9]*\)/\1/p' lib/pprof.h)

.PHONY: all deps test-deps fuzz-replay-drivers install-pkgs check test unit cli bad flame http native lib webui perf fuzz demo asan tsan bench \
        install uninstall clean tools FORCE
.SUFFIXES:

all: $(BUILD)/pprof $(BUILD)/libpprof.a $(BUILD)/libpprof.so $(BUILD)/libpprof.pc

# ---------------------------------------------------------------- set-up
deps:
	@$(MAKE) --no-print-directory install-pkgs PKGS="$(DEPS_PKGS)"

test-deps: deps
	@$(MAKE) --no-print-directory install-pkgs PKGS="$(TEST_PKGS)"
	@$(MAKE) --no-print-directory $(PLAYWRIGHT)

# The web UI's browser test drives Debian's chromium with playwright-core
# from npm, installed under build/node (it never downloads a browser).
NODE_DIR   = $(BUILD)/node
PLAYWRIGHT = $(NODE_DIR)/node_modules/playwright-core/package.json
$(PLAYWRIGHT):
	@command -v npm >/dev/null 2>&1 || $(MAKE) --no-print-directory install-pkgs PKGS="npm"
	@mkdir -p $(NODE_DIR)
	cd $(NODE_DIR) && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --no-audit --no-fund --prefix . playwright-core@1.65.1

install-pkgs:
	@missing=""; for p in $(PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

# ---------------------------------------------------------------- build
$(GEN_C) $(GEN_H): proto/profile.proto
	@mkdir -p $(BUILD)/gen
	protoc-c --proto_path=proto --c_out=$(BUILD)/gen proto/profile.proto

# Objects are rebuilt when the flags change (say, DEVELOPER=1 after a plain
# make), so `make check` really compiles everything with -Werror.
$(BUILD)/cflags: FORCE
	@mkdir -p $(BUILD)
	@echo '$(CC) $(LIB_CFLAGS) | $(FMT_CFLAGS) | $(CMD_CFLAGS)' | cmp -s - $@ 2>/dev/null || \
	  echo '$(CC) $(LIB_CFLAGS) | $(FMT_CFLAGS) | $(CMD_CFLAGS)' > $@

$(BUILD)/obj/gen/profile.pb-c.o: $(GEN_C) $(BUILD)/cflags
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(OPT) -fPIC -fvisibility=hidden $(SANITIZE) -ffile-prefix-map=$(CURDIR)=. -I$(BUILD)/gen -c $< -o $@

$(BUILD)/obj/lib/%.o: lib/%.c $(GEN_H) $(BUILD)/cflags
	@mkdir -p $(dir $@)
	$(CC) $(LIB_CFLAGS) -c $< -o $@

$(BUILD)/obj/formats/%.o: formats/%.c $(BUILD)/cflags
	@mkdir -p $(dir $@)
	$(CC) $(FMT_CFLAGS) -c $< -o $@

# Each file under cmd/webui/ becomes a C array (xxd -i) in one table.
$(BUILD)/gen/webui_assets.c: $(WEBUI_FILES) Makefile
	@mkdir -p $(BUILD)/gen
	@{ echo '/* generated by the Makefile from cmd/webui/: the web UI files as C arrays */'; \
	  echo '#include "webui.h"'; \
	  for f in $(WEBUI_FILES:cmd/%=%); do (cd cmd && xxd -i $$f) | sed 's/^unsigned char/static const unsigned char/; /_len = /d'; done; \
	  echo 'const webui_asset webui_assets[] = {'; \
	  for f in $(WEBUI_FILES:cmd/%=%); do v=$$(echo $$f | tr '/.-' '___'); echo "    {\"$$f\", $$v, sizeof $$v},"; done; \
	  echo '};'; echo 'const size_t webui_n_assets = sizeof webui_assets / sizeof webui_assets[0];'; } > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/gen/webui_assets.o: $(BUILD)/gen/webui_assets.c $(PUB_STAGE) $(BUILD)/cflags
	@mkdir -p $(dir $@)
	$(CC) $(CMD_CFLAGS) -c $< -o $@

# The sonames cmd/dynlib.c opens and the Debian packages holding them.
$(BUILD)/gen/dynlib_names.h: Makefile
	@mkdir -p $(BUILD)/gen
	@for l in $(DYNLIB_NAMES); do \
	  m=$$(echo $$l | tr 'a-z-' 'A-Z_'); \
	  s=$$(objdump -p "$$($(CC) -print-file-name=lib$$l.so)" 2>/dev/null | awk '/SONAME/ {print $$2}'); \
	  [ -n "$$s" ] && echo "#define PPROF_SONAME_$$m \"$$s\""; \
	  p=$$([ -n "$$s" ] && dpkg-query -S "*/$$s" 2>/dev/null | sed -n '1s/:.*//p'); \
	  [ -n "$$p" ] && echo "#define PPROF_PACKAGE_$$m \"$$p\""; \
	done > $@.tmp; mv $@.tmp $@
$(BUILD)/obj/cmd/dynlib.o $(BUILD)/fuzz/obj/cmd/dynlib.o: $(BUILD)/gen/dynlib_names.h

$(BUILD)/obj/cmd/%.o: cmd/%.c $(PUB_STAGE) $(BUILD)/cflags
	@mkdir -p $(dir $@)
	$(CC) $(CMD_CFLAGS) -c $< -o $@

$(BUILD)/include/pprof/%.h: lib/%.h
	@mkdir -p $(dir $@)
	cp $< $@

$(BUILD)/include/pprof/%.h: formats/%.h
	@mkdir -p $(dir $@)
	cp $< $@

-include $(wildcard $(BUILD)/obj/*/*.d $(BUILD)/obj/gen/*.d $(BUILD)/tests/*.d)

# libpprof is lib/ and formats/ together: every reader and writer.
# --exclude-libs: static archives it links (libiberty) stay private.
$(BUILD)/libpprof.a: $(LIB_OBJ) $(FMT_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/libpprof.so: $(LIB_OBJ) $(FMT_OBJ)
	$(CC) -shared $(LDFLAGS_ALL) -Wl,--exclude-libs,ALL -Wl,-soname,libpprof.so.$(SOMAJOR) -o $@ $^ $(LDLIBS_ALL)

$(BUILD)/libpprof.pc: FORCE
	@mkdir -p $(BUILD)
	@printf 'prefix=%s\nlibdir=%s\nincludedir=%s\n\nName: libpprof\nDescription: parse, merge, diff and report pprof profiles\nVersion: %s\nRequires.private: libprotobuf-c zlib\nLibs: -L$${libdir} -lpprof\nLibs.private: $(ISAL_LIBS) -lzstd -lm -pthread -ldw -lelf -liberty\nCflags: -I$${includedir}\n' \
	  '$(PREFIX)' '$(LIBDIR)' '$(INCLUDEDIR)' '$(VERSION)' > $@.tmp
	@cmp -s $@.tmp $@ 2>/dev/null && rm -f $@.tmp || mv $@.tmp $@

$(BUILD)/pprof: $(CMD_OBJ) $(BUILD)/libpprof.a
	$(CC) $(LDFLAGS_ALL) -o $@ $(CMD_OBJ) $(BUILD)/libpprof.a $(LDLIBS_PROG)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libpprof.a $(BUILD)/cflags
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) -o $@ $< $(BUILD)/libpprof.a $(LDFLAGS_ALL) $(LDLIBS_ALL)

TOOL_CFLAGS = $(CSTD) $(OPT) $(WARN) $(SANITIZE) -ffile-prefix-map=$(CURDIR)=.

$(BUILD)/tools/%: tests/bench/%.c
	@mkdir -p $(dir $@)
	$(CC) $(TOOL_CFLAGS) -o $@ $< $(LDFLAGS_ALL) -lz -lm

$(BUILD)/tools/%: tests/bad/%.c
	@mkdir -p $(dir $@)
	$(CC) $(TOOL_CFLAGS) -o $@ $< $(LDFLAGS_ALL) -lz -lm

$(BUILD)/tools/%: tests/http/%.c
	@mkdir -p $(dir $@)
	$(CC) $(TOOL_CFLAGS) -o $@ $< $(LDFLAGS_ALL) -pthread

# Tools of the native tests that build profiles through libpprof itself.
$(BUILD)/tools/mkprof: tests/native/mkprof.c $(BUILD)/libpprof.a $(BUILD)/cflags
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) -o $@ $< $(BUILD)/libpprof.a $(LDFLAGS_ALL) $(LDLIBS_ALL)

# cmd/dynlib.c built with sonames that no system has, for the test of what
# it says when a library is missing (tests/cli/libs.sh).
$(BUILD)/tools/dynlib_missing: tests/cli/dynlib_missing.c cmd/dynlib.c cmd/dynlib.h tests/cli/missing/dynlib_names.h
	@mkdir -p $(dir $@)
	$(CC) $(TOOL_CFLAGS) -Itests/cli/missing $(CURL_CFLAGS) $(GV_CFLAGS) $(WEB_CFLAGS) -o $@ tests/cli/dynlib_missing.c cmd/dynlib.c $(LDFLAGS_ALL) -pthread

tools: $(TOOL_BIN) $(BUILD)/tools/mkprof $(BUILD)/tools/dynlib_missing

# ---------------------------------------------------------------- tests
# `make test` runs every suite on what is installed (tests/suites.sh lists
# them) and ends with the total over all suites; `make check` first installs
# the missing packages and builds with -Werror. One suite alone:
# `make unit`, `make cli`, ... or `sh tests/suites.sh NAME`.
SUITE_ENV = PPROF=$(BUILD)/pprof TOOLS=$(BUILD)/tools BUILD=$(BUILD) MAKE="$(MAKE)" SANITIZE="$(SANITIZE)"

# fuzz-replay-drivers: REPLAY_BIN is defined further down, after this rule
# has been read (a prerequisite list expands when read).
test: all tools $(UNIT_BIN) fuzz-replay-drivers
	@$(SUITE_ENV) sh tests/suites.sh

check: test-deps
	@$(MAKE) --no-print-directory DEVELOPER=1 test

unit: $(UNIT_BIN)
	@$(SUITE_ENV) sh tests/suites.sh unit

cli: all tools
	@$(SUITE_ENV) sh tests/suites.sh cli windows libs folded-sums svg-valid same-graph graph graph-browser shell shell-tty

bad: all tools
	@$(SUITE_ENV) sh tests/suites.sh bad

# Fetching over HTTP(S): our test server (tests/http/http_server.c) on
# 127.0.0.1 serving fixtures and misbehaving; openssl s_server for HTTPS.
http: all tools
	@$(SUITE_ENV) sh tests/suites.sh http

# Native symbolization: C and C++ programs built and profiled (gperftools)
# during the test, addr2line as an oracle, hostile binaries.
native: all tools
	@$(SUITE_ENV) sh tests/suites.sh native

# perf.data: programs recorded with perf here, every stack and count compared
# with perf script and perf report (skipped where perf_event_open is forbidden).
perf: all
	@$(SUITE_ENV) sh tests/suites.sh perf

# Flame graphs: SVG validity (xmllint) and determinism, then a real browser
# (headless chromium) clicking, searching and reading back the page, and
# measuring the drawn geometry of every fixture profile at every sample index.
flame: $(BUILD)/tests/test_flame $(BUILD)/pprof
	@$(SUITE_ENV) sh tests/suites.sh flame flame-browser flame-geometry

# libpprof from outside: installed with DESTDIR into $(BUILD)/lib-dest, the
# man page's EXAMPLE built with pkg-config against it, exports checked.
lib: all
	@$(SUITE_ENV) sh tests/suites.sh lib

# The web UI (-http): HTTP tests with curl (paths, parameters, errors, Host
# check, saved configurations, load), then a real browser clicking through.
webui: all
	@$(SUITE_ENV) sh tests/suites.sh webui webui-browser

# The browser suites look for playwright-core under the sanitizer build's
# own BUILD, so test-deps runs with that BUILD.
asan:
	@$(MAKE) --no-print-directory BUILD=build/asan test-deps
	@$(MAKE) --no-print-directory BUILD=build/asan OPT="-O1 -g" \
	  SANITIZE="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	  DEVELOPER=1 test

# ThreadSanitizer: the read-ahead inflate thread and anything else threaded.
# tests/tsan.supp silences races inside uninstrumented system libraries
# (fontconfig's initialisation thread that pango starts under Graphviz).
tsan:
	@$(MAKE) --no-print-directory BUILD=build/tsan test-deps
	@TSAN_OPTIONS="suppressions=$(CURDIR)/tests/tsan.supp $$TSAN_OPTIONS" $(MAKE) --no-print-directory BUILD=build/tsan OPT="-O1 -g" \
	  SANITIZE="-fsanitize=thread -fno-omit-frame-pointer" DEVELOPER=1 test

demo: deps
	@$(MAKE) --no-print-directory all
	$(BUILD)/pprof -top -nodecount=15 tests/data/cpu.pb.gz
	$(BUILD)/pprof -flamegraph -title="pprof demo: cpu.pb.gz" -output=$(BUILD)/demo-flamegraph.svg tests/data/cpu.pb.gz
	@echo "flame graph written to $(BUILD)/demo-flamegraph.svg (open it in a browser)"

bench: deps
	@$(MAKE) --no-print-directory install-pkgs PKGS="$(BENCH_PKGS)"
	@$(MAKE) --no-print-directory all tools
	@PPROF=$(BUILD)/pprof TOOLS=$(BUILD)/tools sh tests/bench/run.sh
	@PPROF=$(BUILD)/pprof TOOLS=$(BUILD)/tools sh tests/bench/perf.sh
	@PPROF=$(BUILD)/pprof TOOLS=$(BUILD)/tools sh tests/bench/native.sh

# ---------------------------------------------------------------- fuzzing
# libFuzzer harnesses (clang), built with ASan+UBSan against every lib and
# formats source; each runs FUZZ_SECONDS on its committed corpus through
# tests/fuzz/run.sh, with the -max_len and dictionaries of tests/fuzz/options.
# FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION (libFuzzer's convention) shrinks a
# few buffers and budgets (arena chunk, inflate pipe chunk, regexp DFA
# budgets) so that each input costs less and their edges are reached sooner.
FUZZ_SECONDS ?= 60
FUZZ_SRC = $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BIN = $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz/%)
# Every lib, formats and cmd source (cmd without main.c) is compiled once
# with the fuzzer's instrumentation, into two archives the harnesses link.
# A harness of the program's static functions includes its cmd/*.c, whose
# archive member is then not linked.
FUZZ_CFLAGS  = $(CSTD) -O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION \
               -Ilib -Iformats -I$(BUILD)/gen -Icmd -I$(BUILD)/include $(CURL_CFLAGS) $(GV_CFLAGS) $(WEB_CFLAGS)
FUZZ_LIB_OBJ = $(patsubst %.c,$(BUILD)/fuzz/obj/%.o,$(LIB_SRC) $(FMT_SRC)) $(BUILD)/fuzz/obj/gen/profile.pb-c.o
FUZZ_CMD_OBJ = $(patsubst %.c,$(BUILD)/fuzz/obj/%.o,$(filter-out cmd/main.c,$(CMD_SRC))) $(BUILD)/fuzz/obj/gen/webui_assets.o
CMD_LIBS     = -lreadline $(CURL_LIBS) $(GV_LIBS) $(WEB_LIBS)

$(BUILD)/fuzz/obj/gen/%.o: $(BUILD)/gen/%.c $(GEN_H) $(PUB_STAGE)
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -c $< -o $@
# Sources whose hot loops compare the program's own state, not input bytes
# (buffer and array growth, hash probes, the regexp engine building its DFA,
# the legacy memory map's attribute trie) are built without comparison
# tracing (trace-cmp, part of -fsanitize=fuzzer): it was a third to half of
# fuzz_regex's and fuzz_text's time; their edges still count, and memcmp and
# strcmp are still hooked. Side by side for 60-75 s: fuzz_regex (regex_exec.c
# alone) 51844 executions against 20137 (cov 884 against 868), fuzz_text
# 27967 against 19146 (cov 1799 against 1795).
FUZZ_NOCMP = lib/buf.c lib/slots.c lib/regex_exec.c formats/legacy_maps.c
$(FUZZ_NOCMP:%.c=$(BUILD)/fuzz/obj/%.o): FUZZ_XFLAGS = -fno-sanitize-coverage=trace-cmp
$(FUZZ_NOCMP:%.c=$(BUILD)/fuzz/obj/%.o): Makefile
$(BUILD)/fuzz/obj/%.o: %.c $(GEN_H) $(PUB_STAGE) $(wildcard lib/*.h formats/*.h cmd/*.h)
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) $(FUZZ_XFLAGS) -c $< -o $@
$(BUILD)/fuzz/libfuzz_lib.a: $(FUZZ_LIB_OBJ)
	rm -f $@ && ar rcs $@ $^
$(BUILD)/fuzz/libfuzz_cmd.a: $(FUZZ_CMD_OBJ)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/fuzz/%: tests/fuzz/%.c $(BUILD)/fuzz/libfuzz_cmd.a $(BUILD)/fuzz/libfuzz_lib.a
	@mkdir -p $(dir $@)
	clang $(subst fuzzer-no-link,fuzzer,$(FUZZ_CFLAGS)) -o $@ $< $(BUILD)/fuzz/libfuzz_cmd.a $(BUILD)/fuzz/libfuzz_lib.a \
	  -lprotobuf-c -lz -lzstd -lm -pthread $(NATIVE_LIBS) $(CMD_LIBS)

# The committed corpora (tests/fuzz/corpus/<harness>/) are replayed by every
# `make test`: through each harness linked with a plain driver (gcc, no
# libFuzzer needed), under UBSan and ASan when the compiler has them.
REPLAY_BIN = $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz-replay/%)
fuzz-replay-drivers: $(REPLAY_BIN)
$(BUILD)/libpprofcmd.a: $(filter-out $(BUILD)/obj/cmd/main.o,$(CMD_OBJ))
	rm -f $@ && ar rcs $@ $^
$(BUILD)/fuzz-replay/%: tests/fuzz/%.c tests/fuzz/replay.c $(BUILD)/libpprofcmd.a $(BUILD)/libpprof.a
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) -O1 -g $(SANITIZE) -Ilib -Iformats -Icmd -I$(BUILD)/include $(CURL_CFLAGS) $(GV_CFLAGS) $(WEB_CFLAGS) \
	  -o $@ $< tests/fuzz/replay.c $(BUILD)/libpprofcmd.a $(BUILD)/libpprof.a $(LDFLAGS_ALL) $(LDLIBS_ALL) $(CMD_LIBS)

fuzz: deps
	@$(MAKE) --no-print-directory install-pkgs PKGS="$(FUZZ_PKGS)"
	@$(MAKE) --no-print-directory $(FUZZ_BIN)
	@for f in $(FUZZ_BIN); do \
	  echo "== $$f ($(FUZZ_SECONDS) s)"; \
	  BUILD=$(BUILD) sh tests/fuzz/run.sh $$(basename $$f) $(FUZZ_SECONDS) >$$f.log 2>&1 || { tail -40 $$f.log; exit 1; }; \
	  grep -E 'stat::(number_of_executed_units|average_exec_per_sec)' $$f.log; \
	done

# ---------------------------------------------------------------- install
install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(PKGCONFIGDIR) \
	  $(DESTDIR)$(INCLUDEDIR)/pprof $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man3
	install -m 755 $(BUILD)/pprof $(DESTDIR)$(BINDIR)/pprof
	install -m 644 $(BUILD)/libpprof.a $(DESTDIR)$(LIBDIR)/libpprof.a
	install -m 755 $(BUILD)/libpprof.so $(DESTDIR)$(LIBDIR)/libpprof.so.$(SOMAJOR)
	ln -sf libpprof.so.$(SOMAJOR) $(DESTDIR)$(LIBDIR)/libpprof.so
	install -m 644 $(BUILD)/libpprof.pc $(DESTDIR)$(PKGCONFIGDIR)/libpprof.pc
	install -m 644 $(PUB_H) $(DESTDIR)$(INCLUDEDIR)/pprof/
	install -m 644 man/pprof.1 $(DESTDIR)$(MANDIR)/man1/pprof.1
	install -m 644 man/libpprof.3 $(DESTDIR)$(MANDIR)/man3/libpprof.3

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/pprof $(DESTDIR)$(LIBDIR)/libpprof.a \
	  $(DESTDIR)$(LIBDIR)/libpprof.so $(DESTDIR)$(LIBDIR)/libpprof.so.$(SOMAJOR) \
	  $(DESTDIR)$(PKGCONFIGDIR)/libpprof.pc \
	  $(addprefix $(DESTDIR)$(INCLUDEDIR)/pprof/,$(notdir $(PUB_H))) \
	  $(DESTDIR)$(MANDIR)/man1/pprof.1 $(DESTDIR)$(MANDIR)/man3/libpprof.3
	-rmdir $(DESTDIR)$(INCLUDEDIR)/pprof

clean:
	rm -rf $(BUILD)

FORCE:
