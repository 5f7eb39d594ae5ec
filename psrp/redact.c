/* redact.c: SecureString contents out of PSRP fragments (see redact.h).
 *
 * A small byte-at-a-time scanner per object: it looks for "<SS" followed by
 * '>' or attributes (a property: <SS N="Password">), and overwrites the
 * element's text up to the next '<'. CLIXML escapes '<' in text, so "<SS"
 * only ever starts an element. The 40-byte message header (destination,
 * type, RPID, PID) is skipped: GUID bytes are not text. */
#include "psrp/redact.h"

#include "psrp/fragment.h"

#include <stdlib.h>
#include <string.h>

#define MESSAGE_HEADER_LEN 40
#define MAX_OBJECTS 16 /* objects in flight at once, across channels */

enum { S_TEXT, S_AFTER_NAME, S_IN_TAG, S_CONTENT };

typedef struct scanner {
    uint64_t seen;  /* bytes of the message scanned so far */
    int state;
    int matched;    /* bytes of "<SS" matched in S_TEXT */
    char quote;     /* inside an attribute value in S_IN_TAG */
    char prev;      /* the previous byte in S_IN_TAG (for "/>") */
} scanner;

typedef struct slot {
    int used;
    char channel[96];
    uint64_t object_id;
    uint64_t age;
    scanner sc;
} slot;

struct psrp_redactor {
    slot slots[MAX_OBJECTS];
    uint64_t clock;
};

psrp_redactor *psrp_redactor_new(void)
{
    return calloc(1, sizeof(psrp_redactor));
}

void psrp_redactor_free(psrp_redactor *r)
{
    free(r);
}

static size_t scan(scanner *sc, uint8_t *p, size_t len)
{
    static const char open[] = "<SS";
    size_t replaced = 0;
    for (size_t i = 0; i < len; i++, sc->seen++) {
        if (sc->seen < MESSAGE_HEADER_LEN)
            continue;
        char b = (char)p[i];
        switch (sc->state) {
        case S_TEXT:
            if (b == open[sc->matched]) {
                if (++sc->matched == 3) {
                    sc->state = S_AFTER_NAME;
                    sc->matched = 0;
                }
            } else {
                sc->matched = b == '<' ? 1 : 0;
            }
            break;
        case S_AFTER_NAME: /* "<SS" must end the name: not <SSx */
            if (b == '>') {
                sc->state = S_CONTENT;
            } else if (b == ' ' || b == '\t' || b == '\r' || b == '\n' || b == '/') {
                sc->state = S_IN_TAG;
                sc->quote = 0;
                sc->prev = b;
            } else {
                sc->state = S_TEXT;
                sc->matched = b == '<' ? 1 : 0;
            }
            break;
        case S_IN_TAG:
            if (sc->quote) {
                if (b == sc->quote)
                    sc->quote = 0;
            } else if (b == '"' || b == '\'') {
                sc->quote = b;
            } else if (b == '>') {
                sc->state = sc->prev == '/' ? S_TEXT : S_CONTENT;
                sc->matched = 0;
            }
            sc->prev = b;
            break;
        case S_CONTENT:
            if (b == '<') {
                sc->state = S_TEXT;
                sc->matched = 1;
            } else if (b != PSRP_SS_REDACTED_BYTE) {
                p[i] = (uint8_t)PSRP_SS_REDACTED_BYTE;
                replaced++;
            }
            break;
        }
    }
    return replaced;
}

/* The scanner of (channel, object): a new one at a start fragment, the one
 * in progress otherwise. An object whose start we never saw is scanned from
 * its text (its header passed earlier). Full: the oldest slot is reused. */
static scanner *find_scanner(psrp_redactor *r, const char *channel, uint64_t object_id,
                             int start)
{
    slot *free_slot = NULL, *oldest = &r->slots[0];
    for (int i = 0; i < MAX_OBJECTS; i++) {
        slot *s = &r->slots[i];
        if (!s->used) {
            free_slot = free_slot ? free_slot : s;
            continue;
        }
        if (s->object_id == object_id && strcmp(s->channel, channel) == 0) {
            if (start)
                memset(&s->sc, 0, sizeof(s->sc));
            s->age = ++r->clock;
            return &s->sc;
        }
        if (s->age < oldest->age)
            oldest = s;
    }
    slot *s = free_slot ? free_slot : oldest;
    memset(s, 0, sizeof(*s));
    s->used = 1;
    strncpy(s->channel, channel, sizeof(s->channel) - 1);
    s->object_id = object_id;
    s->age = ++r->clock;
    if (!start)
        s->sc.seen = MESSAGE_HEADER_LEN;
    return &s->sc;
}

static void forget(psrp_redactor *r, const char *channel, uint64_t object_id)
{
    for (int i = 0; i < MAX_OBJECTS; i++)
        if (r->slots[i].used && r->slots[i].object_id == object_id &&
            strcmp(r->slots[i].channel, channel) == 0)
            r->slots[i].used = 0;
}

size_t psrp_redact_payload(psrp_redactor *r, const char *channel, uint8_t *data, size_t len)
{
    size_t replaced = 0, off = 0;
    while (len - off >= PSRP_FRAGMENT_HEADER_LEN) {
        psrp_fragment_header h;
        psrp_fragment_header_decode(&h, data + off);
        off += PSRP_FRAGMENT_HEADER_LEN;
        size_t blob = h.blob_length < len - off ? h.blob_length : len - off;
        int start = (h.flags & PSRP_FRAGMENT_START) != 0;
        int end = (h.flags & PSRP_FRAGMENT_END) != 0 && blob == h.blob_length;
        if (start && end) { /* a whole message: no state to keep */
            scanner sc = {0};
            replaced += scan(&sc, data + off, blob);
        } else {
            replaced += scan(find_scanner(r, channel, h.object_id, start), data + off, blob);
            if (end)
                forget(r, channel, h.object_id);
        }
        off += blob;
    }
    if (off < len) { /* not fragments: scan it as text all the same */
        scanner sc = {.seen = MESSAGE_HEADER_LEN};
        replaced += scan(&sc, data + off, len - off);
    }
    return replaced;
}

int psrp_securestring_is_redacted(const psrp_value *v)
{
    return v && v->kind == PSRP_V_SECURESTRING && v->u.str.len &&
           memchr(v->u.str.ptr, PSRP_SS_REDACTED_BYTE, v->u.str.len) != NULL;
}
