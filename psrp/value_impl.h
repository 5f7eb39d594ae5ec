/* value_impl.h: what the deserializer needs from the value model beyond
 * value.h: values made in an arena (arena.h), and shared, reference-counted
 * property names (every object of a stream repeats the same names; one
 * copy serves them all). Internal to psrp/. */
#ifndef PSR_PSRP_VALUE_IMPL_H
#define PSR_PSRP_VALUE_IMPL_H

#include "psrp/arena.h"
#include "psrp/value.h"

/* A value of kind with one reference, its payload zeroed, and extra bytes
 * after the payload; from arena a, or malloc when a is NULL. */
psrp_value *psrp_value_alloc(psrp_arena *a, psrp_value_kind kind, size_t extra);
/* psrp_value_new_text / _new_bytes in arena a (NULL: malloc). */
psrp_value *psrp_value_new_text_in(psrp_arena *a, psrp_value_kind kind, const char *text, size_t len);
psrp_value *psrp_value_new_bytes_in(psrp_arena *a, const void *data, size_t len);

/* A name with one reference (NULL on no memory); len bytes of s, NUL added. */
char *psrp_name_new(const char *s, size_t len);
char *psrp_name_ref(char *name);
/* NULL is a no-op. */
void psrp_name_unref(char *name);

#endif
