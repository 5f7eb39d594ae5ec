/* winrs.c: the table of WinRS shells and their commands (see harness.h).
 *
 * One mutex guards the table. Long operations (a Receive waiting for
 * output, a Send writing to a slow reader, reaping a killed child) run
 * outside it: the command is pinned with a reference count first, and a
 * command that Terminate or Delete removed from the table is destroyed by
 * whoever drops the last reference. Each command has a receive lock and a
 * send lock so one Receive and one Send can run at the same time (PSRP
 * clients do that), while two Receives on one command queue up. */
#include "src/harness/harness.h"
#include "src/harness/process.h"

#include "common/uuid.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

extern char **environ;

typedef struct command {
    struct command *next;
    char id[PSR_UUID_STRLEN];
    harness_process proc;
    pthread_mutex_t recv_lock, send_lock;
    int refs;      /* threads using it outside the table lock */
    int forgotten; /* no longer in its shell's list */
} command;

typedef struct shell {
    struct shell *next;
    char id[PSR_UUID_STRLEN];
    char *cwd;
    char **envp; /* NAME=value strings, NULL-terminated */
    command *commands;
} shell;

struct harness_winrs {
    pthread_mutex_t lock;
    shell *shells;
    int closing;
};

harness_winrs *harness_winrs_new(void)
{
    harness_winrs *w = calloc(1, sizeof(*w));
    if (w)
        pthread_mutex_init(&w->lock, NULL);
    return w;
}

static void command_destroy(command *c)
{
    harness_process_destroy(&c->proc);
    pthread_mutex_destroy(&c->recv_lock);
    pthread_mutex_destroy(&c->send_lock);
    free(c);
}

static void free_envp(char **envp)
{
    if (!envp)
        return;
    for (char **e = envp; *e; e++)
        free(*e);
    free(envp);
}

/* Removes c from the table (lock held). Returns c if the caller must destroy
 * it now (nobody else holds it), else NULL (the last user will). */
static command *command_forget(command *c)
{
    c->forgotten = 1;
    harness_process_signal(&c->proc, SIGKILL);
    return c->refs == 0 ? c : NULL;
}

static shell *find_shell(harness_winrs *w, const char *id)
{
    if (!id)
        return NULL;
    for (shell *s = w->shells; s; s = s->next)
        if (strcasecmp(s->id, id) == 0)
            return s;
    return NULL;
}

/* Finds and pins a command. Returns HARNESS_OK with *out set. */
static harness_result command_get(harness_winrs *w, const char *shell_id, const char *command_id,
                                  command **out)
{
    harness_result r = HARNESS_NO_SHELL;
    pthread_mutex_lock(&w->lock);
    shell *s = find_shell(w, shell_id);
    if (s) {
        r = HARNESS_NO_COMMAND;
        for (command *c = s->commands; c && command_id; c = c->next)
            if (strcasecmp(c->id, command_id) == 0) {
                c->refs++;
                *out = c;
                r = HARNESS_OK;
                break;
            }
    }
    pthread_mutex_unlock(&w->lock);
    return r;
}

static void command_put(harness_winrs *w, command *c)
{
    pthread_mutex_lock(&w->lock);
    int last = --c->refs == 0 && c->forgotten;
    pthread_mutex_unlock(&w->lock);
    if (last)
        command_destroy(c);
}

static void free_shell(shell *s)
{
    free(s->cwd);
    free_envp(s->envp);
    free(s);
}

void harness_winrs_kill_all(harness_winrs *w)
{
    pthread_mutex_lock(&w->lock);
    w->closing = 1;
    for (shell *s = w->shells; s; s = s->next)
        for (command *c = s->commands; c; c = c->next)
            harness_process_signal(&c->proc, SIGKILL);
    pthread_mutex_unlock(&w->lock);
}

void harness_winrs_free(harness_winrs *w)
{
    if (!w)
        return;
    harness_winrs_kill_all(w);
    /* By now the HTTP daemons are stopped: no thread holds a command. */
    for (shell *s = w->shells, *sn; s; s = sn) {
        sn = s->next;
        for (command *c = s->commands, *cn; c; c = cn) {
            cn = c->next;
            command_destroy(c);
        }
        free_shell(s);
    }
    pthread_mutex_destroy(&w->lock);
    free(w);
}

