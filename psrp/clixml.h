/* clixml.h: CLIXML (MS-PSRP 2.2.5) serializer and deserializer.
 *
 * Serializer: appends CLIXML text for a psrp_value to a psr_buf, without
 * building a document tree. Like PowerShell it gives every <Obj> a RefId
 * (0, 1, 2, ... in document order), writes a type-name list once as
 * <TN RefId="n"> and afterwards as <TNRef RefId="n"/>, and writes an object
 * that appears a second time (the same psrp_value shared by reference) as
 * <Ref RefId="n"/>. Strings and property names get the _xHHHH_ escaping of
 * characters XML cannot carry (2.2.5.3.2). A writer keeps a reference to
 * each shared object it wrote, so that a later value at the same address is
 * not mistaken for it, but only to the PSRP_CLIXML_WRITER_SHARED most
 * recently used ones (memory stays bounded on a long stream): an object
 * forgotten past that is written in full again, as PowerShell's own
 * serializer does for objects it no longer tracks.
 *
 * Deserializer: libxml2's SAX2 push parser, hardened (no DTD, no entities,
 * no network, depth and size limits). Two forms:
 *   - psrp_clixml_parse: one complete value text, what one PSRP message's
 *     data carries (e.g. <Obj RefId="0">...</Obj> or <S>text</S>);
 *   - psrp_clixml_reader: a push reader for a stream of top-level values
 *     (the children of <Objs> in an Export-Clixml file, or values simply
 *     written one after another); it calls back once per completed top-level
 *     value and frees that value after the callback, so memory stays flat.
 * <Ref> shares the earlier object (no copy). As in PowerShell, whose
 * serializer numbers objects across a whole Export-Clixml stream, a <Ref>
 * may name an object of an earlier top-level value (the same instance piped
 * twice, or the PSDrive that every Get-ChildItem item points to). To keep
 * memory bounded the reader keeps only the max_ref_objects most recently
 * defined or named objects of earlier values, within max_ref_bytes of the
 * memory they hold (an object keeps the top-level value it belongs to
 * alive); a <Ref> to an object dropped past those limits fails with
 * PSR_E_LIMIT and a message that says so. Inside one top-level value every
 * object stays referable. Because of that table, the reference counts a
 * value callback sees include the reader's own. A <Ref> to an enclosing
 * object (a cycle) is an error. The TN table lasts for the whole stream
 * (Export-Clixml writes TNRef to type names of earlier objects). A RefId or
 * TN RefId that is defined again replaces the earlier one (concatenated
 * messages each count from 0). RefIds are compared as strings ("0", or
 * "RefId-0" as in the spec's examples).
 *
 * An <Obj> directly inside an <Obj> (JEA endpoints send provider items so;
 * PowerShell reads the inner one as the base of the outer) is merged into
 * the outer object as PowerShell presents it: the inner's primitive or
 * collection, type names (unless the outer has a <TN>), ToString (unless
 * the outer has one), adapted properties (unless the outer has <Props>),
 * and extended properties the outer's <MS> does not name, after its own.
 * The inner object stays referable by its own RefId. A <Ref> directly
 * inside an <Obj> is refused, as PowerShell refuses it.
 *
 * Values are built in one region of memory per top-level value instead of
 * one allocation each; they are used, kept (psrp_value_ref) and freed like
 * any value, and may outlive the reader. Element names are matched without
 * regard to namespace.
 * Input is UTF-8 (a BOM is skipped); a document that starts with a UTF-16
 * BOM (Windows PowerShell's Export-Clixml) is decoded by libxml2.
 *
 * Errors say which limit or rule was broken and at what byte offset of the
 * input (counted from the first byte given to the parser or reader). */
#ifndef PSR_PSRP_CLIXML_H
#define PSR_PSRP_CLIXML_H

#include "common/buf.h"
#include "psremote/error.h"
#include "psrp/value.h"

#include <stddef.h>
#include <stdint.h>

/* ---- serializer ---------------------------------------------------------- */

/* Writer flags. */
#define PSRP_CLIXML_INDENT 0x1u /* newline and two spaces per level (for display) */
/* Shared objects a writer remembers for <Ref> (see above). */
#define PSRP_CLIXML_WRITER_SHARED 4096u

typedef struct psrp_clixml_writer psrp_clixml_writer;

/* A serialization context: RefId and TN counters start at 0. NULL on no memory. */
psrp_clixml_writer *psrp_clixml_writer_new(unsigned flags);
void psrp_clixml_writer_free(psrp_clixml_writer *w);
/* Starts a new context (counters back to 0, nothing remembered). */
void psrp_clixml_writer_reset(psrp_clixml_writer *w);
/* Appends v as one element; name, if not NULL, becomes its N attribute.
 * RefIds continue from earlier writes with the same writer (as in one
 * Export-Clixml document). Returns 0, PSR_E_NOMEM, or PSR_E_INVALID for a
 * value that cannot be written (e.g. a collection object with a bad item). */
