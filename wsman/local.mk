# wsman: sources, tests and fuzz targets of this layer.
noinst_HEADERS += wsman/wsman.h wsman/xml.h wsman/build.h wsman/parse.h
libpsremote_core_la_SOURCES += wsman/xml.c wsman/xml_write.c wsman/duration.c \
	wsman/header_build.c wsman/request_build.c wsman/response_build.c \
	wsman/fault.c wsman/stream_parse.c wsman/response_parse.c wsman/response_sax.c \
	wsman/request_parse.c

WSMAN_UNIT_TESTS = tests/unit/test_wsman_request tests/unit/test_wsman_response \
	tests/unit/test_wsman_hostile tests/unit/test_wsman_sax
check_PROGRAMS += $(WSMAN_UNIT_TESTS)
TESTS += $(WSMAN_UNIT_TESTS)
tests_unit_test_wsman_request_SOURCES = tests/unit/test_wsman_request.c
tests_unit_test_wsman_request_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_wsman_request_LDADD = $(TEST_LIBS)
tests_unit_test_wsman_response_SOURCES = tests/unit/test_wsman_response.c
tests_unit_test_wsman_response_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_wsman_response_LDADD = $(TEST_LIBS)
tests_unit_test_wsman_hostile_SOURCES = tests/unit/test_wsman_hostile.c
tests_unit_test_wsman_hostile_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_wsman_hostile_LDADD = $(TEST_LIBS)
tests_unit_test_wsman_sax_SOURCES = tests/unit/test_wsman_sax.c
tests_unit_test_wsman_sax_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_wsman_sax_LDADD = $(TEST_LIBS)
noinst_HEADERS += tests/unit/wsman_diff.h

# Fuzz targets wsman_response and wsman_request (seeds in fixtures/fuzz/NAME);
# `make fuzz` builds them with libFuzzer, make check replays the seeds.
FUZZ_TARGETS += wsman_response wsman_request
WSMAN_FUZZ_REPLAYS = tests/fuzz/fuzz_wsman_response_replay tests/fuzz/fuzz_wsman_request_replay
check_PROGRAMS += $(WSMAN_FUZZ_REPLAYS)
TESTS += $(WSMAN_FUZZ_REPLAYS)
tests_fuzz_fuzz_wsman_response_replay_SOURCES = tests/fuzz/fuzz_wsman_response.c tests/fuzz/standalone_main.c
tests_fuzz_fuzz_wsman_response_replay_CFLAGS = $(TEST_CFLAGS)
tests_fuzz_fuzz_wsman_response_replay_LDADD = $(TEST_LIBS)
tests_fuzz_fuzz_wsman_request_replay_SOURCES = tests/fuzz/fuzz_wsman_request.c tests/fuzz/standalone_main.c
tests_fuzz_fuzz_wsman_request_replay_CFLAGS = $(TEST_CFLAGS)
tests_fuzz_fuzz_wsman_request_replay_LDADD = $(TEST_LIBS)
