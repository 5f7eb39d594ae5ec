# src/cli: the psremote command.
bin_PROGRAMS += psremote
dist_man_MANS += man/psremote.1
noinst_HEADERS += src/cli/cli.h src/cli/conn_args.h src/cli/password.h src/cli/interrupt.h \
	src/cli/host_list.h src/cli/status_line.h
psremote_SOURCES = src/cli/main.c src/cli/conn_args.c src/cli/password.c src/cli/exec.c \
	src/cli/exec_many.c src/cli/status_line.c src/cli/host_list.c \
	src/cli/interrupt.c
psremote_CFLAGS = $(AM_CFLAGS) $(SSL_CFLAGS) -pthread
psremote_LDADD = libpsremote_core.la $(SSL_LIBS) -lpthread

# invoke: PowerShell remoting (PSRP) and its output rendering
noinst_HEADERS += src/cli/host.h src/cli/render.h src/cli/line_out.h
psremote_SOURCES += src/cli/invoke.c src/cli/invoke_many.c src/cli/host.c src/cli/render.c src/cli/line_out.c
psremote_CFLAGS += $(JANSSON_CFLAGS) $(XML_CFLAGS)
psremote_LDADD += $(JANSSON_LIBS)
check_PROGRAMS += tests/unit/test_render
TESTS += tests/unit/test_render
tests_unit_test_render_SOURCES = tests/unit/test_render.c src/cli/render.c src/cli/line_out.c
tests_unit_test_render_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_render_LDADD = $(TEST_LIBS) $(JANSSON_LIBS)

# decode: PSRP messages out of captured WS-Man envelopes
psremote_SOURCES += src/cli/decode.c
TESTS += tests/integration/decode.sh

# The configuration file (ssh_config style) and its unit test.
noinst_HEADERS += src/cli/config_file.h
psremote_SOURCES += src/cli/config_file.c
psremote_CFLAGS += $(CURL_CFLAGS)
psremote_LDADD += $(CURL_LIBS)
check_PROGRAMS += tests/unit/test_config_file
TESTS += tests/unit/test_config_file
tests_unit_test_config_file_SOURCES = tests/unit/test_config_file.c src/cli/config_file.c
tests_unit_test_config_file_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_config_file_LDADD = $(TEST_LIBS)
TESTS += tests/integration/session_options.sh
check_PROGRAMS += tests/unit/test_host_list
TESTS += tests/unit/test_host_list
tests_unit_test_host_list_SOURCES = tests/unit/test_host_list.c src/cli/host_list.c
tests_unit_test_host_list_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_host_list_LDADD = $(TEST_LIBS)
