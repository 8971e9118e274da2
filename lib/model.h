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

/* Resolves the system's device and link ids (llmroof_estimate, image, train). */
llmroof_status llmroof__resolve_machine(const llmroof_catalog *cat, const llmroof_system *sys,
                                       llmroof__machine *m, llmroof_error *err);

/* The first engine in catalog order with `task` (LLMROOF_TASK_*) and a
 * backend for `backend`, or NULL: what an image or train request with engine
 * "" runs on. */
const llmroof_engine *llmroof__default_engine(const llmroof_catalog *cat, uint32_t task,
                                              int32_t backend);

/* Watts while `gpus` accelerators work (docs/model.md §7): their power, the
 * host CPU's (discrete systems and CPU-only) and the system's other power. */
double llmroof__busy_power(const llmroof__machine *m, uint32_t gpus);
/* Watts at idle: the system's idle_power, else the sum of its devices' when
 * all are known, else 0 (unknown). */
double llmroof__idle_power(const llmroof__machine *m);
/* FLOP/s of f16/bf16 matrix math with fp32 accumulation (PyTorch's default:
 * image generation §9, training §10): compute_f16_acc32, else compute_f16. */
double llmroof__acc32_compute(const llmroof_device *d);
/* capacity - need in bytes, saturated to the int64_t range (a headroom or a
 * shortfall past 2^63 bytes is still one). */
int64_t llmroof__headroom(double capacity, double need);
/* USD of `joules` of electricity at `usd_per_kwh`. */
double llmroof__energy_cost(double joules, double usd_per_kwh);
/* A request's electricity_price: 0 (none) or a finite price up to 100 USD/kWh. */
#define LLMROOF__ELECTRICITY_PRICE_RULE "electricity_price must be 0 (none) or in (0, 100] USD per kWh"
int llmroof__valid_electricity_price(double usd_per_kwh);

/* ---- train.c: fine-tuning memory and speed (docs/model.md §10) ---- */
llmroof_status llmroof__train_plain(const llmroof__machine *m, const llmroof_model *model,
                                    const llmroof_engine *engine,
                                    const llmroof_train_request *req, llmroof_train_result *res,
                                    llmroof_error *err);

/* Everything llmroof_estimate() computes, from resolved descriptors.
 * req must already carry its defaults (llmroof_request_init). */
llmroof_status llmroof__estimate_plain(const llmroof__machine *m, const llmroof_model *model,
                                       const llmroof_quant *quant, const llmroof_engine *engine,
                                       const llmroof_request *req, llmroof_result *res,
                                       llmroof_error *err);

#endif

/* ---- memory.c: bytes of every part, from shapes (docs/model.md §1-3) ---- */

/* Bytes of one element of a KV cache type, as ggml stores it: block bytes /
 * block elements.  0 for bad values. */
double llmroof__kv_type_bytes(int32_t kv_type);
/* Bytes of `elements` of a KV type, whole blocks (exact). */
uint64_t llmroof__kv_row_bytes(int32_t kv_type, uint64_t elements);

/* Everything about a model's bytes and work, for one quant and request. */
typedef struct llmroof__shape {
    uint32_t layers;
    uint32_t dense_layers;      /* layers [0, dense_layers) have a dense FFN */
    double bytes_per_weight;    /* quant bpw / 8 */
    /* Weights, bytes. */
    double layer_dense;         /* one layer with a dense FFN (attention + FFN + norms) */
    double layer_moe;           /* one MoE layer, all experts */
    double layer_moe_read;      /* bytes of a MoE layer read per decode step at batch b */
    double layer_moe_prefill;   /* ... per prefill chunk (all experts routed) */
    double embedding;           /* token embedding (a row lookup) */
    double output;              /* output head + final norm (0 extra if tied: still read) */
    double weights_total;
    /* Parameters. */
    double params;              /* all */
    double active_params;       /* used per token */
    double layer_active_dense;  /* params per token in a dense layer (matmuls) */
    double layer_active_moe;    /* params per token in a MoE layer */
    double layer_expert_routed; /* ... of it in routed experts (k experts of E) */
    double expert_share;        /* k / E: the share of a ubatch's tokens an expert gets */
    double output_params;       /* vocab * d */
    /* KV cache. */
    uint64_t kv_layer;          /* bytes of one layer's cache at ctx, all sequences */
    uint64_t kv_total;
    double kv_token_layer;      /* bytes read per cached token per layer per sequence
                                   (full-attention layers) */
    double sliding_fraction;    /* share of layers with a sliding window */
    uint32_t sliding_window;
    /* Attention arithmetic: FLOPs per (query, key) pair per layer = 4 h dh. */
    double attn_flops_pair;
    /* Without flash attention: bytes of the f32 score matrix moved per
     * (query, key-cell) pair per layer (16 h: four passes of 4 h bytes);
     * 0 with flash attention. */
    double score_bytes_pair;
    /* Compute buffers (llama.cpp graph allocator peaks), bytes. */
    double compute_layers;      /* a device holding repeating layers */
    double compute_output;      /* extra on the device holding the output head */
    double compute_host;        /* host-side buffer */
    double q_width;             /* h dh: query and attention-output width */
    double kv_width;            /* hkv dh */
    double ffn_width;           /* FFN width a token uses (MoE: active experts) */
    uint32_t tied;              /* output head shares the token embedding */
    uint32_t hidden;
    uint32_t vocab;
    uint32_t ctx;
    uint32_t batch;
} llmroof__shape;

