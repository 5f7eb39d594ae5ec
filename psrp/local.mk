# psrp: sources, tests and fuzz targets of this layer.

# PSRP protocol (fragments, messages, state machines)
noinst_HEADERS += psrp/fragment.h psrp/message.h psrp/session_key.h psrp/utf16.h \
	tests/unit/test_psrp_util.h
libpsremote_la_SOURCES += psrp/fragment.c psrp/message.c psrp/session_key.c psrp/utf16.c

check_PROGRAMS += tests/unit/test_psrp_fragment tests/unit/test_psrp_message tests/unit/test_psrp_session_key
TESTS += tests/unit/test_psrp_fragment tests/unit/test_psrp_message tests/unit/test_psrp_session_key
tests_unit_test_psrp_fragment_SOURCES = tests/unit/test_psrp_fragment.c
tests_unit_test_psrp_fragment_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_psrp_fragment_LDADD = $(TEST_LIBS)
tests_unit_test_psrp_message_SOURCES = tests/unit/test_psrp_message.c
tests_unit_test_psrp_message_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_psrp_message_LDADD = $(TEST_LIBS)
tests_unit_test_psrp_session_key_SOURCES = tests/unit/test_psrp_session_key.c
tests_unit_test_psrp_session_key_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_psrp_session_key_LDADD = $(TEST_LIBS)

check_PROGRAMS += tests/fuzz/fuzz_psrp_defragment_replay
TESTS += tests/fuzz/fuzz_psrp_defragment_replay
tests_fuzz_fuzz_psrp_defragment_replay_SOURCES = tests/fuzz/fuzz_psrp_defragment.c tests/fuzz/standalone_main.c
tests_fuzz_fuzz_psrp_defragment_replay_CFLAGS = $(TEST_CFLAGS)
tests_fuzz_fuzz_psrp_defragment_replay_LDADD = $(TEST_LIBS)
