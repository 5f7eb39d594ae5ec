/* decode.c: `psremote decode`, for people who capture WinRM traffic (and
 * for our own debugging): reads WS-Man envelopes and prints every PSRP
 * message they carry — in Create's creationXml, a Command's Arguments, Send
 * streams and ReceiveResponse streams — with its direction, type, ids and
 * its object as JSON or indented CLIXML. Fragments spread over several
 * envelopes are joined (one defragmenter per direction: ObjectIds belong to
 * the sender). Bad data is reported with the envelope number and decoding
 * goes on with the next envelope. */
#include "src/cli/cli.h"

#include "common/base64.h"
#include "psrp/clixml.h"
#include "psrp/fragment.h"
#include "psrp/json.h"
#include "psrp/message.h"
#include "wsman/wsman.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char decode_help[] =
    "Usage: psremote decode [--format json|jsonl|clixml] [--verbose] [FILE...]\n"
    "Print the PowerShell (PSRP) messages carried by WS-Management envelopes: a file\n"
    "with one or more envelopes (a capture, or a --trace file), or standard input\n"
    "when no FILE or '-' is given.\n"
    "\n"
    "  --format json    one indented JSON object per message (default)\n"
    "  --format jsonl   one JSON object per line\n"
    "  --format clixml  a header line and the message's CLIXML, indented\n"
    "  -v, --verbose    also list envelopes that carry no PSRP data\n"
    "  -h, --help       show this help\n"
    "\n"
    "Exit status: 0 when everything decoded, 1 when something was reported, 2 for\n"
    "bad options.\n";

typedef enum { FMT_JSON, FMT_JSONL, FMT_CLIXML } decode_format;

typedef struct decoder {
    decode_format format;
    int verbose;
    psrp_defragmenter *from_client, *from_server;
    size_t envelope;  /* number of the current envelope, from 1 */
    int problems;
} decoder;

static void report(decoder *d, size_t offset, const char *what)
{
    fprintf(stderr, "psremote decode: envelope %zu (byte %zu): %s\n", d->envelope, offset, what);
    d->problems = 1;
}

static void print_message(decoder *d, const char *direction, const psrp_defrag_message *dm)
{
    psrp_message m;
    psr_error err;
    if (psrp_message_parse(&m, dm->data, dm->len, &err) != 0) {
        report(d, 0, err.message);
        return;
    }
    char rpid[PSR_UUID_STRLEN], pid[PSR_UUID_STRLEN];
    psr_uuid_format(&m.rpid, 0, rpid);
    psr_uuid_format(&m.pid, 0, pid);
    const char *type = psrp_message_type_name(m.type);
    if (d->format == FMT_CLIXML) {
        printf("# envelope %zu %s %s object %llu rpid %s pid %s\n", d->envelope, direction,
               type ? type : "?", (unsigned long long)dm->object_id, rpid, pid);
        psr_buf pretty = {0};
        if (m.data_len && psrp_clixml_pretty(&pretty, m.data, m.data_len, &err) != 0)
            report(d, 0, err.message);
        else if (pretty.len)
            printf("%s\n", pretty.data);
        psr_buf_free(&pretty);
        return;
    }
    json_t *o = json_object();
    json_object_set_new(o, "envelope", json_integer((json_int_t)d->envelope));
    json_object_set_new(o, "direction", json_string(direction));
    json_object_set_new(o, "type", json_string(type ? type : "?"));
    json_object_set_new(o, "destination",
                        json_string(m.destination == PSRP_DEST_CLIENT ? "client" : "server"));
    json_object_set_new(o, "rpid", json_string(rpid));
    json_object_set_new(o, "pid", json_string(pid));
    json_object_set_new(o, "object_id", json_integer((json_int_t)dm->object_id));
    json_t *data = json_null();
    if (m.data_len) {
        psrp_value *v = NULL;
        if (psrp_clixml_parse(m.data, m.data_len, NULL, &v, &err) != 0) {
            report(d, 0, err.message);
        } else {
            json_t *j = psrp_value_to_json(v, &err);
            if (j) {
                json_decref(data);
                data = j;
            } else {
                report(d, 0, err.message);
            }
            psrp_value_free(v);
        }
    }
    json_object_set_new(o, "data", data);
    char *text = json_dumps(o, JSON_PRESERVE_ORDER | (d->format == FMT_JSONL ? JSON_COMPACT
                                                                               : JSON_INDENT(2)));
    if (text) {
        puts(text);
        free(text);
    }
    json_decref(o);
}

/* One PSRP payload (decoded bytes of a stream, creationXml or Arguments). */
static void feed(decoder *d, int from_client, const void *bytes, size_t len)
{
    psrp_defragmenter *df = from_client ? d->from_client : d->from_server;
    psr_error err;
    if (psrp_defragmenter_feed_payload(df, bytes, len, &err) != 0) {
        report(d, 0, err.message);
        /* A broken stream refuses more input: start afresh for the next. */
        psrp_defragmenter_free(df);
        df = psrp_defragmenter_new(0);
        if (from_client)
            d->from_client = df;
        else
            d->from_server = df;
        return;
    }
    psrp_defrag_message dm;
    while (psrp_defragmenter_next(df, &dm) == 1) {
        print_message(d, from_client ? "client->server" : "server->client", &dm);
        psrp_defrag_message_clear(&dm);
    }
}

