# src/auth: sources, tests and fuzz targets of this layer.
noinst_HEADERS += src/auth/basic.h
libpsremote_core_la_SOURCES += src/auth/basic.c

check_PROGRAMS += tests/unit/test_auth_basic
TESTS += tests/unit/test_auth_basic
tests_unit_test_auth_basic_SOURCES = tests/unit/test_auth_basic.c
tests_unit_test_auth_basic_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_auth_basic_LDADD = $(TEST_LIBS)

# GSSAPI and message sealing (Negotiate, Kerberos, NTLM; WinRM multipart/encrypted).
noinst_HEADERS += src/auth/gss.h src/auth/gss_internal.h src/auth/sealing.h
libpsremote_core_la_SOURCES += src/auth/gss.c src/auth/gss_cred.c src/auth/gss_errors.c \
	src/auth/gss_cbt.c src/auth/gss_http.c src/auth/gss_wrap.c \
	src/auth/sealing.c src/auth/sealing_gss.c
# tests/kdc: the throwaway KDC for tests (kdc.sh; kdc.h for C tests) and the
# valgrind suppressions for GSSAPI library-lifetime memory.
EXTRA_DIST += tests/kdc/kdc.sh tests/kdc/kdc.h tests/kdc/gssapi.supp tests/kdc/lsan.supp \
	tests/kdc/kdc_selftest.sh
TESTS += tests/kdc/kdc_selftest.sh

check_PROGRAMS += tests/unit/test_auth_gss
TESTS += tests/unit/test_auth_gss
tests_unit_test_auth_gss_SOURCES = tests/unit/test_auth_gss.c
tests_unit_test_auth_gss_CFLAGS = $(TEST_CFLAGS) $(GSSAPI_CFLAGS)
tests_unit_test_auth_gss_LDADD = $(TEST_LIBS)

check_PROGRAMS += tests/unit/test_auth_gss_http
TESTS += tests/unit/test_auth_gss_http
tests_unit_test_auth_gss_http_SOURCES = tests/unit/test_auth_gss_http.c
tests_unit_test_auth_gss_http_CFLAGS = $(TEST_CFLAGS) $(GSSAPI_CFLAGS)
tests_unit_test_auth_gss_http_LDADD = $(TEST_LIBS)

check_PROGRAMS += tests/unit/test_sealing
TESTS += tests/unit/test_sealing
tests_unit_test_sealing_SOURCES = tests/unit/test_sealing.c
tests_unit_test_sealing_CFLAGS = $(TEST_CFLAGS) $(GSSAPI_CFLAGS)
tests_unit_test_sealing_LDADD = $(TEST_LIBS)

# Fuzz target "sealing" (the encrypted-body parser; seeds in fixtures/fuzz/sealing).
# Its replay runs in make check.
FUZZ_TARGETS += sealing
check_PROGRAMS += tests/fuzz/fuzz_sealing_replay
TESTS += tests/fuzz/fuzz_sealing_replay
tests_fuzz_fuzz_sealing_replay_SOURCES = tests/fuzz/fuzz_sealing.c tests/fuzz/standalone_main.c
tests_fuzz_fuzz_sealing_replay_CFLAGS = $(TEST_CFLAGS) $(GSSAPI_CFLAGS)
tests_fuzz_fuzz_sealing_replay_LDADD = $(TEST_LIBS)

# `make check-valgrind` (tests/local.mk): GSSAPI libraries keep some memory for
# the life of the process (mechglue plugins, gss-ntlmssp's OpenSSL provider);
# tests/kdc/gssapi.supp says which, so valgrind does not call it ours.
check-valgrind: VALGRIND_FLAGS += --suppressions=$(top_srcdir)/tests/kdc/gssapi.supp

# Fuzz target "gss_http" (WWW-Authenticate / Authorization token parsing;
# seeds in fixtures/fuzz/gss_http).
FUZZ_TARGETS += gss_http
check_PROGRAMS += tests/fuzz/fuzz_gss_http_replay
TESTS += tests/fuzz/fuzz_gss_http_replay
tests_fuzz_fuzz_gss_http_replay_SOURCES = tests/fuzz/fuzz_gss_http.c tests/fuzz/standalone_main.c
tests_fuzz_fuzz_gss_http_replay_CFLAGS = $(TEST_CFLAGS) $(GSSAPI_CFLAGS)
tests_fuzz_fuzz_gss_http_replay_LDADD = $(TEST_LIBS)

# CredSSP (MS-CSSP): TSRequest DER, the inner TLS channel, the initiator and
# acceptor, and sealing with its TLS channel.
noinst_HEADERS += src/auth/credssp.h src/auth/credssp_asn1.h src/auth/credssp_tls.h
libpsremote_core_la_SOURCES += src/auth/credssp.c src/auth/credssp_asn1.c src/auth/credssp_tls.c \
	src/auth/sealing_credssp.c

check_PROGRAMS += tests/unit/test_credssp
TESTS += tests/unit/test_credssp
tests_unit_test_credssp_SOURCES = tests/unit/test_credssp.c
tests_unit_test_credssp_CFLAGS = $(TEST_CFLAGS) $(GSSAPI_CFLAGS)
tests_unit_test_credssp_LDADD = $(TEST_LIBS) $(SSL_LIBS)

# Fuzz target "credssp" (TSRequest and TSCredentials decoding; seeds in
# fixtures/fuzz/credssp).
FUZZ_TARGETS += credssp
check_PROGRAMS += tests/fuzz/fuzz_credssp_replay
TESTS += tests/fuzz/fuzz_credssp_replay
tests_fuzz_fuzz_credssp_replay_SOURCES = tests/fuzz/fuzz_credssp.c tests/fuzz/standalone_main.c
tests_fuzz_fuzz_credssp_replay_CFLAGS = $(TEST_CFLAGS) $(GSSAPI_CFLAGS)
tests_fuzz_fuzz_credssp_replay_LDADD = $(TEST_LIBS)
