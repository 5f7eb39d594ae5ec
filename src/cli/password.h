/* password.h: where psremote gets a password from, never argv:
 * PSREMOTE_PASSWORD, --password-file, or a no-echo prompt on the terminal
 * (for a proxy: PSREMOTE_PROXY_PASSWORD or the prompt). */
#ifndef PSR_CLI_PASSWORD_H
#define PSR_CLI_PASSWORD_H

#include "psremote/error.h"

/* Returns a heap copy the caller wipes and frees with psr_password_free.
 * file may be NULL. prompt_for names the account in the prompt. */
int psr_password_obtain(const char *file, const char *prompt_for, char **out, psr_error *err);
/* The ProxyCredential password: PSREMOTE_PROXY_PASSWORD or a prompt. */
int psr_password_obtain_proxy(const char *prompt_for, char **out, psr_error *err);
void psr_password_free(char *password);

#endif
