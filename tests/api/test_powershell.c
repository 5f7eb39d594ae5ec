/* test_powershell.c: the public PowerShell API (psremote/powershell.h)
 * against psremote-harness, as an application sees it: it includes only
 * <psremote/...> headers and links libpsremote, nothing internal.
 *
 * Run by tests/integration/api_powershell.sh as
 *   test_powershell PORT USER      (password in PSREMOTE_PASSWORD)
 * against a harness on 127.0.0.1:PORT with Basic over HTTP. Prints one
 * "ok:" or "FAIL:" line per check and exits 1 when any check failed. */
#define _POSIX_C_SOURCE 200809L

#include <psremote/connection.h>
#include <psremote/error.h>
#include <psremote/powershell.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int failures, checks;

static void check(const char *name, int ok)
{
    checks++;
    if (!ok)
        failures++;
    printf("%s: %s\n", ok ? "ok" : "FAIL", name);
}

static int contains(const char *haystack, const char *needle)
{
    return haystack && strstr(haystack, needle) != NULL;
}

static const char *user, *password;
static int port;

static void connection(psr_connection_options *o)
{
    psr_connection_options_init(o);
    o->computer_name = "127.0.0.1";
    o->port = port;
    o->user = user;
    o->password = password;
    o->auth = PSR_AUTH_BASIC;
    o->allow_unencrypted = 1;
}

/* ---- what a run saw ---- */

#define MAX_SEEN 32

typedef struct seen {
    int n;
    psr_ps_event_kind kinds[MAX_SEEN];
    char *text[MAX_SEEN];    /* psr_ps_event_to_text */
    char *json[MAX_SEEN];    /* the event's object as JSON ("null" without one) */
    char *message[MAX_SEEN]; /* psr_ps_event_message, "" for NULL */
    psr_ps_state state;
    /* the first output's details */
    int64_t first_int;
    int first_is_int;
    /* the first progress record */
    psr_ps_progress progress;
    char progress_activity[64];
    int progress_type_ok; /* its Type property: an enum, Processing (0) */
    /* the state's error record */
    char state_error_type[128], state_error_id[128];
} seen;

static void seen_free(seen *s)
{
    for (int i = 0; i < s->n; i++) {
        free(s->text[i]);
        free(s->json[i]);
        free(s->message[i]);
    }
    memset(s, 0, sizeof(*s));
}

/* Index of the i-th event of that kind, or -1. */
static int nth(const seen *s, psr_ps_event_kind kind, int i)
{
    for (int k = 0; k < s->n; k++)
        if (s->kinds[k] == kind && i-- == 0)
            return k;
    return -1;
}

static const char *text_of(const seen *s, psr_ps_event_kind kind, int i)
{
    int k = nth(s, kind, i);
    return k < 0 ? NULL : s->text[k];
}

static void record(seen *s, psr_ps_event *ev)
{
    if (s->n == MAX_SEEN)
        return;
    int k = s->n++;
    psr_ps_event_kind kind = psr_ps_event_kind_of(ev);
    s->kinds[k] = kind;
    psr_ps_event_to_text(ev, &s->text[k], NULL);
    psr_ps_object_to_json(psr_ps_event_object(ev), 0, &s->json[k], NULL);
    const char *m = psr_ps_event_message(ev);
    s->message[k] = strdup(m ? m : "");
    if (kind == PSR_PS_EVENT_OUTPUT && nth(s, PSR_PS_EVENT_OUTPUT, 1) < 0)
        s->first_is_int = psr_ps_object_int64(psr_ps_event_object(ev), &s->first_int) == 0;
    if (kind == PSR_PS_EVENT_PROGRESS && nth(s, PSR_PS_EVENT_PROGRESS, 1) < 0) {
        s->progress = *psr_ps_event_progress(ev);
        snprintf(s->progress_activity, sizeof(s->progress_activity), "%s",
                 s->progress.activity);
        const psr_ps_object *type = psr_ps_object_property(psr_ps_event_object(ev), "Type");
        int64_t n = -1;
        char *text = NULL;
        s->progress_type_ok = psr_ps_object_int64(type, &n) == 0 && n == 0 &&
                              psr_ps_object_to_text(type, &text, NULL) == 0 &&
                              strcmp(text, "Processing") == 0;
        free(text);
    }
    if (kind == PSR_PS_EVENT_STATE) {
        s->state = psr_ps_event_state(ev);
        const psr_ps_error_record *r = psr_ps_event_error(ev);
        if (r) {
            snprintf(s->state_error_type, sizeof(s->state_error_type), "%s",
                     r->exception_type ? r->exception_type : "");
            snprintf(s->state_error_id, sizeof(s->state_error_id), "%s",
                     r->fully_qualified_error_id ? r->fully_qualified_error_id : "");
        }
    }
}

