/* ps_commands.c: the commands of the harness's simulated PowerShell that
 * read the machine and the session (see ps_script.h): Get-ChildItem,
 * Get-Content (the harness machine's real files), Get-Date, Get-Culture,
 * Start-Sleep and Write-Progress. Their arguments arrive bound to
 * parameters (ps_script.c). */
#include "src/harness/ps_script_internal.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* The time as .NET writes a DateTime: 2026-11-24T05:10:00.1234567+00:00. */
static psrp_value *datetime_value(time_t t, long nsec)
{
    struct tm tm;
    gmtime_r(&t, &tm);
    char text[64];
    snprintf(text, sizeof(text), "%04d-%02d-%02dT%02d:%02d:%02d.%07ld+00:00", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, nsec / 100);
    return psrp_value_new_text(PSRP_V_DATETIME, text, strlen(text));
}

static int get_date(ps_run *r, ps_bound *b)
{
    (void)b;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return ps_emit_value(r, datetime_value(ts.tv_sec, ts.tv_nsec));
}

static int get_culture(ps_run *r, ps_bound *b)
{
    (void)b;
    static const char *const types[] = {"System.Globalization.CultureInfo", "System.Object", NULL};
    ps_session_state *st = r->scope->st;
    const char *name = st->culture[0] ? st->culture : "en-US";
    psrp_value *o = psrp_value_new_object(types);
    if (!o || psrp_object_add(o, "Name", psrp_value_new_string(name)) ||
        psrp_object_set_to_string(o, name)) {
        psrp_value_free(o);
        return PS_ST_FAIL;
    }
    return ps_emit_value(r, o);
}

/* PowerShell's error for a path that is not there (the pipeline goes on). */
static int path_not_found(ps_run *r, const char *path, const char *activity)
{
    char msg[PATH_MAX + 64];
    snprintf(msg, sizeof(msg), "Cannot find path '%s' because it does not exist.", path);
    psrp_error_record_spec spec = {
        .message = msg,
        .exception_type = "System.Management.Automation.ItemNotFoundException",
        .fully_qualified_error_id = "PathNotFound",
        .category = 13, /* ObjectNotFound */
        .category_activity = activity,
        .category_reason = "ItemNotFoundException",
        .category_target_name = path,
        .category_target_type = "String",
    };
    int rc = ps_raise(r, &spec);
    return rc == PS_ST_ERROR ? 0 : rc;
}

static int get_child_item(ps_run *r, ps_bound *b)
{
    static const char *const file_types[] = {"System.IO.FileInfo", "System.IO.FileSystemInfo",
                                             "System.MarshalByRefObject", "System.Object", NULL};
    static const char *const dir_types[] = {"System.IO.DirectoryInfo", "System.IO.FileSystemInfo",
                                            "System.MarshalByRefObject", "System.Object", NULL};
    psr_buf path = {0};
    ps_arg_text(b, "Path", &path);
    const char *dir = path.data && *path.data ? path.data : ".";
    struct stat dsb;
    if (stat(dir, &dsb) != 0 || !S_ISDIR(dsb.st_mode)) {
        int rc = path_not_found(r, dir, "Get-ChildItem");
        psr_buf_free(&path);
        return rc;
    }
    /* sorted by name, as Get-ChildItem shows them */
    struct dirent **list = NULL;
    int n = scandir(dir, &list, NULL, alphasort), rc = 0;
    for (int i = 0; i < n; i++) {
        const char *name = list[i]->d_name;
        if (!rc && strcmp(name, ".") != 0 && strcmp(name, "..") != 0) {
            char full[PATH_MAX];
            snprintf(full, sizeof(full), "%s/%s", dir, name);
            struct stat sb;
            if (stat(full, &sb) == 0) {
                int is_dir = S_ISDIR(sb.st_mode);
                psrp_value *o = psrp_value_new_object(is_dir ? dir_types : file_types);
                int bad = !o || psrp_object_add(o, "Name", psrp_value_new_string(name)) ||
                          psrp_object_add(o, "FullName", psrp_value_new_string(full)) ||
                          (!is_dir && psrp_object_add(o, "Length",
                                                      psrp_value_new_i64((int64_t)sb.st_size))) ||
                          psrp_object_add(o, "LastWriteTime",
                                          datetime_value(sb.st_mtim.tv_sec, sb.st_mtim.tv_nsec)) ||
                          psrp_object_set_to_string(o, name);
                rc = bad ? (psrp_value_free(o), PS_ST_FAIL) : ps_emit_value(r, o);
            }
        }
        free(list[i]);
    }
    free(list);
    psr_buf_free(&path);
    return rc;
}

