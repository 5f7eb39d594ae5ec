/* header_alone.c: psremote/powershell.h is usable by itself. This file
 * includes nothing else, is compiled as C99 with -pedantic-errors and
 * without the source tree on the include path, and checks the few calls
 * that need no server: what every *_free(NULL) and the names promise. */
#include <psremote/powershell.h>

int main(void)
{
    psr_ps_session_free(NULL);
    psr_ps_command_free(NULL);
    if (psr_ps_session_close(NULL, NULL) != 0)
        return 1;
    const char *completed = psr_ps_state_name(PSR_PS_STATE_COMPLETED);
    const char *stopped = psr_ps_state_name(PSR_PS_STATE_STOPPED);
    if (completed[0] != 'C' || stopped[0] != 'S' || psr_ps_object_is_null(NULL) != 1)
        return 1;
    psr_ps_command *cmd = (psr_ps_command *)0;
    psr_error err;
    /* A command needs a script; the error says so. */
    if (psr_ps_command_new(&cmd, (const char *)0, &err) != PSR_E_INVALID || err.message[0] == '\0')
        return 1;
    return 0;
}