static int record_all(void *ctx, psr_ps_event *ev)
{
    record(ctx, ev);
    return 0;
}

/* Runs script with the given callback; 0 or the invoke's status. */
static int run(psr_ps_session *s, psr_ps_command *cmd, psr_ps_event_fn fn, void *ctx,
               psr_ps_state *state, psr_error *err)
{
    int rc = psr_ps_session_invoke(s, cmd, fn, ctx, state, err);
    if (rc)
        printf("  (invoke: %s)\n", err->message);
    return rc;
}

static int run_script(psr_ps_session *s, const char *script, seen *out)
{
    psr_ps_command *cmd = NULL;
    psr_error err;
    psr_ps_state state = 0;
    int rc = psr_ps_command_new(&cmd, script, &err);
    if (!rc)
        rc = run(s, cmd, record_all, out, &state, &err);
    psr_ps_command_free(cmd);
    if (!rc && state != out->state)
        rc = -100; /* the return and the last event disagree */
    return rc;
}

/* ---- streams ---- */

static void test_output_in_order(psr_ps_session *s)
{
    seen r = {0};
    int rc = run_script(s, "1..5; 'six'", &r);
    check("output: invoke returns 0, Completed", rc == 0 && r.state == PSR_PS_STATE_COMPLETED);
    int in_order = r.n == 7;
    for (int i = 0; in_order && i < 5; i++) {
        char want[4];
        snprintf(want, sizeof(want), "%d", i + 1);
        in_order = r.kinds[i] == PSR_PS_EVENT_OUTPUT && strcmp(r.text[i], want) == 0 &&
                   strcmp(r.json[i], want) == 0;
    }
    check("output: 1..5 then 'six' arrive one event each, in order, then the state",
          in_order && strcmp(r.text[5], "six") == 0 && strcmp(r.json[5], "\"six\"") == 0 &&
              r.kinds[6] == PSR_PS_EVENT_STATE);
    check("output: an Int32 reads as an integer", r.first_is_int && r.first_int == 1);
    check("output: the state event carries no error record when Completed",
          strcmp(r.json[6], "null") == 0 && strcmp(r.text[6], "") == 0);
    seen_free(&r);

    rc = run_script(s, "$kept = 'still here'", &r);
    seen_free(&r);
    rc |= run_script(s, "$kept", &r);
    check("variables last for the session", rc == 0 && contains(text_of(&r, PSR_PS_EVENT_OUTPUT, 0),
                                                                 "still here"));
    seen_free(&r);
}

