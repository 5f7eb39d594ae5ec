# src/auth: sources, tests and fuzz targets of this layer.
noinst_HEADERS += src/auth/basic.h
libpsremote_la_SOURCES += src/auth/basic.c

check_PROGRAMS += tests/unit/test_auth_basic
TESTS += tests/unit/test_auth_basic
tests_unit_test_auth_basic_SOURCES = tests/unit/test_auth_basic.c
tests_unit_test_auth_basic_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_auth_basic_LDADD = $(TEST_LIBS)
