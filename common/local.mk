# common/: the small shared utility area (errors, buffers, base64, UUIDs).
pkginclude_HEADERS += include/psremote/error.h
noinst_HEADERS += common/buf.h common/base64.h common/base64_simd.h common/uuid.h
libpsremote_core_la_SOURCES += common/error.c common/buf.c common/base64.c common/base64_simd.c \
	common/uuid.c

check_PROGRAMS += tests/unit/test_common
TESTS += tests/unit/test_common
tests_unit_test_common_SOURCES = tests/unit/test_common.c
tests_unit_test_common_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_common_LDADD = $(TEST_LIBS) $(SSL_LIBS)