static void test_records(psr_ps_session *s)
{
    seen r = {0};
    int rc = run_script(s,
                        "Write-Error oops; Write-Warning careful; Write-Verbose chatty; "
                        "Write-Debug details; Write-Information fyi; "
                        "Write-Progress -Activity Copying -Status 'Half way' -PercentComplete 50; "
                        "Write-Host hello; 'end'",
                        &r);
    check("records: the pipeline completes despite Write-Error",
          rc == 0 && r.state == PSR_PS_STATE_COMPLETED);
    const char *e = text_of(&r, PSR_PS_EVENT_ERROR, 0);
    check("records: an error record, in PowerShell's ErrorView",
          contains(e, "oops\n") &&
              contains(e, "    + CategoryInfo          : NotSpecified: (:) [Write-Error], "
                          "WriteErrorException\n") &&
              contains(e, "    + PSComputerName        : 127.0.0.1\n"));
    int k = nth(&r, PSR_PS_EVENT_ERROR, 0);
    check("records: the error record's message and object",
          k >= 0 && strcmp(r.message[k], "oops") == 0 && contains(r.json[k], "ErrorRecord"));
    check("records: warning", contains(text_of(&r, PSR_PS_EVENT_WARNING, 0), "WARNING: careful"));
    check("records: verbose", contains(text_of(&r, PSR_PS_EVENT_VERBOSE, 0), "VERBOSE: chatty"));
    check("records: debug", contains(text_of(&r, PSR_PS_EVENT_DEBUG, 0), "DEBUG: details"));
    k = nth(&r, PSR_PS_EVENT_INFORMATION, 0);
    check("records: information", k >= 0 && strcmp(r.message[k], "fyi") == 0 &&
                                      strcmp(r.text[k], "fyi") == 0);
    check("records: progress, as a status line and as fields",
          contains(text_of(&r, PSR_PS_EVENT_PROGRESS, 0), "Copying: Half way [50%]") &&
              strcmp(r.progress_activity, "Copying") == 0 && r.progress.percent_complete == 50 &&
              !r.progress.completed);
    check("records: an enum property reads as its number and shows as its name",
          r.progress_type_ok);
    k = nth(&r, PSR_PS_EVENT_HOST_CALL, 0);
    check("records: Write-Host reaches the callback as a host call with its text",
          k >= 0 && strcmp(r.message[k], "hello") == 0 && strcmp(r.text[k], "hello\n") == 0);
    /* The order the script wrote them in. */
    int order[] = {nth(&r, PSR_PS_EVENT_ERROR, 0),   nth(&r, PSR_PS_EVENT_WARNING, 0),
                   nth(&r, PSR_PS_EVENT_VERBOSE, 0), nth(&r, PSR_PS_EVENT_DEBUG, 0),
                   nth(&r, PSR_PS_EVENT_INFORMATION, 0), nth(&r, PSR_PS_EVENT_PROGRESS, 0),
                   nth(&r, PSR_PS_EVENT_HOST_CALL, 0), nth(&r, PSR_PS_EVENT_OUTPUT, 0)};
    int ordered = 1;
    for (size_t i = 1; i < sizeof(order) / sizeof(order[0]); i++)
        ordered &= order[i - 1] >= 0 && order[i] > order[i - 1];
    check("records: every kind arrives in the order written", ordered);
    seen_free(&r);
}

/* ---- host calls ---- */

typedef struct host_answers {
    seen seen;
    const char *string, *secure, *user, *pass, *refusal;
    int choice;
    int no_answer;          /* leave calls unanswered */
    int wrong_kind_rc;      /* what a mismatched answer returned */
    int void_answer_rc;     /* what answering a Write call returned */
    int second_answer_rc;   /* what answering twice returned */
    int out_of_range_rc;    /* what choice 99 returned */
    int answer_rc;
    char choices[64];       /* the choice labels offered, comma-separated */
    char method[64];
} host_answers;

static int answer(void *ctx, psr_ps_event *ev)
{
    host_answers *h = ctx;
    record(&h->seen, ev);
    psr_ps_host_call *call = psr_ps_event_host_call(ev);
    if (!call)
        return 0;
    psr_error err;
    const char *m = psr_ps_host_call_method(call);
    if (!psr_ps_host_call_needs_answer(call)) {
        h->void_answer_rc = psr_ps_host_call_answer_string(call, "x", &err);
        return 0;
    }
    snprintf(h->method, sizeof(h->method), "%s", m);
    if (h->no_answer)
        return 0;
    if (h->refusal) {
        h->answer_rc = psr_ps_host_call_refuse(call, h->refusal, &err);
    } else if (strcmp(m, "ReadLine") == 0) {
        h->wrong_kind_rc = psr_ps_host_call_answer_choice(call, 0, &err);
        h->answer_rc = psr_ps_host_call_answer_string(call, h->string, &err);
        h->second_answer_rc = psr_ps_host_call_answer_string(call, h->string, &err);
    } else if (strcmp(m, "ReadLineAsSecureString") == 0) {
        h->answer_rc = psr_ps_host_call_answer_secure_string(call, h->secure, &err);
    } else if (strcmp(m, "PromptForCredential1") == 0 || strcmp(m, "PromptForCredential2") == 0) {
        h->answer_rc = psr_ps_host_call_answer_credential(call, h->user, h->pass, &err);
    } else if (strcmp(m, "PromptForChoice") == 0) {
        const psr_ps_object *choices = psr_ps_host_call_param(call, 2);
        for (size_t i = 0; i < psr_ps_object_item_count(choices); i++) {
            const char *label =
                psr_ps_object_string(psr_ps_object_property(psr_ps_object_item(choices, i), "Label"));
            size_t used = strlen(h->choices);
            snprintf(h->choices + used, sizeof(h->choices) - used, "%s%s", i ? "," : "",
                     label ? label : "?");
        }
        h->out_of_range_rc = psr_ps_host_call_answer_choice(call, 99, &err);
        h->answer_rc = psr_ps_host_call_answer_choice(call, h->choice, &err);
    }
    if (h->answer_rc)
        printf("  (answer: %s)\n", err.message);
    return 0;
}