static void feed_base64(decoder *d, int from_client, const char *text)
{
    psr_buf bytes = {0};
    if (psr_base64_decode(&bytes, text, strlen(text)) != 0)
        report(d, 0, "base64 data that does not decode");
    else
        feed(d, from_client, bytes.data, bytes.len);
    psr_buf_free(&bytes);
}

static void decode_envelope(decoder *d, const char *xml, size_t len)
{
    wsman_request q = {0};
    wsman_response r = {0};
    psr_error err;
    int carried = 0;
    if (wsman_parse_request(xml, len, &q, &err) == 0 && q.kind != WSMAN_REQ_UNKNOWN) {
        int ps = q.resource_uri && strncasecmp(q.resource_uri, WSMAN_RESOURCE_POWERSHELL_PREFIX,
                                              strlen(WSMAN_RESOURCE_POWERSHELL_PREFIX)) == 0;
        if (ps && q.kind == WSMAN_REQ_CREATE && q.creation_xml)
            feed_base64(d, 1, q.creation_xml), carried = 1;
        if (ps && q.kind == WSMAN_REQ_COMMAND && q.n_arguments)
            feed_base64(d, 1, q.arguments[0]), carried = 1;
        for (size_t i = 0; ps && q.kind == WSMAN_REQ_SEND && i < q.n_streams; i++)
            if (q.streams[i].data.len)
                feed(d, 1, q.streams[i].data.data, q.streams[i].data.len), carried = 1;
        if (!carried && d->verbose)
            printf("# envelope %zu: %s (no PSRP data)\n", d->envelope, q.action ? q.action : "?");
    } else if (wsman_parse_response(xml, len, &r, &err) == 0) {
        for (size_t i = 0; r.kind == WSMAN_RESP_RECEIVE && i < r.n_streams; i++)
            if (r.streams[i].data.len && strcmp(r.streams[i].name, "stdout") == 0)
                feed(d, 0, r.streams[i].data.data, r.streams[i].data.len), carried = 1;
        if (!carried && d->verbose)
            printf("# envelope %zu: %s (no PSRP data)\n", d->envelope, r.action ? r.action : "?");
    } else {
        report(d, 0, err.message);
    }
    wsman_request_clear(&q);
    wsman_response_clear(&r);
}

/* The end of the next envelope: just past "</[prefix:]Envelope>". Only the
 * boundaries are found here; each envelope is then parsed by wsman/. */
static const char *envelope_end(const char *p, const char *end)
{
    while ((p = memmem(p, (size_t)(end - p), "</", 2)) != NULL) {
        const char *q = p + 2;
        const char *name = q;
        while (q < end && (isalnum((unsigned char)*q) || *q == '_' || *q == '-' || *q == '.'))
            q++;
        if (q < end && *q == ':')
            name = ++q;
        if ((size_t)(end - name) >= 8 && memcmp(name, "Envelope", 8) == 0) {
            q = name + 8;
            while (q < end && isspace((unsigned char)*q))
                q++;
            if (q < end && *q == '>')
                return q + 1;
        }
        p += 2;
    }
    return NULL;
}

static void decode_text(decoder *d, const char *text, size_t len)
{
    const char *p = text, *end = text + len;
    for (;;) {
        const char *start = memchr(p, '<', (size_t)(end - p));
        if (!start)
            return;
        const char *stop = envelope_end(start, end);
        d->envelope++;
        if (!stop) {
            report(d, (size_t)(start - text), "an envelope that does not end (truncated input?)");
            return;
        }
        decode_envelope(d, start, (size_t)(stop - start));
        p = stop;
    }
}

static int read_all(FILE *f, psr_buf *out)
{
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        if (psr_buf_append(out, chunk, n))
            return -1;
    return ferror(f) ? -1 : 0;
}

int psr_cli_decode(int argc, char **argv)
{
    static const struct option longs[] = {
        {"format", required_argument, NULL, 'F'},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    decoder d = {.format = FMT_JSON};
    optind = 1;
    opterr = 0;
    int opt;
    while ((opt = getopt_long(argc, argv, "vh", longs, NULL)) != -1) {
        switch (opt) {
        case 'F':
            if (!strcasecmp(optarg, "json"))
                d.format = FMT_JSON;
            else if (!strcasecmp(optarg, "jsonl"))
                d.format = FMT_JSONL;
            else if (!strcasecmp(optarg, "clixml"))
                d.format = FMT_CLIXML;
            else {
                fprintf(stderr, "psremote decode: --format takes json, jsonl or clixml, not '%s'\n",
                        optarg);
                return PSR_CLI_USAGE;
            }
            break;
        case 'v': d.verbose = 1; break;
        case 'h': fputs(decode_help, stdout); return 0;
        default: psr_cli_bad_option(argc, argv, opt, "decode"); return PSR_CLI_USAGE;
        }
    }
    d.from_client = psrp_defragmenter_new(0);
    d.from_server = psrp_defragmenter_new(0);
    int status = 0;
    int n_files = argc - optind;
    for (int i = 0; i < (n_files ? n_files : 1); i++) {
        const char *path = n_files ? argv[optind + i] : "-";
        FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
        psr_buf text = {0};
        if (!f || read_all(f, &text) != 0) {
            fprintf(stderr, "psremote decode: cannot read %s: %s\n", path, strerror(errno));
            status = 1;
        } else if (text.len) {
            decode_text(&d, text.data, text.len);
        }
        if (f && f != stdin)
            fclose(f);
        psr_buf_free(&text);
    }
    psrp_defragmenter_free(d.from_client);
    psrp_defragmenter_free(d.from_server);
    fflush(stdout);
    return status || d.problems ? 1 : 0;
}
