# tests: sources, tests and fuzz targets of this layer.

# Fuzz targets. Each layer adds NAME to FUZZ_TARGETS, writes
# tests/fuzz/fuzz_NAME.c (defining LLVMFuzzerTestOneInput) and a seed corpus in
# fixtures/fuzz/NAME/, and adds the replay program to check_PROGRAMS and TESTS:
#   tests/fuzz/fuzz_NAME_replay (fuzz_NAME.c + standalone_main.c)
# `make fuzz` builds every target with clang's libFuzzer from the same sources.
EXTRA_DIST += tests/fuzz/standalone_main.c
FUZZ_CC = clang
FUZZ_FLAGS = -g -O1 -fsanitize=fuzzer,address,undefined -I$(top_srcdir) -I$(top_srcdir)/include -I$(top_builddir) -D_GNU_SOURCE
FUZZ_LIBSRC = $(filter %.c,$(libpsremote_core_la_SOURCES))
# Parsers outside the library a target may need (the harness's PowerShell).
FUZZ_EXTRASRC = $(PS_SCRIPT_SOURCES)

fuzz:
	@mkdir -p tests/fuzz/bin
	@for t in $(FUZZ_TARGETS); do \
	  echo "  FUZZ     tests/fuzz/bin/fuzz_$$t"; \
	  $(FUZZ_CC) $(FUZZ_FLAGS) $(CURL_CFLAGS) $(XML_CFLAGS) $(SSL_CFLAGS) $(GSSAPI_CFLAGS) $(JANSSON_CFLAGS) \
	    -o tests/fuzz/bin/fuzz_$$t $(top_srcdir)/tests/fuzz/fuzz_$$t.c \
	    $(addprefix $(top_srcdir)/,$(FUZZ_LIBSRC) $(FUZZ_EXTRASRC)) \
	    $(CURL_LIBS) $(XML_LIBS) $(SSL_LIBS) $(GSSAPI_LIBS) $(JANSSON_LIBS) -lm || exit 1; \
	done

# `make fuzz-run FUZZ_SECONDS=60` runs each target for that long from its corpus.
FUZZ_SECONDS = 30
fuzz-run: fuzz
	@for t in $(FUZZ_TARGETS); do \
	  mkdir -p tests/fuzz/corpus/$$t; \
	  tests/fuzz/bin/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) tests/fuzz/corpus/$$t $(top_srcdir)/fixtures/fuzz/$$t || exit 1; \
	done
.PHONY: fuzz fuzz-run
CLEANFILES += tests/fuzz/bin/*

# Integration tests: psremote against psremote-harness on loopback.
INTEGRATION_TESTS = tests/integration/exec_basic.sh tests/integration/exec_streams.sh \
	tests/integration/exec_control.sh tests/integration/exec_errors.sh \
	tests/integration/auth_matrix.sh tests/integration/auth_credssp.sh \
	tests/integration/redirect.sh \
	tests/integration/harness_many.sh tests/integration/fanout.sh \
	tests/integration/invoke_language.sh tests/integration/invoke_host.sh \
	tests/integration/invoke_secure.sh tests/integration/invoke_faults.sh
TESTS += $(INTEGRATION_TESTS)

# `make demo`: the README's first command ends here.
demo: all
	@$(SHELL) $(top_srcdir)/tests/demo.sh $(top_builddir)
.PHONY: demo
EXTRA_DIST += tests/demo.sh

# `make check-valgrind`: the compiled tests (unit tests and fuzz replays)
# again under valgrind; any error or definite leak fails the test.
VALGRIND_FLAGS = --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite -q
LOG_COMPILER = $(PSR_TEST_WRAPPER)
check-valgrind:
	$(MAKE) $(AM_MAKEFLAGS) check TESTS='$(filter-out %.sh,$(TESTS))' \
	  PSR_TEST_WRAPPER='$(LIBTOOL) --mode=execute valgrind $(VALGRIND_FLAGS)'
.PHONY: check-valgrind

# `make bench`: client CPU time and peak RSS, psremote against python3-winrm.
EXTRA_PROGRAMS = tests/bench/winrs_bench
tests_bench_winrs_bench_SOURCES = tests/bench/winrs_bench.c
tests_bench_winrs_bench_CFLAGS = $(AM_CFLAGS) -O2
tests_bench_winrs_bench_LDADD = libpsremote_core.la
CLEANFILES += $(EXTRA_PROGRAMS)
BENCH_TARGETS += bench-winrs
bench-winrs: all tests/bench/winrs_bench
	@$(SHELL) $(top_srcdir)/tests/bench/run.sh $(top_builddir) $(top_srcdir)
bench: $(BENCH_TARGETS)
.PHONY: bench bench-winrs

# Headers the unit tests share (shipped in the tarball for `make distcheck`).
noinst_HEADERS += tests/unit/unit.h tests/unit/test_psrp_util.h tests/unit/test_clixml_util.h

# `make bench-fanout`: one command on 1,000 hosts, psremote against
# python3-winrm with a thread pool (tests/bench/fanout_bench.sh).
bench: bench-fanout
bench-fanout: all
	@$(SHELL) $(top_srcdir)/tests/bench/fanout_bench.sh $(top_builddir) $(top_srcdir)
.PHONY: bench-fanout
EXTRA_DIST += tests/bench/fanout_bench.sh tests/bench/pywinrm_fanout.py

# `make bench-invoke`: requests and CPU of invoke, 1,000 invocations in one
# session, a million-object output (tests/bench/invoke_bench.sh).
EXTRA_PROGRAMS += tests/bench/invoke_bench
tests_bench_invoke_bench_SOURCES = tests/bench/invoke_bench.c
tests_bench_invoke_bench_CFLAGS = $(AM_CFLAGS) -O2
tests_bench_invoke_bench_LDADD = libpsremote_core.la
bench: bench-invoke
bench-invoke: all tests/bench/invoke_bench
	@$(SHELL) $(top_srcdir)/tests/bench/invoke_bench.sh $(top_builddir)
.PHONY: bench-invoke
EXTRA_DIST += tests/bench/invoke_bench.sh