static int run_host(psr_ps_session *s, const char *script, host_answers *h)
{
    psr_ps_command *cmd = NULL;
    psr_error err;
    psr_ps_state state = 0;
    int rc = psr_ps_command_new(&cmd, script, &err);
    if (!rc)
        rc = run(s, cmd, answer, h, &state, &err);
    psr_ps_command_free(cmd);
    return rc;
}

static void test_host_calls(psr_ps_session *s)
{
    host_answers h = {.string = "Alice"};
    int rc = run_host(s, "$n = Read-Host Name; \"hello $n\"", &h);
    check("Read-Host: the prompt arrives as a Write host call",
          contains(text_of(&h.seen, PSR_PS_EVENT_HOST_CALL, 0), "Name: "));
    check("Read-Host: answered through the API, the script uses the answer",
          rc == 0 && h.answer_rc == 0 &&
              contains(text_of(&h.seen, PSR_PS_EVENT_OUTPUT, 0), "hello Alice"));
    check("Read-Host: a choice is not an answer to ReadLine (PSR_E_INVALID)",
          h.wrong_kind_rc == PSR_E_INVALID);
    check("Read-Host: a second answer is refused (PSR_E_STATE)", h.second_answer_rc == PSR_E_STATE);
    check("a Write host call takes no answer (PSR_E_STATE)", h.void_answer_rc == PSR_E_STATE);
    seen_free(&h.seen);

    h = (host_answers){.secure = "s3cret!"};
    rc = run_host(s, "$p = Read-Host -AsSecureString Secret; ConvertFrom-SecureString $p -AsPlainText",
                  &h);
    check("Read-Host -AsSecureString: a SecureString under the exchanged session key",
          rc == 0 && h.answer_rc == 0 &&
              contains(text_of(&h.seen, PSR_PS_EVENT_OUTPUT, 0), "s3cret!"));
    seen_free(&h.seen);

    h = (host_answers){.user = "bob", .pass = "hunter2"};
    rc = run_host(s, "$c = Get-Credential; \"user: $c.UserName\"; "
                     "ConvertFrom-SecureString $c.Password -AsPlainText",
                  &h);
    check("Get-Credential: a PSCredential from the API",
          rc == 0 && h.answer_rc == 0 &&
              contains(text_of(&h.seen, PSR_PS_EVENT_OUTPUT, 0), "user: bob") &&
              contains(text_of(&h.seen, PSR_PS_EVENT_OUTPUT, 1), "hunter2"));
    seen_free(&h.seen);

    h = (host_answers){.choice = 1};
    rc = run_host(s, "$c = $host.UI.PromptForChoice(\"Deploy\", \"Go on?\", (\"&Yes\", \"&No\"), 0); "
                     "\"chose $c\"",
                  &h);
    check("PromptForChoice: the choices are readable", strcmp(h.choices, "&Yes,&No") == 0);
    check("PromptForChoice: an index out of range is refused (PSR_E_INVALID)",
          h.out_of_range_rc == PSR_E_INVALID);
    check("PromptForChoice: answered with an index",
          rc == 0 && h.answer_rc == 0 &&
              contains(text_of(&h.seen, PSR_PS_EVENT_OUTPUT, 0), "chose 1"));
    seen_free(&h.seen);

    h = (host_answers){.refusal = "nobody is at the keyboard"};
    rc = run_host(s, "$n = Read-Host Name; 'after'", &h);
    int k = nth(&h.seen, PSR_PS_EVENT_ERROR, 0);
    check("refused: the script sees the reason as an error record and goes on",
          rc == 0 && h.answer_rc == 0 && k >= 0 &&
              contains(h.seen.message[k],
                       "psremote cannot answer the host call ReadLine: nobody is at the keyboard") &&
              contains(text_of(&h.seen, PSR_PS_EVENT_OUTPUT, 0), "after"));
    seen_free(&h.seen);

    h = (host_answers){.no_answer = 1};
    rc = run_host(s, "$c = $host.UI.PromptForChoice(\"Deploy\", \"Go on?\", (\"&Yes\", \"&No\"), 0); "
                     "'after'",
                  &h);
    k = nth(&h.seen, PSR_PS_EVENT_ERROR, 0);
    check("unanswered: refused for the application, the script goes on",
          rc == 0 && strcmp(h.method, "PromptForChoice") == 0 && k >= 0 &&
              contains(h.seen.message[k], "PromptForChoice: the application did not answer it") &&
              contains(text_of(&h.seen, PSR_PS_EVENT_OUTPUT, 0), "after"));
    seen_free(&h.seen);
}

