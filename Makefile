# Makefile: the only build system of pprof in C (library, program, tests, bench).

PREFIX   ?= /usr/local
DESTDIR  ?=
BUILD    ?= build
CC       ?= cc
SANITIZE ?=

# Debian packages the build needs (`make deps`) and those only the tests need
# (`make test-deps`: xmllint for SVG validity, chromium for the browser test,
# openssl for the HTTPS fetch tests' certificates and TLS server, tmux for the
# terminal test of the shell, pdftoppm to check rendered PDFs, perf to record
# the programs the perf.data tests compare with perf's own reports);
# each target installs just the missing ones.
DEPS_PKGS = protobuf-c-compiler libprotobuf-c-dev zlib1g-dev libreadline-dev \
            libgraphviz-dev libcurl4-openssl-dev pkg-config
TEST_PKGS = libxml2-utils chromium tmux openssl poppler-utils linux-perf
FUZZ_PKGS = clang libclang-rt-14-dev

WARN     = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wno-unused-parameter -Wformat=2 -Wno-format-nonliteral
CSTD     = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
OPT      ?= -O2 -g
CURL_CFLAGS = $(shell pkg-config --cflags libcurl 2>/dev/null)
CURL_LIBS   = $(shell pkg-config --libs libcurl 2>/dev/null || echo -lcurl)
CFLAGS_ALL = $(CSTD) $(OPT) $(WARN) -fPIC $(SANITIZE) -Ilib -Iformats -I$(BUILD)/gen $(GV_CFLAGS) $(CFLAGS)
LDLIBS_ALL = -lprotobuf-c -lz -lm -pthread $(LDLIBS)
# Graphviz's libraries render call graphs in the program (cmd/render.c).
GV_CFLAGS = $(shell pkg-config --cflags libgvc libcgraph 2>/dev/null)
GV_LIBS   = $(shell pkg-config --libs libgvc libcgraph 2>/dev/null || echo -lgvc -lcgraph -lcdt)
LDFLAGS_ALL = $(SANITIZE) $(LDFLAGS)

