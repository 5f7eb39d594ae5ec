# psrp: sources, tests and fuzz targets of this layer.

# PSRP protocol (fragments, messages, state machines)
noinst_HEADERS += psrp/fragment.h psrp/message.h psrp/session_key.h psrp/utf16.h \
	tests/unit/test_psrp_util.h
libpsremote_core_la_SOURCES += psrp/fragment.c psrp/message.c psrp/session_key.c psrp/utf16.c

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

# CLIXML (values, serializer, deserializer, JSON)
noinst_HEADERS += psrp/value.h psrp/value_impl.h psrp/arena.h psrp/lru.h psrp/clixml.h \
	psrp/clixml_text.h psrp/clixml_reader_impl.h psrp/json.h psrp/json_input.h psrp/show.h \
	psrp/redact.h tests/unit/test_clixml_util.h
libpsremote_core_la_SOURCES += psrp/value.c psrp/arena.c psrp/lru.c psrp/clixml_text.c psrp/clixml_write.c \
	psrp/clixml_read.c psrp/clixml_reader.c psrp/clixml_nested.c psrp/json.c psrp/json_input.c \
	psrp/show.c psrp/redact.c

check_PROGRAMS += tests/unit/test_clixml tests/unit/test_clixml_errors tests/unit/test_clixml_json \
	tests/unit/test_clixml_refs tests/unit/test_clixml_reuse
TESTS += tests/unit/test_clixml tests/unit/test_clixml_errors tests/unit/test_clixml_json \
	tests/unit/test_clixml_refs tests/unit/test_clixml_reuse
tests_unit_test_clixml_SOURCES = tests/unit/test_clixml.c
tests_unit_test_clixml_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_clixml_LDADD = $(TEST_LIBS) -lm
tests_unit_test_clixml_errors_SOURCES = tests/unit/test_clixml_errors.c
tests_unit_test_clixml_errors_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_clixml_errors_LDADD = $(TEST_LIBS)
tests_unit_test_clixml_refs_SOURCES = tests/unit/test_clixml_refs.c
tests_unit_test_clixml_refs_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_clixml_refs_LDADD = $(TEST_LIBS) -lm
tests_unit_test_clixml_reuse_SOURCES = tests/unit/test_clixml_reuse.c
tests_unit_test_clixml_reuse_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_clixml_reuse_LDADD = $(TEST_LIBS) $(XML_LIBS) -lm
tests_unit_test_clixml_json_SOURCES = tests/unit/test_clixml_json.c
tests_unit_test_clixml_json_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_clixml_json_LDADD = $(TEST_LIBS) $(JANSSON_LIBS)

check_PROGRAMS += tests/unit/test_psrp_redact
TESTS += tests/unit/test_psrp_redact
tests_unit_test_psrp_redact_SOURCES = tests/unit/test_psrp_redact.c
tests_unit_test_psrp_redact_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_psrp_redact_LDADD = $(TEST_LIBS) $(JANSSON_LIBS)

FUZZ_TARGETS += clixml
check_PROGRAMS += tests/fuzz/fuzz_clixml_replay
TESTS += tests/fuzz/fuzz_clixml_replay
tests_fuzz_fuzz_clixml_replay_SOURCES = tests/fuzz/fuzz_clixml.c tests/fuzz/standalone_main.c
tests_fuzz_fuzz_clixml_replay_CFLAGS = $(TEST_CFLAGS)
tests_fuzz_fuzz_clixml_replay_LDADD = $(TEST_LIBS)

# `make bench-clixml` (also run by `make bench`): deserializer MB/s,
# objects/s and peak RSS on ~100 MB of generated Get-Process-like objects,
# against libxml2's SAX2 parser alone on the same bytes.
noinst_PROGRAMS += tests/bench/clixml_bench
tests_bench_clixml_bench_SOURCES = tests/bench/clixml_bench.c
tests_bench_clixml_bench_CFLAGS = $(AM_CFLAGS) $(XML_CFLAGS) -O2
tests_bench_clixml_bench_LDADD = libpsremote_core.la $(XML_LIBS)
BENCH_TARGETS += bench-clixml
bench-clixml: tests/bench/clixml_bench
	tests/bench/clixml_bench 100
bench_clixml: bench-clixml
.PHONY: bench-clixml bench_clixml

# PSRP protocol (fragments, messages, state machines): the message layer and
# the client state machines, on the CLIXML value model above.
FUZZ_TARGETS += psrp_defragment psrp_message
noinst_HEADERS += psrp/messages.h psrp/messages_util.h psrp/runspace_pool.h psrp/pipeline.h \
	psrp/pool_internal.h
libpsremote_core_la_SOURCES += psrp/messages_util.c psrp/messages_error.c psrp/messages_pool.c \
	psrp/messages_pipeline.c psrp/messages_records.c psrp/messages_host.c \
	psrp/runspace_pool.c psrp/pipeline.c

check_PROGRAMS += tests/unit/test_psrp_messages tests/unit/test_psrp_pool
TESTS += tests/unit/test_psrp_messages tests/unit/test_psrp_pool
tests_unit_test_psrp_messages_SOURCES = tests/unit/test_psrp_messages.c
tests_unit_test_psrp_messages_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_psrp_messages_LDADD = $(TEST_LIBS)
tests_unit_test_psrp_pool_SOURCES = tests/unit/test_psrp_pool.c
tests_unit_test_psrp_pool_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_psrp_pool_LDADD = $(TEST_LIBS)

check_PROGRAMS += tests/fuzz/fuzz_psrp_message_replay
TESTS += tests/fuzz/fuzz_psrp_message_replay
tests_fuzz_fuzz_psrp_message_replay_SOURCES = tests/fuzz/fuzz_psrp_message.c tests/fuzz/standalone_main.c
tests_fuzz_fuzz_psrp_message_replay_CFLAGS = $(TEST_CFLAGS)
tests_fuzz_fuzz_psrp_message_replay_LDADD = $(TEST_LIBS)

# CLIXML numbers under an application's comma-decimal locale.
check_PROGRAMS += tests/unit/test_clixml_locale
TESTS += tests/unit/test_clixml_locale
tests_unit_test_clixml_locale_SOURCES = tests/unit/test_clixml_locale.c
tests_unit_test_clixml_locale_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_clixml_locale_LDADD = $(TEST_LIBS)
