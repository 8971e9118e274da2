/* Fuzz target: the Hugging Face config.json reader
 * (llmroof_model_from_config).
 *
 * The input is one config.json, read from an in-memory file through
 * /proc/self/fd/N (the reader takes a path; the model's id comes from the
 * file name, "N").  A file it accepts gives a model that the catalog either
 * refuses with an error or estimates sanely on a bundled machine. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"

#define TERMINATED(array) (memchr((array), '\0', sizeof(array)) != NULL)

static void estimate(const llmroof_model *model)
{
    llmroof_catalog *cat = fuzz_builtin_with(model, NULL);
    if (!cat)
        return;
    static const char *const quants[] = {"Q4_K_M", "F16"};
    for (size_t i = 0; i < sizeof quants / sizeof quants[0]; i++)
        fuzz_estimate_on(cat, "pc-2x-rtx-4090", model->id, quants[i]);
    llmroof_catalog_free(cat);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64];
    int fd = fuzz_memfd(data, size, path, sizeof path);
    FUZZ_CHECK(fd >= 0);
    llmroof_model model;
    llmroof_error err;
    llmroof_model_init(&model);
    llmroof_error_init(&err);
    llmroof_status st = llmroof_model_from_config(path, &model, &err);
    close(fd);
    fuzz_check_status(st, &err);
    if (st != LLMROOF_OK)
        return 0;
    FUZZ_CHECK(TERMINATED(model.id) && model.id[0]);
    FUZZ_CHECK(TERMINATED(model.name) && TERMINATED(model.source));
    FUZZ_CHECK(model.params == 0);
    estimate(&model);
    return 0;
}
