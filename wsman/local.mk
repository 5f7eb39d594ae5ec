# wsman: sources, tests and fuzz targets of this layer.
noinst_HEADERS += wsman/wsman.h wsman/xml.h wsman/build.h wsman/parse.h
libpsremote_la_SOURCES += wsman/xml.c wsman/xml_write.c wsman/duration.c \
	wsman/header_build.c wsman/request_build.c wsman/response_build.c \
	wsman/fault.c wsman/stream_parse.c wsman/response_parse.c wsman/request_parse.c

WSMAN_UNIT_TESTS = tests/unit/test_wsman_request
check_PROGRAMS += $(WSMAN_UNIT_TESTS)
TESTS += $(WSMAN_UNIT_TESTS)
tests_unit_test_wsman_request_SOURCES = tests/unit/test_wsman_request.c
tests_unit_test_wsman_request_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_wsman_request_LDADD = $(TEST_LIBS)
