# src/client: sessions on top of wsman/, psrp/, src/http and src/auth.
dist_man_MANS += man/libpsremote.3
pkginclude_HEADERS += include/psremote/connection.h include/psremote/winrs.h \
	include/psremote/session_option.h include/psremote/powershell.h
noinst_HEADERS += src/client/endpoint.h src/client/transport.h src/client/psrp_session.h \
	src/client/auth.h src/client/application_arguments.h src/client/fanout.h \
	src/client/fanout_engine.h src/client/trace.h src/client/psrp_host.h \
	src/client/powershell_impl.h
libpsremote_core_la_SOURCES += src/client/connection.c src/client/endpoint.c \
	src/client/session_option.c src/client/transport.c src/client/winrs.c \
	src/client/psrp_session.c src/client/auth.c src/client/application_arguments.c \
	src/client/fanout.c src/client/fanout_twins.c src/client/fanout_winrs.c src/client/fanout_psrp.c src/client/trace.c \
	src/client/psrp_host.c src/client/powershell.c src/client/powershell_host.c \
	src/client/powershell_object.c

check_PROGRAMS += tests/unit/test_client
TESTS += tests/unit/test_client
tests_unit_test_client_SOURCES = tests/unit/test_client.c
tests_unit_test_client_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_client_LDADD = $(TEST_LIBS)

check_PROGRAMS += tests/unit/test_client_trace
TESTS += tests/unit/test_client_trace
tests_unit_test_client_trace_SOURCES = tests/unit/test_client_trace.c
tests_unit_test_client_trace_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_client_trace_LDADD = $(TEST_LIBS)

# The connection authenticator against in-test GSSAPI acceptors (needs the
# throwaway KDC; skipped without it).
check_PROGRAMS += tests/unit/test_client_auth
TESTS += tests/unit/test_client_auth
tests_unit_test_client_auth_SOURCES = tests/unit/test_client_auth.c
tests_unit_test_client_auth_CFLAGS = $(TEST_CFLAGS) $(GSSAPI_CFLAGS)
tests_unit_test_client_auth_LDADD = $(TEST_LIBS)

# The public PowerShell API as an application uses it: programs that include
# only <psremote/...> (no -I for the source tree) and link libpsremote.
# test_powershell runs against the harness (tests/integration/api_powershell.sh);
# header_alone checks that psremote/powershell.h compiles by itself, in C99.
check_PROGRAMS += tests/api/test_powershell tests/api/example tests/api/header_alone
TESTS += tests/api/header_alone tests/integration/api_powershell.sh
tests_api_test_powershell_SOURCES = tests/api/test_powershell.c
tests_api_test_powershell_CPPFLAGS = -I$(top_srcdir)/include
tests_api_test_powershell_CFLAGS = $(AM_CFLAGS) -pthread
tests_api_test_powershell_LDADD = libpsremote.la -lpthread
tests_api_example_SOURCES = tests/api/example.c
tests_api_example_CPPFLAGS = -I$(top_srcdir)/include
tests_api_example_LDADD = libpsremote.la
tests_api_header_alone_SOURCES = tests/api/header_alone.c
tests_api_header_alone_CPPFLAGS = -I$(top_srcdir)/include
tests_api_header_alone_CFLAGS = -std=c99 -pedantic-errors $(WARN_CFLAGS) $(SAN_CFLAGS)
tests_api_header_alone_LDADD = libpsremote.la

# The shared library exports exactly the installed API (libpsremote.map).
TESTS += tests/api/exports.sh
EXTRA_DIST += tests/api/exports.sh