/* ---- arguments and input ---- */

static void test_arguments_and_input(psr_ps_session *s)
{
    psr_ps_command *cmd = NULL;
    psr_error err;
    psr_ps_state state = 0;
    seen r = {0};
    int rc = psr_ps_command_new(&cmd, "param($a, $b) \"$a-$b\"; $b", &err);
    rc |= psr_ps_command_add_argument(cmd, "x", &err);
    rc |= psr_ps_command_add_argument_json(cmd, "42", &err);
    if (!rc)
        rc = run(s, cmd, record_all, &r, &state, &err);
    check("arguments: bound to param() in order",
          rc == 0 && contains(text_of(&r, PSR_PS_EVENT_OUTPUT, 0), "x-42"));
    int k = nth(&r, PSR_PS_EVENT_OUTPUT, 1);
    check("arguments: a JSON number arrives as a number", k >= 0 && strcmp(r.json[k], "42") == 0);
    seen_free(&r);
    psr_ps_command_free(cmd);

    cmd = NULL;
    rc = psr_ps_command_new(&cmd, "$args", &err);
    rc |= psr_ps_command_add_argument_json(cmd, "{\"Name\": \"n\", \"Size\": 3}", &err);
    if (!rc)
        rc = run(s, cmd, record_all, &r, &state, &err);
    k = nth(&r, PSR_PS_EVENT_OUTPUT, 0);
    check("arguments: a JSON object is a PSCustomObject in $args",
          rc == 0 && k >= 0 && contains(r.json[k], "PSCustomObject") &&
              contains(r.json[k], "\"Name\":\"n\""));
    seen_free(&r);
    rc = psr_ps_command_add_argument_json(cmd, "{\"unclosed\": ", &err);
    check("arguments: bad JSON is PSR_E_PARSE, naming the argument",
          rc == PSR_E_PARSE && contains(err.message, "argument 2"));
    psr_ps_command_free(cmd);

    static const char input[] = "[{\"Name\": \"a\", \"N\": 1}, {\"Name\": \"b\", \"N\": 2}]";
    cmd = NULL;
    rc = psr_ps_command_new(&cmd, "$input", &err);
    rc |= psr_ps_command_add_input_json(cmd, input, strlen(input), &err);
    rc |= psr_ps_command_add_input_json(cmd, "\"c\"\n\"d\"\n", 8, &err);
    if (!rc)
        rc = run(s, cmd, record_all, &r, &state, &err);
    check("input: one JSON array, then JSON lines: four objects in order",
          rc == 0 && nth(&r, PSR_PS_EVENT_OUTPUT, 3) >= 0 && nth(&r, PSR_PS_EVENT_OUTPUT, 4) < 0 &&
              contains(r.json[nth(&r, PSR_PS_EVENT_OUTPUT, 0)], "\"Name\":\"a\"") &&
              contains(r.json[nth(&r, PSR_PS_EVENT_OUTPUT, 1)], "\"Name\":\"b\"") &&
              strcmp(text_of(&r, PSR_PS_EVENT_OUTPUT, 3), "d") == 0);
    seen_free(&r);
    rc = psr_ps_command_add_input_json(cmd, "[1, 2", 5, &err);
    check("input: bad JSON is PSR_E_PARSE, with the byte", rc == PSR_E_PARSE &&
                                                              contains(err.message, "byte"));
    if (psr_ps_session_invoke(s, cmd, record_all, &r, &state, &err) == 0)
        check("input: a failed add leaves the command as it was",
              nth(&r, PSR_PS_EVENT_OUTPUT, 3) >= 0 && nth(&r, PSR_PS_EVENT_OUTPUT, 4) < 0);
    else
        check("input: the command still runs after a failed add", 0);
    seen_free(&r);
    psr_ps_command_free(cmd);
}

