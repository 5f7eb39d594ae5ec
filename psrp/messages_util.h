/* messages_util.h: helpers the psrp/messages_*.c files share (internal).
 *
 * Reading: msg_parse_object parses one message's CLIXML and insists on an
 * <Obj>; the req_/opt_ getters read a named property, filling err with the
 * message and property name when a required one is missing or wrong.
 * Writing: msg_finish serializes a built value and drops it (it also turns a
 * NULL left by a failed allocation into PSR_E_NOMEM), so builders can chain
 * psrp_object_add calls and check once. */
#ifndef PSR_PSRP_MESSAGES_UTIL_H
#define PSR_PSRP_MESSAGES_UTIL_H

#include "psrp/messages.h"

int msg_parse_value(psrp_clixml_reader *rd, const char *what, const char *data, size_t len, psrp_value **out,
                    psr_error *err);
int msg_parse_object(psrp_clixml_reader *rd, const char *what, const char *data, size_t len, psrp_value **out,
                     psr_error *err);
int msg_finish(psr_buf *out, psrp_value *v, int rc, const char *what, psr_error *err);

int msg_req_i32(const psrp_value *obj, const char *what, const char *name, int32_t *out, psr_error *err);
int msg_req_i64(const psrp_value *obj, const char *what, const char *name, int64_t *out, psr_error *err);
int msg_req_text(const psrp_value *obj, const char *what, const char *name, const char **out, psr_error *err);
/* Optional: leave *out untouched when the property is missing or Nil. */
void msg_opt_i32(const psrp_value *obj, const char *name, int32_t *out);
void msg_opt_i64(const psrp_value *obj, const char *name, int64_t *out);
void msg_opt_bool(const psrp_value *obj, const char *name, int *out);
/* Text of a property (NULL when missing / Nil / not text). */
const char *msg_opt_text(const psrp_value *obj, const char *name);
/* A property that is not Nil (NULL otherwise). */
psrp_value *msg_opt_value(const psrp_value *obj, const char *name);

/* RUNSPACEPOOL_STATE and PIPELINE_STATE have one shape: a state number
 * under state_name and an optional ExceptionAsErrorRecord. */
int msg_state_build(psr_buf *out, const char *what, const char *state_name, int32_t state,
                    const psrp_error_record_spec *error, psr_error *err);
/* Fills *value (one reference), *state and, when present, *error and
 * *has_error. On failure nothing is left to release but *error (cleared by
 * the caller's *_clear). */
int msg_state_parse(psrp_clixml_reader *rd, const char *what, const char *state_name, const char *data, size_t len,
                    psrp_value **value, int32_t *state, psrp_error_record *error, int *has_error, psr_error *err);

/* HostInfo (2.2.3.14) value from the struct; and back. */
psrp_value *msg_host_info_value(const psrp_host_info *h);
void msg_host_info_read(const psrp_value *v, psrp_host_info *h);

/* Enum values PowerShell writes with their type and ToString names. */
psrp_value *msg_enum_thread_options(int32_t n);
psrp_value *msg_enum_apartment_state(int32_t n);
psrp_value *msg_enum_remote_stream_options(int32_t n);
psrp_value *msg_enum_pipeline_result_types(int32_t n);

/* A list object of System.Collections.ArrayList (host call parameters). */
psrp_value *msg_new_array_list(void);

#endif
