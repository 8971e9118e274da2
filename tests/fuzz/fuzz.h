/* Shared by the libFuzzer harnesses (fuzz_*.c), their checks (common.c) and
 * the replay driver (replay.c); see tests/fuzz/README.md. */
#ifndef LLMROOF_FUZZ_H
#define LLMROOF_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "llmroof/llmroof.h"

/* The harness: libFuzzer's entry point (replay.c calls it the same way). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reports a broken invariant on stderr and traps (a crash for libFuzzer,
 * SIGILL for replay). */
#define FUZZ_CHECK(cond)                                                       \
    do {                                                                       \
        if (!(cond))                                                           \
            fuzz_fail(__FILE__, __LINE__, #cond);                              \
    } while (0)

#if defined(__GNUC__)
__attribute__((noreturn))
#endif
void fuzz_fail(const char *file, int line, const char *what);

/* A call's outcome is well-formed: LLMROOF_OK with err untouched, or the
 * same non-OK code in err with a non-empty one-line message. */
void fuzz_check_status(llmroof_status st, const llmroof_error *err);
/* The same, and on success every number of the result is sane: finite and
 * >= 0, speeds at most their roofline bounds, memory totals adding up. */
void fuzz_check_estimate(llmroof_status st, const llmroof_error *err,
                         const llmroof_result *res);
/* The same for a pick, its candidates, its estimate and its arguments. */
void fuzz_check_pick(const llmroof_catalog *cat, llmroof_status st, const llmroof_error *err,
                     const llmroof_pick_result *res);

/* The same for an image and a train estimate of `req`. */
void fuzz_check_image(llmroof_status st, const llmroof_error *err,
                      const llmroof_image_request *req, const llmroof_image_result *res);
void fuzz_check_train(llmroof_status st, const llmroof_error *err,
                      const llmroof_train_request *req, const llmroof_train_result *res);
/* Runs the estimate twice, checks that both calls give the same bytes and
 * the result with fuzz_check_image / _train; returns the status. */
llmroof_status fuzz_image_estimate(const llmroof_catalog *cat, const llmroof_image_request *req);
llmroof_status fuzz_train_estimate(const llmroof_catalog *cat, const llmroof_train_request *req);

/* Estimates every combination of the last `n` systems, models and quants
 * of a catalog (the ones a file just added come last) with the default
 * engine and the last `n` engines, image estimates of the last `n` image
 * models and train estimates (every method) of the models on those systems
 * and engines, and picks for the last system and model; checks every
 * result.  Returns the number of estimates that succeeded. */
unsigned fuzz_exercise_catalog(const llmroof_catalog *cat, uint32_t n);

/* The bytes in an anonymous in-memory file, for readers that take a path:
 * writes "/proc/self/fd/N" into path and returns N (close it after), or -1. */
/* The bundled catalog plus `model` (and `quant` unless NULL), added with
 * override; NULL when the catalog refuses them (the refusal is checked). */
llmroof_catalog *fuzz_builtin_with(const llmroof_model *model, const llmroof_quant *quant);
/* One estimate of model `model` in quant `quant` on system `system` at an
 * 8k context, checked with fuzz_check_estimate, and train estimates of it
 * (every method, the default engine). */
void fuzz_estimate_on(const llmroof_catalog *cat, const char *system, const char *model,
                      const char *quant);
int fuzz_memfd(const uint8_t *data, size_t size, char *path, size_t cap);

#endif