/* environ, with the shell's variables replacing or adding entries. */
static char **build_envp(const harness_env *env, size_t n_env)
{
    size_t n_base = 0;
    while (environ && environ[n_base])
        n_base++;
    char **envp = calloc(n_base + n_env + 1, sizeof(*envp));
    if (!envp)
        return NULL;
    size_t n = 0;
    for (size_t i = 0; i < n_base; i++) {
        const char *eq = strchr(environ[i], '=');
        size_t name_len = eq ? (size_t)(eq - environ[i]) : strlen(environ[i]);
        int replaced = 0;
        for (size_t j = 0; j < n_env && !replaced; j++)
            replaced = strlen(env[j].name) == name_len &&
                       strncmp(env[j].name, environ[i], name_len) == 0;
        if (!replaced && !(envp[n++] = strdup(environ[i])))
            goto fail;
    }
    for (size_t j = 0; j < n_env; j++) {
        size_t len = strlen(env[j].name) + strlen(env[j].value) + 2;
        if (!(envp[n] = malloc(len)))
            goto fail;
        snprintf(envp[n++], len, "%s=%s", env[j].name, env[j].value);
    }
    return envp;
fail:
    free_envp(envp);
    return NULL;
}

harness_result harness_winrs_create(harness_winrs *w, const harness_shell_spec *spec,
                                    char *shell_id, size_t shell_id_size)
{
    struct stat st;
    if (spec->working_directory &&
        (stat(spec->working_directory, &st) < 0 || !S_ISDIR(st.st_mode)))
        return HARNESS_BAD_DIRECTORY;
    for (size_t i = 0; i < spec->n_env; i++)
        if (!spec->env[i].name[0] || strchr(spec->env[i].name, '='))
            return HARNESS_BAD_REQUEST;
    shell *s = calloc(1, sizeof(*s));
    psr_uuid u;
    if (!s || psr_uuid_generate(&u) < 0) {
        free(s);
        return HARNESS_NOMEM;
    }
    psr_uuid_format(&u, 1, s->id);
    s->envp = build_envp(spec->env, spec->n_env);
    s->cwd = spec->working_directory ? strdup(spec->working_directory) : NULL;
    if (!s->envp || (spec->working_directory && !s->cwd)) {
        free_shell(s);
        return HARNESS_NOMEM;
    }
    snprintf(shell_id, shell_id_size, "%s", s->id);
    pthread_mutex_lock(&w->lock);
    if (w->closing) {
        pthread_mutex_unlock(&w->lock);
        free_shell(s);
        return HARNESS_SHUTTING_DOWN;
    }
    s->next = w->shells;
    w->shells = s;
    pthread_mutex_unlock(&w->lock);
    return HARNESS_OK;
}

harness_result harness_winrs_command(harness_winrs *w, const char *shell_id,
                                     const char *command_line, const char *command_id,
                                     char *command_id_out, size_t command_id_size,
                                     psr_error *err)
{
    command *c = calloc(1, sizeof(*c));
    if (!c)
        return HARNESS_NOMEM;
    psr_uuid u;
    if (command_id && psr_uuid_parse(&u, command_id) == 0) {
        psr_uuid_format(&u, 1, c->id); /* the client's id, upper case */
    } else if (psr_uuid_generate(&u) == 0) {
        psr_uuid_format(&u, 1, c->id);
    } else {
        free(c);
        return HARNESS_NOMEM;
    }
    pthread_mutex_init(&c->recv_lock, NULL);
    pthread_mutex_init(&c->send_lock, NULL);

    /* Copy what the spawn needs so the table lock is not held across it. */
    pthread_mutex_lock(&w->lock);
    shell *s = find_shell(w, shell_id);
    char *cwd = NULL;
    char **envp = NULL;
    size_t n_env = 0;
    int nomem = 0;
    if (s) {
        cwd = s->cwd ? strdup(s->cwd) : NULL;
        while (s->envp[n_env])
            n_env++;
        envp = calloc(n_env + 1, sizeof(*envp));
        for (size_t i = 0; envp && i < n_env; i++)
            nomem |= !(envp[i] = strdup(s->envp[i]));
        nomem |= !envp || (s->cwd && !cwd);
    }
    pthread_mutex_unlock(&w->lock);
    harness_result r = HARNESS_OK;
    if (!s)
        r = HARNESS_NO_SHELL;
    else if (nomem)
        r = HARNESS_NOMEM;
    else if (harness_process_spawn(&c->proc, command_line, cwd, envp, err) < 0)
        r = HARNESS_SPAWN_FAILED;
    free(cwd);
    free_envp(envp);
    if (r != HARNESS_OK) {
        pthread_mutex_destroy(&c->recv_lock);
        pthread_mutex_destroy(&c->send_lock);
        free(c);
        return r;
    }

    pthread_mutex_lock(&w->lock);
    s = find_shell(w, shell_id); /* it may have been deleted meanwhile */
    if (s && !w->closing) {
        c->next = s->commands;
        s->commands = c;
        snprintf(command_id_out, command_id_size, "%s", c->id);
    }
    pthread_mutex_unlock(&w->lock);
    if (!s || w->closing) {
        command_destroy(c);
        return s ? HARNESS_SHUTTING_DOWN : HARNESS_NO_SHELL;
    }
    return HARNESS_OK;
}