static int get_content(ps_run *r, ps_bound *b)
{
    psr_buf path = {0};
    ps_arg_text(b, "Path", &path);
    FILE *f = path.data ? fopen(path.data, "r") : NULL;
    int rc = 0;
    if (!f) {
        rc = path_not_found(r, path.data ? path.data : "", "Get-Content");
        psr_buf_free(&path);
        return rc;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    while (!rc && (len = getline(&line, &cap, f)) >= 0) {
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        rc = ps_emit_value(r, psrp_value_new_stringn(line, (size_t)len));
    }
    free(line);
    fclose(f);
    psr_buf_free(&path);
    return rc;
}

static int start_sleep(ps_run *r, ps_bound *b)
{
    int64_t n = 0;
    long ms = 0;
    if (ps_arg(b, "Milliseconds") && ps_value_int(ps_arg(b, "Milliseconds"), &n) == 0)
        ms = n > 60000 ? 60000 : (long)n;
    else if (ps_arg(b, "Seconds") && ps_value_int(ps_arg(b, "Seconds"), &n) == 0)
        ms = n > 60 ? 60000 : (long)n * 1000;
    else
        return ps_binding_error(r, b->def, "MissingMandatoryParameter",
                                "Start-Sleep: give -Seconds or -Milliseconds as a number.");
    if (ms < 0)
        ms = 0;
    const ps_host *host = r->scope->host;
    if (host && host->sleep)
        return host->sleep(host->ctx, ms) ? PS_ST_STOP : 0;
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
    while (ms > 0 && nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
    return 0;
}

static int write_progress(ps_run *r, ps_bound *b)
{
    psr_buf activity = {0}, status = {0};
    ps_arg_text(b, "Activity", &activity);
    if (ps_arg(b, "Status"))
        ps_arg_text(b, "Status", &status);
    else
        psr_buf_puts(&status, "Processing");
    int64_t percent = -1;
    if (ps_arg(b, "PercentComplete"))
        ps_value_int(ps_arg(b, "PercentComplete"), &percent);
    psrp_value *o = psrp_value_new_object(NULL);
    int rc;
    if (!o || psrp_object_add(o, "Activity", psrp_value_new_string(activity.data ? activity.data : "")) ||
        psrp_object_add(o, "StatusDescription", psrp_value_new_string(status.data)) ||
        psrp_object_add(o, "PercentComplete", psrp_value_new_i32((int32_t)percent)) ||
        psrp_object_add(o, "Completed", psrp_value_new_bool(ps_switch(b, "Completed"))))
        rc = PS_ST_FAIL;
    else
        rc = r->emit(r->ctx, PS_EV_PROGRESS, o, NULL);
    psrp_value_free(o);
    psr_buf_free(&activity);
    psr_buf_free(&status);
    return rc;
}

const ps_command_def ps_machine_commands[] = {
    {"Get-Date", {{NULL, 0, 0}}, get_date, NULL, NULL},
    {"Get-Culture", {{NULL, 0, 0}}, get_culture, NULL, NULL},
    {"Get-ChildItem", {{"Path", 0, PS_P_PIPELINE}}, get_child_item, NULL, NULL},
    {"Get-Content", {{"Path", 0, PS_P_PIPELINE}}, get_content, NULL, NULL},
    {"Start-Sleep", {{"Seconds", 0, PS_P_PIPELINE}, {"Milliseconds", -1, 0}}, start_sleep, NULL,
     NULL},
    {"Write-Progress",
     {{"Activity", 0, 0}, {"Status", 1, 0}, {"Id", 2, 0}, {"PercentComplete", -1, 0},
      {"SecondsRemaining", -1, 0}, {"CurrentOperation", -1, 0}, {"ParentId", -1, 0},
      {"Completed", -1, PS_P_SWITCH}},
     write_progress, NULL, NULL},
};
const size_t ps_n_machine_commands = sizeof(ps_machine_commands) / sizeof(ps_machine_commands[0]);