GEN_C    = $(BUILD)/gen/profile.pb-c.c
GEN_H    = $(BUILD)/gen/profile.pb-c.h
LIB_SRC  = $(sort $(wildcard lib/*.c))
FMT_SRC  = $(sort $(wildcard formats/*.c))
CMD_SRC  = $(sort $(wildcard cmd/*.c))
LIB_OBJ  = $(LIB_SRC:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/gen/profile.pb-c.o
FMT_OBJ  = $(FMT_SRC:%.c=$(BUILD)/obj/%.o)
CMD_OBJ  = $(CMD_SRC:%.c=$(BUILD)/obj/%.o)
UNIT_SRC = $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
TOOL_SRC = $(sort $(wildcard tests/bench/*.c tests/bad/*.c tests/http/*.c))
TOOL_BIN = $(patsubst %.c,$(BUILD)/tools/%,$(notdir $(TOOL_SRC)))
VERSION  = 0.1.0

.PHONY: all deps test-deps install-pkgs check unit cli bad flame http perf fuzz demo asan bench install uninstall clean tools
.SUFFIXES:

all: $(BUILD)/pprof $(BUILD)/libpprof.a $(BUILD)/libpprof.so $(BUILD)/libpprof.pc

# ---------------------------------------------------------------- set-up
deps:
	@$(MAKE) --no-print-directory install-pkgs PKGS="$(DEPS_PKGS)"

test-deps: deps
	@$(MAKE) --no-print-directory install-pkgs PKGS="$(TEST_PKGS)"

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

$(BUILD)/obj/gen/profile.pb-c.o: $(GEN_C)
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(OPT) -fPIC $(SANITIZE) -I$(BUILD)/gen -c $< -o $@

$(BUILD)/obj/%.o: %.c $(GEN_H) $(wildcard lib/*.h formats/*.h cmd/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -c $< -o $@

# Only the program talks HTTP: libcurl's flags are for cmd/ alone.
$(CMD_OBJ): CFLAGS_ALL += $(CURL_CFLAGS)

$(BUILD)/libpprof.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/libpprof.so: $(LIB_OBJ)
	$(CC) -shared $(LDFLAGS_ALL) -Wl,-soname,libpprof.so.0 -o $@ $^ $(LDLIBS_ALL)

$(BUILD)/libpprof.pc: Makefile
	@mkdir -p $(BUILD)
	@printf 'prefix=%s\nlibdir=$${prefix}/lib\nincludedir=$${prefix}/include\n\nName: libpprof\nDescription: parse, merge, diff and report pprof profiles\nVersion: %s\nRequires.private: libprotobuf-c zlib\nLibs: -L$${libdir} -lpprof\nLibs.private: -lm -pthread\nCflags: -I$${includedir}\n' '$(PREFIX)' '$(VERSION)' > $@

$(BUILD)/pprof: $(CMD_OBJ) $(FMT_OBJ) $(BUILD)/libpprof.a
	$(CC) $(LDFLAGS_ALL) -o $@ $(CMD_OBJ) $(FMT_OBJ) $(BUILD)/libpprof.a $(LDLIBS_ALL) -lreadline $(CURL_LIBS) $(GV_LIBS)

$(BUILD)/tests/%: tests/unit/%.c tests/unit/unit.h $(FMT_OBJ) $(BUILD)/libpprof.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -Itests/unit -o $@ $< $(FMT_OBJ) $(BUILD)/libpprof.a $(LDFLAGS_ALL) $(LDLIBS_ALL)

$(BUILD)/tools/%: tests/bench/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(OPT) $(WARN) $(SANITIZE) -o $@ $< $(LDFLAGS_ALL) -lz -lm

$(BUILD)/tools/%: tests/bad/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(OPT) $(WARN) $(SANITIZE) -o $@ $< $(LDFLAGS_ALL) -lz -lm

$(BUILD)/tools/%: tests/http/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(OPT) $(WARN) $(SANITIZE) -o $@ $< $(LDFLAGS_ALL) -pthread

tools: $(TOOL_BIN)

# ---------------------------------------------------------------- tests
unit: $(UNIT_BIN)
	@fail=0; for t in $(UNIT_BIN); do $$t || fail=1; done; exit $$fail

cli: all tools
	@PPROF=$(BUILD)/pprof TOOLS=$(BUILD)/tools sh tests/cli/run.sh
	@PPROF=$(BUILD)/pprof TOOLS=$(BUILD)/tools sh tests/cli/windows.sh
	@PPROF=$(BUILD)/pprof sh tests/cli/folded_sums.sh
	@sh tests/cli/svg_valid.sh
	@sh tests/cli/same_graph.sh
	@PPROF=$(BUILD)/pprof TOOLS=$(BUILD)/tools sh tests/graph/run.sh
	@PPROF=$(BUILD)/pprof timeout 300 sh tests/graph/browser.sh
	@PPROF=$(BUILD)/pprof sh tests/shell/run.sh
	@PPROF=$(BUILD)/pprof TOOLS=$(BUILD)/tools sh tests/shell/tty.sh

bad: all tools
	@PPROF=$(BUILD)/pprof TOOLS=$(BUILD)/tools sh tests/bad/run.sh

# Fetching over HTTP(S): our test server (tests/http/http_server.c) on
# 127.0.0.1 serving fixtures and misbehaving; openssl s_server for HTTPS.
http: all tools
	@PPROF=$(BUILD)/pprof TOOLS=$(BUILD)/tools sh tests/http/run.sh

# perf.data: programs recorded with perf here, every stack and count compared
# with perf script and perf report (skipped where perf_event_open is forbidden).
perf: all
	@PPROF=$(BUILD)/pprof sh tests/perf/run.sh

# Flame graphs: SVG validity (xmllint) and determinism, then a real browser
# (headless chromium) clicking, searching and reading back the page.
flame: $(BUILD)/tests/test_flame
	@TEST_FLAME=$(BUILD)/tests/test_flame sh tests/flame/run.sh
	@TEST_FLAME=$(BUILD)/tests/test_flame timeout 300 sh tests/flame/browser.sh

check: test-deps
	@$(MAKE) --no-print-directory all tools $(UNIT_BIN)
	@$(MAKE) --no-print-directory unit cli bad http flame perf

asan: test-deps
	@$(MAKE) --no-print-directory BUILD=build/asan OPT="-O1 -g" \
	  SANITIZE="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	  check

demo: deps
	@$(MAKE) --no-print-directory all
	$(BUILD)/pprof -top -nodecount=15 tests/data/cpu.pb.gz
	$(BUILD)/pprof -flamegraph -title="pprof demo: cpu.pb.gz" -output=$(BUILD)/demo-flamegraph.svg tests/data/cpu.pb.gz
	@echo "flame graph written to $(BUILD)/demo-flamegraph.svg (open it in a browser)"

bench: deps
	@$(MAKE) --no-print-directory all tools
	@PPROF=$(BUILD)/pprof TOOLS=$(BUILD)/tools sh tests/bench/run.sh

# ---------------------------------------------------------------- fuzzing
# libFuzzer harnesses (clang), built with ASan+UBSan against every lib and
# formats source; each runs FUZZ_SECONDS on a corpus seeded from tests/data.
FUZZ_SECONDS ?= 60
FUZZ_SRC = $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BIN = $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz/%)

$(BUILD)/fuzz/%: tests/fuzz/%.c $(LIB_SRC) $(FMT_SRC) $(GEN_C) $(wildcard lib/*.h formats/*.h)
	@mkdir -p $(dir $@)
	clang $(CSTD) -O1 -g -fsanitize=fuzzer,address,undefined -Ilib -Iformats -I$(BUILD)/gen \
	  -o $@ $< $(LIB_SRC) $(FMT_SRC) $(GEN_C) -lprotobuf-c -lz -lm -pthread

fuzz: deps
	@$(MAKE) --no-print-directory install-pkgs PKGS="$(FUZZ_PKGS)"
	@$(MAKE) --no-print-directory $(FUZZ_BIN)
	@for f in $(FUZZ_BIN); do \
	  c=$(BUILD)/fuzz/corpus-$$(basename $$f); mkdir -p $$c; \
	  cp tests/data/*.pb.gz tests/data/*.cpu tests/data/*.txt tests/data/legacy/* tests/data/folded/* $$c/ 2>/dev/null; \
	  echo "== $$f ($(FUZZ_SECONDS) s)"; \
	  $$f -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -print_final_stats=1 $$c 2>&1 | tail -3 || exit 1; \
	done

# ---------------------------------------------------------------- install
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pkgconfig \
	  $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/man/man3
	install -m 755 $(BUILD)/pprof $(DESTDIR)$(PREFIX)/bin/pprof
	install -m 644 $(BUILD)/libpprof.a $(DESTDIR)$(PREFIX)/lib/libpprof.a
	install -m 755 $(BUILD)/libpprof.so $(DESTDIR)$(PREFIX)/lib/libpprof.so.0
	ln -sf libpprof.so.0 $(DESTDIR)$(PREFIX)/lib/libpprof.so
	sed 's|^prefix=.*|prefix=$(PREFIX)|' $(BUILD)/libpprof.pc > $(DESTDIR)$(PREFIX)/lib/pkgconfig/libpprof.pc
	install -m 644 lib/pprof.h $(DESTDIR)$(PREFIX)/include/pprof.h
	install -m 644 man/pprof.1 $(DESTDIR)$(PREFIX)/share/man/man1/pprof.1
	install -m 644 man/libpprof.3 $(DESTDIR)$(PREFIX)/share/man/man3/libpprof.3

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/pprof $(DESTDIR)$(PREFIX)/lib/libpprof.a \
	  $(DESTDIR)$(PREFIX)/lib/libpprof.so $(DESTDIR)$(PREFIX)/lib/libpprof.so.0 \
	  $(DESTDIR)$(PREFIX)/lib/pkgconfig/libpprof.pc $(DESTDIR)$(PREFIX)/include/pprof.h \
	  $(DESTDIR)$(PREFIX)/share/man/man1/pprof.1 $(DESTDIR)$(PREFIX)/share/man/man3/libpprof.3

clean:
	rm -rf build
