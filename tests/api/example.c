/* example.c: the complete example of libpsremote(3), built and run by
 * `make check` (tests/integration/api_powershell.sh) so the man page's
 * program is known to work. Keep the two the same.
 *
 *   PSREMOTE_PASSWORD=... example URL USER SCRIPT [ANSWER]
 *
 * runs SCRIPT on the endpoint URL (e.g. http://server1:5985/wsman) as USER,
 * prints output objects as JSON lines on stdout and every other stream as
 * PowerShell shows it on stderr, and answers Read-Host with ANSWER.
 * PSREMOTE_AUTH names the authentication (default Negotiate);
 * PSREMOTE_ALLOW_UNENCRYPTED=1 permits Basic over plain HTTP. */
#include <psremote/powershell.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int on_event(void *ctx, psr_ps_event *ev)
{
    const char *answer = ctx;
    psr_ps_host_call *call = psr_ps_event_host_call(ev);
    psr_error err;
    char *text = NULL;

    if (call && answer && strcmp(psr_ps_host_call_method(call), "ReadLine") == 0) {
        if (psr_ps_host_call_answer_string(call, answer, &err) != 0)
            fprintf(stderr, "example: %s\n", err.message);
        return 0; /* other calls that need an answer are refused for us */
    }
    if (psr_ps_event_kind_of(ev) == PSR_PS_EVENT_OUTPUT) {
        if (psr_ps_object_to_json(psr_ps_event_object(ev), 0, &text, &err) == 0)
            printf("%s\n", text);
    } else if (psr_ps_event_to_text(ev, &text, &err) == 0 && *text) {
        size_t n = strlen(text);
        fprintf(stderr, "%s%s", text, text[n - 1] == '\n' ? "" : "\n");
    }
    free(text);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 4 || argc > 5 || !getenv("PSREMOTE_PASSWORD")) {
        fprintf(stderr, "usage: PSREMOTE_PASSWORD=... %s URL USER SCRIPT [ANSWER]\n", argv[0]);
        return 2;
    }
    psr_connection_options conn;
    psr_connection_options_init(&conn);
    conn.connection_uri = argv[1];
    conn.user = argv[2];
    conn.password = getenv("PSREMOTE_PASSWORD");
    conn.allow_unencrypted = getenv("PSREMOTE_ALLOW_UNENCRYPTED") != NULL;
    psr_error err;
    const char *auth = getenv("PSREMOTE_AUTH");
    if (auth && psr_auth_method_parse(auth, &conn.auth, &err) != 0) {
        fprintf(stderr, "example: %s\n", err.message);
        return 2;
    }

    psr_ps_session *session = NULL;
    psr_ps_command *cmd = NULL;
    psr_ps_state state = PSR_PS_STATE_FAILED;
    int rc = psr_ps_session_open(&session, &conn, NULL, &err);
    if (rc == 0)
        rc = psr_ps_command_new(&cmd, argv[3], &err);
    if (rc == 0)
        rc = psr_ps_session_invoke(session, cmd, on_event, argc == 5 ? argv[4] : NULL, &state,
                                   &err);
    if (rc != 0)
        fprintf(stderr, "example: %s (%s)\n", err.message, psr_status_name(err.code));
    psr_ps_command_free(cmd);
    if (psr_ps_session_close(session, &err) != 0)
        fprintf(stderr, "example: closing the session: %s\n", err.message);
    if (rc != 0)
        return 3;
    return state == PSR_PS_STATE_COMPLETED ? 0 : 1;
}
