/* password.c: obtaining a password without it ever being in argv (see
 * password.h). The terminal prompt reads /dev/tty with echo off, so it works
 * when stdin is a pipe carrying the remote command's input. */
#include "src/cli/password.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

void psr_password_free(char *password)
{
    if (!password)
        return;
    OPENSSL_cleanse(password, strlen(password));
    free(password);
}

static void chomp(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
        s[--n] = '\0';
}

static int read_password_file(const char *file, char **out, psr_error *err)
{
    FILE *f = fopen(file, "r");
    if (!f)
        return psr_error_set(err, PSR_E_IO, "cannot read password file %s: %s", file,
                             strerror(errno));
    char line[1024];
    int ok = fgets(line, sizeof(line), f) != NULL;
    fclose(f);
    if (!ok) {
        OPENSSL_cleanse(line, sizeof(line));
        return psr_error_set(err, PSR_E_IO, "password file %s is empty", file);
    }
    chomp(line);
    *out = strdup(line);
    OPENSSL_cleanse(line, sizeof(line));
    return *out ? 0 : psr_error_set(err, PSR_E_NOMEM, "out of memory");
}

static int prompt_on_tty(const char *env_name, const char *prompt_for, char **out,
                         psr_error *err)
{
    int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        return psr_error_set(err, PSR_E_INVALID,
                             "a password is needed for %s and there is no terminal to ask on; "
                             "set %s%s",
                             prompt_for, env_name,
                             strcmp(env_name, "PSREMOTE_PASSWORD") == 0
                                 ? " or pass --password-file FILE"
                                 : "");
    struct termios old, quiet;
    int have_termios = tcgetattr(fd, &old) == 0;
    if (have_termios) {
        quiet = old;
        quiet.c_lflag &= (tcflag_t) ~(ECHO | ECHONL);
        quiet.c_lflag |= ICANON;
        tcsetattr(fd, TCSAFLUSH, &quiet);
    }
    char prompt[512];
    int plen = snprintf(prompt, sizeof(prompt), "Password for %s: ", prompt_for);
    if (plen > 0 && write(fd, prompt, (size_t)plen) < 0)
        plen = -1;
    char line[1024];
    size_t n = 0;
    int rc = 0;
    for (;;) {
        char c;
        ssize_t r = read(fd, &c, 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0 || c == '\n' || c == '\r')
            break;
        if (n + 1 < sizeof(line))
            line[n++] = c;
    }
    line[n] = '\0';
    if (have_termios)
        tcsetattr(fd, TCSAFLUSH, &old);
    if (write(fd, "\n", 1) < 0)
        plen = -1;
    close(fd);
    *out = strdup(line);
    OPENSSL_cleanse(line, sizeof(line));
    if (!*out)
        rc = psr_error_set(err, PSR_E_NOMEM, "out of memory");
    return rc;
}

static int obtain(const char *env_name, const char *file, const char *prompt_for, char **out,
                  psr_error *err)
{
    *out = NULL;
    if (file)
        return read_password_file(file, out, err);
    const char *env = getenv(env_name);
    if (env) {
        *out = strdup(env);
        return *out ? 0 : psr_error_set(err, PSR_E_NOMEM, "out of memory");
    }
    return prompt_on_tty(env_name, prompt_for, out, err);
}

int psr_password_obtain(const char *file, const char *prompt_for, char **out, psr_error *err)
{
    return obtain("PSREMOTE_PASSWORD", file, prompt_for, out, err);
}

int psr_password_obtain_proxy(const char *prompt_for, char **out, psr_error *err)
{
    return obtain("PSREMOTE_PROXY_PASSWORD", NULL, prompt_for, out, err);
}