/* ---- objects ---- */

typedef struct object_checks {
    int n;
    int bool_ok, string_ok, null_ok, custom_ok, nested_ok, not_int_ok;
} object_checks;

/* Reads each output object of the script in test_objects. */
static int read_objects(void *ctx, psr_ps_event *ev)
{
    object_checks *oc = ctx;
    if (psr_ps_event_kind_of(ev) != PSR_PS_EVENT_OUTPUT)
        return 0;
    const psr_ps_object *o = psr_ps_event_object(ev);
    int b = -1;
    int64_t n = 0;
    char *text = NULL;
    switch (oc->n++) {
    case 0:
        oc->bool_ok = psr_ps_object_bool(o, &b) == 0 && b == 1 &&
                      psr_ps_object_to_text(o, &text, NULL) == 0 && strcmp(text, "True") == 0;
        break;
    case 1:
        oc->string_ok = contains(psr_ps_object_string(o), "plain") &&
                        psr_ps_object_type_name(o, 0) == NULL;
        oc->not_int_ok = psr_ps_object_int64(o, &n) == PSR_E_INVALID &&
                         psr_ps_object_bool(o, &b) == PSR_E_INVALID;
        break;
    case 2:
        oc->null_ok = psr_ps_object_is_null(o) && psr_ps_object_to_text(o, &text, NULL) == 0 &&
                      *text == '\0';
        break;
    case 3: {
        const psr_ps_object *size = psr_ps_object_property(o, "size"); /* any case */
        oc->custom_ok = psr_ps_object_is_type(o, "System.Management.Automation.PSCustomObject") &&
                        psr_ps_object_type_name(o, 0) != NULL &&
                        psr_ps_object_int64(size, &n) == 0 && n == 3 &&
                        psr_ps_object_property(o, "missing") == NULL;
        const psr_ps_object *tags = psr_ps_object_property(o, "Tags");
        oc->nested_ok = psr_ps_object_item_count(tags) == 2 &&
                        contains(psr_ps_object_string(psr_ps_object_item(tags, 1)), "y") &&
                        psr_ps_object_item(tags, 2) == NULL &&
                        psr_ps_object_to_text(tags, &text, NULL) == 0 && strcmp(text, "{x, y}") == 0;
        break;
    }
    }
    free(text);
    return 0;
}

static void test_objects(psr_ps_session *s)
{
    static const char input[] = "[true, \"plain\", null, {\"Size\": 3, \"Tags\": [\"x\", \"y\"]}]";
    psr_ps_command *cmd = NULL;
    psr_error err;
    object_checks oc = {0};
    int rc = psr_ps_command_new(&cmd, "$input", &err);
    rc |= psr_ps_command_add_input_json(cmd, input, strlen(input), &err);
    if (!rc)
        rc = psr_ps_session_invoke(s, cmd, read_objects, &oc, NULL, &err);
    psr_ps_command_free(cmd);
    check("objects: four arrive", rc == 0 && oc.n == 4);
    check("objects: a Boolean", oc.bool_ok);
    check("objects: a string, with no type names", oc.string_ok);
    check("objects: a string is neither an integer nor a Boolean", oc.not_int_ok);
    check("objects: $null, shown as nothing", oc.null_ok);
    check("objects: a PSCustomObject: its type, a property by any case, a missing one",
          oc.custom_ok);
    check("objects: a list property: its items, shown as {x, y}", oc.nested_ok);
}

/* ---- failures and stopping ---- */

static void test_throw(psr_ps_session *s)
{
    seen r = {0};
    int rc = run_script(s, "'before'; throw 'boom'; 'after'", &r);
    int k = nth(&r, PSR_PS_EVENT_STATE, 0);
    check("throw: invoke returns 0, the state is Failed", rc == 0 && r.state == PSR_PS_STATE_FAILED);
    check("throw: the state event carries the error record",
          k >= 0 && strcmp(r.message[k], "boom") == 0 && contains(r.text[k], "boom\n") &&
              contains(r.state_error_type, "RuntimeException"));
    check("throw: the rest of the script did not run",
          nth(&r, PSR_PS_EVENT_OUTPUT, 1) < 0 &&
              contains(text_of(&r, PSR_PS_EVENT_OUTPUT, 0), "before"));
    seen_free(&r);
}