int psrp_clixml_writer_write(psrp_clixml_writer *w, psr_buf *out, const psrp_value *v,
                             const char *name, psr_error *err);

/* One value in a fresh context: what one PSRP message's data holds. */
int psrp_clixml_serialize(psr_buf *out, const psrp_value *v, psr_error *err);

/* Appends s with the _xHHHH_ escaping of CLIXML strings and then XML
 * escaping (<, >, &, quotes): what <S> content and N attributes carry. */
int psrp_clixml_escape_string(psr_buf *out, const char *s, size_t len);

/* ---- deserializer -------------------------------------------------------- */

typedef struct psrp_clixml_limits {
    unsigned max_depth;         /* element nesting; default 256 */
    size_t max_object_bytes;    /* bytes of one top-level value; default 10 MiB
                                 * (PowerShell's MaximumReceivedObjectSize);
                                 * checked every 16 KiB of input */
    uint64_t max_total_bytes;   /* bytes of the whole stream; default 0 = no limit */
    size_t max_string_bytes;    /* one string / text / base64 value; default 10 MiB */
    size_t max_type_names;      /* distinct TN lists kept for a stream; default 65536 */
    size_t max_ref_objects;     /* objects of earlier top-level values kept for
                                 * <Ref>; default 4096 (0: none) */
    size_t max_ref_bytes;       /* memory those objects keep alive (with the
                                 * values they belong to); default 16 MiB */
} psrp_clixml_limits;

/* Fills l with the defaults above. */
void psrp_clixml_limits_default(psrp_clixml_limits *l);

/* Parses one complete value (exactly one top-level element; a UTF-8 BOM and
 * an XML declaration are allowed). limits NULL means the defaults. On
 * success *out holds a new value (free with psrp_value_free). PSR_E_PARSE
 * for malformed input, PSR_E_LIMIT when a limit is exceeded. */
int psrp_clixml_parse(const char *xml, size_t len, const psrp_clixml_limits *limits,
                      psrp_value **out, psr_error *err);

/* Called once per completed top-level value. v is borrowed: it is freed
 * after the callback returns unless the callback took psrp_value_ref(v).
 * Return 0 to go on; a non-zero return stops the reader and is returned by
 * the feed/finish call (the callback may fill err). */
typedef int (*psrp_clixml_value_cb)(void *ctx, psrp_value *v, psr_error *err);

typedef struct psrp_clixml_reader psrp_clixml_reader;

/* limits NULL means the defaults. NULL on no memory. */
psrp_clixml_reader *psrp_clixml_reader_new(const psrp_clixml_limits *limits,
                                           psrp_clixml_value_cb cb, void *ctx);
void psrp_clixml_reader_free(psrp_clixml_reader *r);
/* Feeds the next bytes of the stream (any split, even inside a tag).
 * The stream is either an <Objs> document (optionally with BOM and XML
 * declaration), whose children are the top-level values, or top-level
 * value elements one after another. After an error the reader stays
 * failed and returns the same error. */
int psrp_clixml_reader_feed(psrp_clixml_reader *r, const void *data, size_t len, psr_error *err);
/* Ends the stream: PSR_E_PARSE when it stops inside a value. */
int psrp_clixml_reader_finish(psrp_clixml_reader *r, psr_error *err);
/* Number of top-level values delivered so far. */
uint64_t psrp_clixml_reader_count(const psrp_clixml_reader *r);

/* Starts r on a new stream, as psrp_clixml_reader_new(limits, cb, ctx)
 * would: the RefIds, TN lists, count, byte offsets and any error of the
 * earlier stream are forgotten (values it delivered stay valid), while the
 * memory that makes the next stream cheap is kept: libxml2's parser
 * context, the buffers and the decoded property names. What is kept is
 * bounded whatever the earlier streams were (clixml_reader.c says how), so
 * a reader can serve every message of a long session. */
void psrp_clixml_reader_reset(psrp_clixml_reader *r, const psrp_clixml_limits *limits,
                              psrp_clixml_value_cb cb, void *ctx);
/* psrp_clixml_parse with r reset and reused for it (and reset again before
 * it returns, so r holds nothing of the value); r NULL parses with a reader
 * of its own, exactly as psrp_clixml_parse. The same values and errors
 * either way. r must not be in the middle of a stream of the caller's. */
int psrp_clixml_parse_with(psrp_clixml_reader *r, const char *xml, size_t len,
                           const psrp_clixml_limits *limits, psrp_value **out, psr_error *err);

/* Re-indents CLIXML text for display (psremote decode --format clixml):
 * parses it as a stream of values and writes each with PSRP_CLIXML_INDENT,
 * one per line, inside <Objs> when the input had it. */
int psrp_clixml_pretty(psr_buf *out, const char *xml, size_t len, psr_error *err);

#endif
