/* clixml_nested.c: an <Obj> directly inside an <Obj>, as JEA (restricted)
 * endpoints send for provider items (Get-Item WSMan:\...): the outer
 * object has its own <TN>, <ToString> and <MS>, and the inner one carries
 * the <Props> and its own <MS>.
 *
 * How PowerShell reads it (InternalDeserializer.ReadPSObject): the inner
 * object becomes the outer PSObject's base object, so the outer one wraps
 * it; the outer takes the inner's type names unless it had its own <TN>
 * before it (SetCoreOnDeserialization), and at its end tag the inner's
 * ToString and adapted properties unless it has its own ToString or <Props>
 * (CopyDeserializerFields). Members of the inner object stay reachable
 * through the outer one.
 *
 * Our value model has no object as a base (value.h), so the outer object
 * takes over the inner's parts: its wrapped primitive or collection; its
 * type names when the outer has no <TN>; its ToString when the outer has
 * none; its adapted properties when the outer has no <Props>; and its
 * extended properties that the outer's <MS> does not name (names compared
 * without regard to ASCII case, as property names are), after the outer's
 * own. Values are shared by reference, not copied, and the inner object
 * stays a value of its own for <Ref>s to its RefId. */
#include "psrp/clixml_reader_impl.h"
#include "psrp/value_impl.h"

#include "psremote/error.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int name_cmp(const void *a, const void *b)
{
    return strcasecmp(*(char *const *)a, *(char *const *)b);
}

/* Up to this many members of the outer <MS> a plain scan is cheapest;
 * beyond it the names are sorted once, so that a hostile object with many
 * members on both sides costs n log n, not n * m. */
#define SCAN_MAX 16

/* Appends to o's extended properties those of in that o does not name. */
static int merge_extended(psrp_arena *a, psrp_object *o, const psrp_object *in)
{
    char **sorted = NULL;
    if (o->n_extended > SCAN_MAX) {
        if (!(sorted = malloc(o->n_extended * sizeof(char *))))
            return PSR_E_NOMEM;
        for (size_t i = 0; i < o->n_extended; i++)
            sorted[i] = o->extended[i].name;
        qsort(sorted, o->n_extended, sizeof(char *), name_cmp);
    }
    psrp_member *m = psrp_arena_alloc(a, (o->n_extended + in->n_extended) * sizeof(psrp_member));
    if (!m) {
        free(sorted);
        return PSR_E_NOMEM;
    }
    if (o->n_extended)
        memcpy(m, o->extended, o->n_extended * sizeof(psrp_member));
    size_t n = o->n_extended;
    for (size_t i = 0; i < in->n_extended; i++) {
        const char *name = in->extended[i].name;
        int named = 0;
        if (sorted)
            named = bsearch(&name, sorted, o->n_extended, sizeof(char *), name_cmp) != NULL;
        else
            for (size_t k = 0; k < o->n_extended && !named; k++)
                named = strcasecmp(o->extended[k].name, name) == 0;
        if (named)
            continue;
        m[n].name = psrp_name_ref(in->extended[i].name);
        m[n].value = psrp_value_ref(in->extended[i].value);
        n++;
    }
    free(sorted);
    o->extended = m;
    o->n_extended = o->cap_extended = n;
    return 0;
}

int reader_merge_inner(psrp_value *outer, const psrp_value *inner, int outer_has_props)
{
    psrp_arena *a = outer->arena;
    psrp_object *o = &outer->u.obj;
    const psrp_object *in = &inner->u.obj;
    /* The reader allows one value in an object: with the inner <Obj>
     * there, o has no base and no collection of its own. */
    o->base = psrp_value_ref(in->base);
    o->coll = in->coll;
    if (in->n_items) {
        if (!(o->items = psrp_arena_alloc(a, in->n_items * sizeof(psrp_value *))))
            return PSR_E_NOMEM;
        for (size_t i = 0; i < in->n_items; i++)
            o->items[i] = psrp_value_ref(in->items[i]);
        o->n_items = o->cap_items = in->n_items;
    }
    if (in->n_entries) {
        if (!(o->entries = psrp_arena_alloc(a, in->n_entries * sizeof(psrp_dict_entry))))
            return PSR_E_NOMEM;
        for (size_t i = 0; i < in->n_entries; i++) {
            o->entries[i].key = psrp_value_ref(in->entries[i].key);
            o->entries[i].value = psrp_value_ref(in->entries[i].value);
        }
        o->n_entries = o->cap_entries = in->n_entries;
    }
    if (!o->types && in->types) {
        o->types = in->types;
        in->types->refs++;
    }
    if (!o->to_string && in->to_string) {
        size_t len = strlen(in->to_string);
        if (!(o->to_string = psrp_arena_alloc(a, len + 1)))
            return PSR_E_NOMEM;
        memcpy(o->to_string, in->to_string, len + 1);
    }
    if (!outer_has_props && in->n_adapted) {
        if (!(o->adapted = psrp_arena_alloc(a, in->n_adapted * sizeof(psrp_member))))
            return PSR_E_NOMEM;
        for (size_t i = 0; i < in->n_adapted; i++) {
            o->adapted[i].name = psrp_name_ref(in->adapted[i].name);
            o->adapted[i].value = psrp_value_ref(in->adapted[i].value);
        }
        o->n_adapted = o->cap_adapted = in->n_adapted;
    }
    return in->n_extended ? merge_extended(a, o, in) : 0;
}