typedef struct stopper {
    psr_ps_session *session;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int go, quit;
    int stop_rc;
} stopper;

/* Stops the session from this thread once the callback saw the first output. */
static void *stop_thread(void *arg)
{
    stopper *st = arg;
    pthread_mutex_lock(&st->lock);
    while (!st->go && !st->quit)
        pthread_cond_wait(&st->cond, &st->lock);
    int go = st->go;
    pthread_mutex_unlock(&st->lock);
    if (go) {
        psr_error err;
        st->stop_rc = psr_ps_session_stop(st->session, &err);
    }
    return NULL;
}

typedef struct stop_run {
    seen seen;
    stopper *st;
} stop_run;

static int signal_on_output(void *ctx, psr_ps_event *ev)
{
    stop_run *sr = ctx;
    record(&sr->seen, ev);
    if (psr_ps_event_kind_of(ev) == PSR_PS_EVENT_OUTPUT) {
        pthread_mutex_lock(&sr->st->lock);
        sr->st->go = 1;
        pthread_cond_signal(&sr->st->cond);
        pthread_mutex_unlock(&sr->st->lock);
    }
    return 0;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Runs script, stopping it from a second thread after its first output. */
static int run_stopped(psr_ps_session *s, const char *script, stop_run *sr, psr_ps_state *state,
                       double *took, psr_error *err)
{
    stopper st = {.session = s, .lock = PTHREAD_MUTEX_INITIALIZER,
                  .cond = PTHREAD_COND_INITIALIZER, .stop_rc = -1};
    sr->st = &st;
    pthread_t thread;
    if (pthread_create(&thread, NULL, stop_thread, &st) != 0)
        return -1;
    psr_ps_command *cmd = NULL;
    double start = now_s();
    int rc = psr_ps_command_new(&cmd, script, err);
    if (!rc)
        rc = psr_ps_session_invoke(s, cmd, signal_on_output, sr, state, err);
    *took = now_s() - start;
    pthread_mutex_lock(&st.lock);
    st.quit = 1;
    pthread_cond_signal(&st.cond);
    pthread_mutex_unlock(&st.lock);
    pthread_join(thread, NULL);
    psr_ps_command_free(cmd);
    if (st.stop_rc != 0)
        printf("  (the stop thread did not stop the pipeline: %d)\n", st.stop_rc);
    return rc;
}

static void test_stop(psr_ps_session *s)
{
    stop_run sr = {.st = NULL};
    psr_ps_state state = 0;
    psr_error err;
    double took;
    int rc = run_stopped(s, "'before'; Start-Sleep 30; 'after'", &sr, &state, &took, &err);
    check("stop: from another thread, the pipeline ends Stopped well before 30 s",
          rc == 0 && state == PSR_PS_STATE_STOPPED && took < 20);
    check("stop: the output so far arrived as it came (before the script ended)",
          contains(text_of(&sr.seen, PSR_PS_EVENT_OUTPUT, 0), "before") &&
              nth(&sr.seen, PSR_PS_EVENT_OUTPUT, 1) < 0);
    check("stop: as PowerShell reports it", contains(sr.seen.state_error_type, "PipelineStopped") ||
                                                contains(sr.seen.state_error_id, "PipelineStopped"));
    seen_free(&sr.seen);
    check("stop: with nothing running it is a no-op", psr_ps_session_stop(s, &err) == 0);
}

static void test_cancel_timeout(void)
{
    psr_connection_options o;
    connection(&o);
    o.cancel_timeout_ms = 1000;
    psr_ps_session *s = NULL;
    psr_error err;
    if (psr_ps_session_open(&s, &o, NULL, &err) != 0) {
        printf("  (open: %s)\n", err.message);
        check("CancelTimeout: a session opens", 0);
        return;
    }
    stop_run sr = {.st = NULL};
    psr_ps_state state = 0;
    double took;
    int rc = run_stopped(s, "Harness-IgnoreStop; 'before'; Start-Sleep 30; 'after'", &sr, &state,
                         &took, &err);
    check("CancelTimeout: a stop the pipeline ignores ends in PSR_E_CANCELLED after it",
          rc == PSR_E_CANCELLED && contains(err.message, "CancelTimeout") && took >= 1 && took < 15);
    seen_free(&sr.seen);
    check("CancelTimeout: the session closes", psr_ps_session_close(s, &err) == 0);
}

static int give_up(void *ctx, psr_ps_event *ev)
{
    return psr_ps_event_kind_of(ev) == PSR_PS_EVENT_OUTPUT;
}

typedef struct reentry {
    psr_ps_session *session;
    int rc;
} reentry;

/* Tries to run another command from inside the callback. */
static int reenter(void *ctx, psr_ps_event *ev)
{
    reentry *re = ctx;
    psr_ps_command *cmd = NULL;
    psr_error err;
    if (psr_ps_event_kind_of(ev) == PSR_PS_EVENT_OUTPUT &&
        psr_ps_command_new(&cmd, "'inner'", &err) == 0)
        re->rc = psr_ps_session_invoke(re->session, cmd, NULL, NULL, NULL, &err);
    psr_ps_command_free(cmd);
    return 0;
}

static void test_callback_rules(psr_ps_session *s)
{
    psr_ps_command *cmd = NULL;
    psr_error err;
    int rc = psr_ps_command_new(&cmd, "'one'; Start-Sleep 30; 'two'", &err);
    double start = now_s();
    if (!rc)
        rc = psr_ps_session_invoke(s, cmd, give_up, NULL, NULL, &err);
    check("a callback that returns non-zero abandons the pipeline (PSR_E_CANCELLED), at once",
          rc == PSR_E_CANCELLED && now_s() - start < 20);
    psr_ps_command_free(cmd);
    seen r = {0};
    rc = run_script(s, "'again'", &r);
    check("the session runs commands after an abandoned one",
          rc == 0 && contains(text_of(&r, PSR_PS_EVENT_OUTPUT, 0), "again"));
    seen_free(&r);

    reentry re = {.session = s};
    cmd = NULL;
    rc = psr_ps_command_new(&cmd, "'outer'", &err);
    if (!rc)
        rc = psr_ps_session_invoke(s, cmd, reenter, &re, NULL, &err);
    check("invoke from its own callback is PSR_E_STATE; the outer one goes on",
          rc == 0 && re.rc == PSR_E_STATE);
    psr_ps_command_free(cmd);
}

/* ---- errors ---- */

static void test_wrong_password(void)
{
    psr_connection_options o;
    connection(&o);
    o.password = "not the password";
    psr_ps_session *s = (psr_ps_session *)&o; /* must be reset to NULL */
    psr_error err;
    int rc = psr_ps_session_open(&s, &o, NULL, &err);
    check("wrong password: PSR_E_AUTH, no session", rc == PSR_E_AUTH && s == NULL);
    printf("  (the message: %s)\n", err.message);
    check("wrong password: the message says so and names the computer",
          contains(err.message, "127.0.0.1") && strlen(err.message) > 20);
}

int main(int argc, char **argv)
{
    if (argc != 3 || !getenv("PSREMOTE_PASSWORD")) {
        fprintf(stderr, "usage: PSREMOTE_PASSWORD=... %s PORT USER\n", argv[0]);
        return 2;
    }
    port = atoi(argv[1]);
    user = argv[2];
    password = getenv("PSREMOTE_PASSWORD");

    psr_connection_options o;
    connection(&o);
    psr_ps_session *s = NULL;
    psr_error err;
    if (psr_ps_session_open(&s, &o, "Microsoft.PowerShell", &err) != 0) {
        printf("FAIL: open: %s\n", err.message);
        return 1;
    }
    check("the session names its computer", strcmp(psr_ps_session_computer_name(s), "127.0.0.1") == 0);
    test_output_in_order(s);
    test_records(s);
    test_host_calls(s);
    test_arguments_and_input(s);
    test_objects(s);
    test_throw(s);
    test_stop(s);
    test_callback_rules(s);
    check("the session closes", psr_ps_session_close(s, &err) == 0);
    test_cancel_timeout();
    test_wrong_password();
    psr_ps_session_free(NULL);
    psr_ps_command_free(NULL);
    printf("%d checks, %d failed\n", checks, failures);
    return failures ? 1 : 0;
}
