/* The model's boundary: plain structs in, plain structs out.  Nothing here
 * knows about YAML, files or the catalog's storage (DESIGN.md, "Which part
 * may know which"). */
#ifndef LLMROOF_MODEL_H
#define LLMROOF_MODEL_H

#include "internal.h"

/* A system with every reference resolved to its descriptor. */
typedef struct llmroof__machine {
    const llmroof_system *system;
    uint32_t accel_count;
    const llmroof_device *accel[LLMROOF_MAX_DEVICES];
    const llmroof_link *gpu_link;  /* NULL when fewer than two accelerators */
    const llmroof_link *host_link; /* NULL for unified or CPU-only systems */
    const llmroof_device *host;    /* the CPU device (never NULL) */
    const llmroof_device *storage; /* NULL: no storage tier */
} llmroof__machine;

/* Everything llmroof_estimate() computes, from resolved descriptors.
 * req must already carry its defaults (llmroof_request_init). */
llmroof_status llmroof__estimate_plain(const llmroof__machine *m, const llmroof_model *model,
                                       const llmroof_quant *quant, const llmroof_engine *engine,
                                       const llmroof_request *req, llmroof_result *res,
                                       llmroof_error *err);

#endif
