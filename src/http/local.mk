# src/http: sources, tests and fuzz targets of this layer.
noinst_HEADERS += src/http/http.h src/http/http_internal.h tests/unit/test_http_server.h
libpsremote_core_la_SOURCES += src/http/http.c src/http/http_errors.c src/http/http_challenge.c \
	src/http/http_cert.c

# The HTTP tests run a libmicrohttpd server in-process (test_http_server.c).
HTTP_TEST_CFLAGS = $(TEST_CFLAGS) $(CURL_CFLAGS) $(MHD_CFLAGS)
HTTP_TEST_LIBS = $(TEST_LIBS) $(MHD_LIBS) $(SSL_LIBS) -lpthread

check_PROGRAMS += tests/unit/test_http
TESTS += tests/unit/test_http
tests_unit_test_http_SOURCES = tests/unit/test_http.c tests/unit/test_http_server.c
tests_unit_test_http_CFLAGS = $(HTTP_TEST_CFLAGS)
tests_unit_test_http_LDADD = $(HTTP_TEST_LIBS)

check_PROGRAMS += tests/unit/test_http_tls
TESTS += tests/unit/test_http_tls
tests_unit_test_http_tls_SOURCES = tests/unit/test_http_tls.c tests/unit/test_http_server.c
tests_unit_test_http_tls_CFLAGS = $(HTTP_TEST_CFLAGS)
tests_unit_test_http_tls_LDADD = $(HTTP_TEST_LIBS)

# Fuzz target: WWW-Authenticate parsing and the 401 message (seeds in
# fixtures/fuzz/http_challenge).
FUZZ_TARGETS += http_challenge
check_PROGRAMS += tests/fuzz/fuzz_http_challenge_replay
TESTS += tests/fuzz/fuzz_http_challenge_replay
tests_fuzz_fuzz_http_challenge_replay_SOURCES = tests/fuzz/fuzz_http_challenge.c tests/fuzz/standalone_main.c
tests_fuzz_fuzz_http_challenge_replay_CFLAGS = $(TEST_CFLAGS)
tests_fuzz_fuzz_http_challenge_replay_LDADD = $(TEST_LIBS)
