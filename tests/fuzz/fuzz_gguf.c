/* Fuzz target: the GGUF header reader (llmroof_model_from_gguf).
 *
 * The input is one GGUF file, read from an in-memory file through
 * /proc/self/fd/N (the reader takes a path).  A file it accepts gives
 * consistent byte counts and, when its shapes were derived, a model and a
 * quant that the catalog either refuses with an error or estimates sanely
 * on a bundled machine. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"

#define TERMINATED(array) (memchr((array), '\0', sizeof(array)) != NULL)

static void estimate(const llmroof_model *model, const llmroof_quant *quant)
{
    llmroof_catalog *cat = fuzz_builtin_with(model, quant);
    if (!cat)
        return;
    static const char *const systems[] = {"pc-rtx-4090", "pc-2x-rtx-4090",
                                          "mac-studio-m3-ultra-96gb"};
    for (size_t i = 0; i < sizeof systems / sizeof systems[0]; i++)
        fuzz_estimate_on(cat, systems[i], model->id, quant->id);
    llmroof_catalog_free(cat);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64];
    int fd = fuzz_memfd(data, size, path, sizeof path);
    FUZZ_CHECK(fd >= 0);
    llmroof_model model;
    llmroof_quant quant;
    llmroof_gguf_info info;
    llmroof_error err;
    llmroof_model_init(&model);
    llmroof_quant_init(&quant);
    llmroof_gguf_info_init(&info);
    llmroof_error_init(&err);
    llmroof_status st = llmroof_model_from_gguf(path, &model, &quant, &info, &err);
    close(fd);
    fuzz_check_status(st, &err);
    if (st != LLMROOF_OK)
        return 0;
    FUZZ_CHECK(info.version == 2 || info.version == 3);
    FUZZ_CHECK(info.parts == 1 && info.file_bytes == size);
    FUZZ_CHECK(info.tensor_bytes <= info.file_bytes);
    FUZZ_CHECK(info.layer_bytes <= info.tensor_bytes && info.embed_bytes <= info.tensor_bytes &&
               info.output_bytes <= info.tensor_bytes);
    FUZZ_CHECK(isfinite(info.params) && info.params >= 0);
    FUZZ_CHECK(TERMINATED(info.architecture) && TERMINATED(info.note));
    FUZZ_CHECK(TERMINATED(model.id) && TERMINATED(model.name) && TERMINATED(model.source));
    FUZZ_CHECK(TERMINATED(quant.id) && TERMINATED(quant.name) && TERMINATED(quant.kernel) &&
               TERMINATED(quant.format) && TERMINATED(quant.source));
    if (info.derived & LLMROOF_GGUF_SHAPES)
        estimate(&model, &quant);
    return 0;
}
