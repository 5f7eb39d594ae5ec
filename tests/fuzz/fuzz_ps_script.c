/* fuzz_ps_script.c: the harness's PowerShell parser (tokenizer, statements,
 * expressions) on script text a client sends in CREATE_PIPELINE. Parsing
 * only: running arbitrary scripts would spend the fuzzer's time in ranges
 * and loops rather than in code that reads bytes. A script either parses
 * or gives a syntax error with a message and an id, never both, never
 * neither. */
#include "src/harness/ps_script_internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    ps_script script;
    ps_parse_error pe = {0};
    memset(&script, 0, sizeof(script));
    int rc = ps_parse(text, &script, &pe);
    if (rc == 1 && (!pe.message || !pe.id))
        abort(); /* a syntax error always says what and where */
    if (rc == 0 && (pe.message || pe.id))
        abort();
    ps_script_clear(&script);
    free(pe.message);
    free(pe.id);
    free(text);
    return 0;
}
