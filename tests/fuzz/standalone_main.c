/* standalone_main.c: runs a libFuzzer target over files without libFuzzer.
 *
 * Every fuzz target under tests/fuzz defines LLVMFuzzerTestOneInput. Linked
 * with this file it becomes a normal program that feeds each file named on
 * the command line (or each file in a directory) to the target once, so
 * `make check` replays the seed corpus with any compiler, under ASan/UBSan
 * and valgrind too. Built with clang -fsanitize=fuzzer instead (`make fuzz`),
 * the same target explores new inputs.
 *
 * With no arguments (as `make check` runs it) the program replays
 * $top_srcdir/fixtures/fuzz/NAME, where its own name is fuzz_NAME_replay. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        return 1;
    }
    size_t cap = 1 << 16, len = 0, n;
    uint8_t *data = malloc(cap);
    while (data && (n = fread(data + len, 1, cap - len, f)) > 0) {
        len += n;
        if (len == cap) {
            uint8_t *p = realloc(data, cap * 2);
            if (!p) {
                free(data);
                data = NULL;
                break;
            }
            data = p;
            cap *= 2;
        }
    }
    fclose(f);
    if (!data)
        return 1;
    LLVMFuzzerTestOneInput(data, len);
    free(data);
    return 0;
}

/* fuzz_wsman_response_replay -> fixtures/fuzz/wsman_response */
static int default_corpus(const char *argv0, char *out, size_t cap)
{
    const char *base = strrchr(argv0, '/');
    base = base ? base + 1 : argv0;
    if (strncmp(base, "lt-", 3) == 0) /* libtool wrapper */
        base += 3;
    const char *suffix = "_replay";
    size_t len = strlen(base);
    if (strncmp(base, "fuzz_", 5) != 0 || len <= 5 + strlen(suffix) ||
        strcmp(base + len - strlen(suffix), suffix) != 0)
        return -1;
    const char *top = getenv("top_srcdir");
    snprintf(out, cap, "%s/fixtures/fuzz/%.*s", top ? top : ".",
             (int)(len - 5 - strlen(suffix)), base + 5);
    return 0;
}

int main(int argc, char **argv)
{
    int files = 0, failed = 0;
    char corpus[4096];
    char *fallback[2] = {argv[0], corpus};
    if (argc == 1) {
        if (default_corpus(argv[0], corpus, sizeof(corpus)) != 0) {
            fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
            return 1;
        }
        argc = 2;
        argv = fallback;
    }
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "cannot stat %s\n", argv[i]);
            return 1;
        }
        if (S_ISDIR(st.st_mode)) {
            DIR *d = opendir(argv[i]);
            struct dirent *e;
            while (d && (e = readdir(d)) != NULL) {
                if (e->d_name[0] == '.')
                    continue;
                char path[4096];
                snprintf(path, sizeof(path), "%s/%s", argv[i], e->d_name);
                failed += run_file(path);
                files++;
            }
            if (d)
                closedir(d);
        } else {
            failed += run_file(argv[i]);
            files++;
        }
    }
    printf("replayed %d inputs\n", files);
    return failed || files == 0 ? 1 : 0;
}