/* Fills *s.  Errors: a shape whose bytes overflow (LLMROOF_E_RANGE). */
llmroof_status llmroof__shape_compute(const llmroof_model *m, const llmroof_quant *q,
                                      const llmroof_request *req, llmroof__shape *s,
                                      llmroof_error *err);

/* Weights of repeating layers [first, first + count). */
double llmroof__layers_weights(const llmroof__shape *s, uint32_t first, uint32_t count);
/* Bytes of those layers read per decode step (MoE: routed experts only). */
double llmroof__layers_decode_bytes(const llmroof__shape *s, uint32_t first, uint32_t count);
/* Parameters of those layers used per token. */
double llmroof__layers_active_params(const llmroof__shape *s, uint32_t first, uint32_t count);
/* How many of those layers have a mixture-of-experts FFN. */
double llmroof__layers_moe(const llmroof__shape *s, uint32_t first, uint32_t count);

/* ---- placement.c: which bytes live where (docs/model.md "Placement") ---- */

/* What the roofline needs to know about a tier beyond llmroof_tier. */
typedef struct llmroof__tier_work {
    const llmroof_device *dev;
    const llmroof_engine_backend *backend; /* NULL: a tier that computes nothing */
    uint32_t first;          /* first repeating layer (layer split) */
    uint32_t count;          /* repeating layers whose work this tier does */
    double fraction;         /* share of each split matrix it holds (1: whole layers) */
    double kv_fraction;      /* share of the KV cache of those layers it holds */
    int has_output;          /* computes the output head (share: fraction) */
    int has_embedding;
    double paged;            /* storage tier: bytes paged in per step */
} llmroof__tier_work;

typedef struct llmroof__placement {
    const llmroof__machine *machine;
    const llmroof_engine *engine;
    int32_t split;           /* resolved: LAYER, ROW, TENSOR or NONE */
    uint32_t gpus;           /* accelerators in use */
    int32_t gpu_layers;      /* llama.cpp -ngl semantics, 0..layers+1 */
    double hop_overhead;     /* engine's cost per inter-device transfer, seconds */
    int host_tier;           /* index or -1 */
    int storage_tier;        /* index or -1 */
    llmroof__tier_work work[LLMROOF_MAX_TIERS];
} llmroof__placement;

/* Places the model and fills res->tiers, memory totals, fit and flags. */
llmroof_status llmroof__place(const llmroof__machine *m, const llmroof_engine *e,
                              const llmroof__shape *s,
                              const llmroof_request *req, llmroof__placement *p,
                              llmroof_result *res, llmroof_error *err);

/* Bytes, rounded up, of a double: 0 for NaN or <= 0, UINT64_MAX from 2^64. */
uint64_t llmroof__to_bytes(double v);
/* Usable bytes of accelerator i (docs/model.md §4 "capacity"); `share` is
 * the unified GPU share (ignored for discrete devices). */
double llmroof__accel_capacity(const llmroof__machine *m, uint32_t i, double share);
/* The engine's parameters for a backend, or NULL. */
const llmroof_engine_backend *llmroof__engine_backend(const llmroof_engine *e, int32_t backend);
/* Decode efficiency of a backend for a quant's kernel class. */
double llmroof__decode_efficiency(const llmroof_engine_backend *b, const llmroof_quant *q);
/* The entry for `kernel` of a per-kernel efficiency table, or dflt. */
double llmroof__kernel_efficiency(const llmroof_kernel_efficiency *table, uint32_t count,
                                  double dflt, const char *kernel);
/* Prefill (compute) efficiency of a backend for a quant's kernel class. */
double llmroof__prefill_efficiency(const llmroof_engine_backend *b, const llmroof_quant *q);

/* ---- roofline.c: time per step (docs/model.md "Decode", "Prefill") ---- */
/* LLMROOF_E_UNSUPPORTED when a tier that runs layers sits on a device with a
 * measured bandwidth and its backend has no measured_efficiency. */
llmroof_status llmroof__check_bandwidth_kinds(const llmroof__placement *p,
                                              const llmroof_result *res, llmroof_error *err);
void llmroof__roofline(const llmroof__placement *p, const llmroof__shape *s,
                       const llmroof_quant *q, const llmroof_request *req, llmroof_result *res);
