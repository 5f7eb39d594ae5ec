/* value_impl.h: what the deserializer needs from the value model beyond
 * value.h: shared, reference-counted property names (every object of a
 * stream repeats the same names; one copy serves them all). Internal to
 * psrp/. */
#ifndef PSR_PSRP_VALUE_IMPL_H
#define PSR_PSRP_VALUE_IMPL_H

#include "psrp/value.h"

/* A name with one reference (NULL on no memory); len bytes of s, NUL added. */
char *psrp_name_new(const char *s, size_t len);
char *psrp_name_ref(char *name);
/* NULL is a no-op. */
void psrp_name_unref(char *name);
/* Like psrp_object_add / _add_adapted (extended = MS), but takes a
 * reference to a shared name instead of copying it. */
int psrp_object_add_shared_name(psrp_value *obj, int extended, char *name, psrp_value *value);

#endif