harness_result harness_winrs_send(harness_winrs *w, const char *shell_id, const char *command_id,
                                  const void *data, size_t len, int end)
{
    command *c;
    harness_result r = command_get(w, shell_id, command_id, &c);
    if (r != HARNESS_OK)
        return r;
    pthread_mutex_lock(&c->send_lock);
    harness_process_write(&c->proc, data, len);
    if (end)
        harness_process_close_stdin(&c->proc);
    pthread_mutex_unlock(&c->send_lock);
    command_put(w, c);
    return HARNESS_OK;
}

harness_result harness_winrs_receive(harness_winrs *w, const char *shell_id,
                                     const char *command_id, size_t budget,
                                     uint32_t timeout_ms, harness_output *res)
{
    command *c;
    harness_result r = command_get(w, shell_id, command_id, &c);
    if (r != HARNESS_OK)
        return r;
    pthread_mutex_lock(&c->recv_lock);
    r = harness_process_read(&c->proc, budget, timeout_ms, res);
    pthread_mutex_unlock(&c->recv_lock);
    command_put(w, c);
    return r;
}

harness_result harness_winrs_signal(harness_winrs *w, const char *shell_id,
                                    const char *command_id, int terminate)
{
    harness_result r = HARNESS_NO_SHELL;
    command *destroy = NULL;
    pthread_mutex_lock(&w->lock);
    shell *s = find_shell(w, shell_id);
    if (s) {
        r = HARNESS_NO_COMMAND;
        for (command **pc = &s->commands; *pc && command_id; pc = &(*pc)->next) {
            command *c = *pc;
            if (strcasecmp(c->id, command_id) != 0)
                continue;
            r = HARNESS_OK;
            if (terminate) {
                *pc = c->next;
                destroy = command_forget(c);
            } else {
                harness_process_signal(&c->proc, SIGINT);
            }
            break;
        }
    }
    pthread_mutex_unlock(&w->lock);
    if (destroy)
        command_destroy(destroy);
    return r;
}

harness_result harness_winrs_delete(harness_winrs *w, const char *shell_id)
{
    pthread_mutex_lock(&w->lock);
    shell **ps = &w->shells;
    while (*ps && strcasecmp((*ps)->id, shell_id ? shell_id : "") != 0)
        ps = &(*ps)->next;
    shell *s = *ps;
    command *destroy = NULL;
    if (s) {
        *ps = s->next;
        for (command *c = s->commands, *cn; c; c = cn) {
            cn = c->next;
            if (command_forget(c)) { /* chain the ones to destroy now */
                c->next = destroy;
                destroy = c;
            }
        }
    }
    pthread_mutex_unlock(&w->lock);
    if (!s)
        return HARNESS_NO_SHELL;
    for (command *c = destroy, *cn; c; c = cn) {
        cn = c->next;
        command_destroy(c);
    }
    free_shell(s);
    return HARNESS_OK;
}
