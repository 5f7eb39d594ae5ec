# src/harness: psremote-harness, a WinRM (WS-Man / WinRS) server for tests.
noinst_HEADERS += src/harness/harness.h src/harness/process.h src/harness/server.h \
	src/harness/auth.h src/harness/delegation.h

bin_PROGRAMS += psremote-harness
psremote_harness_SOURCES = src/harness/main.c src/harness/options.c src/harness/cmdline.c \
	src/harness/process.c src/harness/winrs.c src/harness/faults.c src/harness/dispatch.c \
	src/harness/server.c src/harness/auth.c src/harness/auth_cert.c src/harness/delegation.c
psremote_harness_CFLAGS = $(AM_CFLAGS) $(MHD_CFLAGS) $(GNUTLS_CFLAGS) $(SSL_CFLAGS)
psremote_harness_LDADD = libpsremote_core.la $(MHD_LIBS) $(GNUTLS_LIBS) $(SSL_LIBS) -lpthread -lm

# Third-party WinRM clients (Debian's python3-winrm, Go's masterzen/winrm) and
# raw curl requests against the harness; each skips (77) if its tool is missing.
TESTS += tests/interop/pywinrm.sh tests/interop/gowinrm.sh tests/interop/harness_faults.sh

# Pure pieces (options, command-line quoting), unit-tested on their own.
check_PROGRAMS += tests/unit/test_harness
TESTS += tests/unit/test_harness
tests_unit_test_harness_SOURCES = tests/unit/test_harness.c \
	src/harness/options.c src/harness/cmdline.c
tests_unit_test_harness_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_harness_LDADD = $(TEST_LIBS)

dist_man_MANS += man/psremote-harness.1

# The shell table and real processes, without HTTP or XML.
check_PROGRAMS += tests/unit/test_harness_winrs
TESTS += tests/unit/test_harness_winrs
tests_unit_test_harness_winrs_SOURCES = tests/unit/test_harness_winrs.c \
	src/harness/winrs.c src/harness/process.c
tests_unit_test_harness_winrs_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_harness_winrs_LDADD = $(TEST_LIBS) -lpthread

# Dispatch in process: requests from wsman/'s client builders, replies read
# back with its parser.
check_PROGRAMS += tests/unit/test_harness_dispatch
TESTS += tests/unit/test_harness_dispatch
# The harness without its HTTP server, for tests that dispatch in process.
HARNESS_CORE_SOURCES = src/harness/dispatch.c src/harness/faults.c src/harness/winrs.c \
	src/harness/process.c src/harness/cmdline.c
tests_unit_test_harness_dispatch_SOURCES = tests/unit/test_harness_dispatch.c \
	$(HARNESS_CORE_SOURCES)
tests_unit_test_harness_dispatch_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_harness_dispatch_LDADD = $(TEST_LIBS) $(SSL_LIBS) -lpthread -lm

# PowerShell (PSRP) endpoint and its simulated language.
noinst_HEADERS += src/harness/ps_server.h src/harness/ps_script.h src/harness/reply.h \
	src/harness/ps_server_internal.h src/harness/ps_script_internal.h src/harness/ps_parser.h
# The language: tokens, tree, expressions, statements, and the commands.
PS_SCRIPT_SOURCES = src/harness/ps_lex.c src/harness/ps_parse.c src/harness/ps_parse_expr.c \
	src/harness/ps_expr.c src/harness/ps_script.c src/harness/ps_bind.c \
	src/harness/ps_builtins.c src/harness/ps_commands.c src/harness/ps_script_host.c
psremote_harness_SOURCES += src/harness/ps_server.c src/harness/ps_pipeline.c \
	$(PS_SCRIPT_SOURCES) src/harness/reply.c
HARNESS_CORE_SOURCES += src/harness/ps_server.c src/harness/ps_pipeline.c \
	$(PS_SCRIPT_SOURCES) src/harness/reply.c
TESTS += tests/integration/invoke_basic.sh

# The pool requests (SET_MAX/MIN_RUNSPACES, ...) in process, against our
# client's pool state machine.
check_PROGRAMS += tests/unit/test_harness_pool
TESTS += tests/unit/test_harness_pool
tests_unit_test_harness_pool_SOURCES = tests/unit/test_harness_pool.c $(HARNESS_CORE_SOURCES)
tests_unit_test_harness_pool_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_harness_pool_LDADD = $(TEST_LIBS) $(SSL_LIBS) -lpthread -lm
check_PROGRAMS += tests/unit/test_harness_script
TESTS += tests/unit/test_harness_script
tests_unit_test_harness_script_SOURCES = tests/unit/test_harness_script.c $(PS_SCRIPT_SOURCES)
tests_unit_test_harness_script_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_harness_script_LDADD = $(TEST_LIBS) -lm

# Fuzz target "ps_script" (the harness's PowerShell parser on scripts
# clients send; seeds in fixtures/fuzz/ps_script). Its replay runs in make check.
FUZZ_TARGETS += ps_script
check_PROGRAMS += tests/fuzz/fuzz_ps_script_replay
TESTS += tests/fuzz/fuzz_ps_script_replay
tests_fuzz_fuzz_ps_script_replay_SOURCES = tests/fuzz/fuzz_ps_script.c tests/fuzz/standalone_main.c \
	$(PS_SCRIPT_SOURCES)
tests_fuzz_fuzz_ps_script_replay_CFLAGS = $(TEST_CFLAGS)
tests_fuzz_fuzz_ps_script_replay_LDADD = $(TEST_LIBS) -lm
