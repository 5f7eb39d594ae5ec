# src/auth: sources, tests and fuzz targets of this layer.
noinst_HEADERS += src/auth/basic.h
libpsremote_la_SOURCES += src/auth/basic.c

check_PROGRAMS += tests/unit/test_auth_basic
TESTS += tests/unit/test_auth_basic
tests_unit_test_auth_basic_SOURCES = tests/unit/test_auth_basic.c
tests_unit_test_auth_basic_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_auth_basic_LDADD = $(TEST_LIBS)

# GSSAPI and message sealing (Negotiate, Kerberos, NTLM; WinRM multipart/encrypted).
noinst_HEADERS += src/auth/gss.h src/auth/gss_internal.h src/auth/sealing.h
libpsremote_la_SOURCES += src/auth/gss.c src/auth/gss_cred.c src/auth/gss_errors.c \
	src/auth/gss_cbt.c src/auth/gss_http.c src/auth/gss_wrap.c \
	src/auth/sealing.c src/auth/sealing_gss.c
EXTRA_DIST += tests/kdc/kdc.sh tests/kdc/kdc.h

check_PROGRAMS += tests/unit/test_auth_gss
TESTS += tests/unit/test_auth_gss
tests_unit_test_auth_gss_SOURCES = tests/unit/test_auth_gss.c
tests_unit_test_auth_gss_CFLAGS = $(TEST_CFLAGS) $(GSSAPI_CFLAGS)
tests_unit_test_auth_gss_LDADD = $(TEST_LIBS)
