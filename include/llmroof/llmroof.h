/*
 * llmroof — does a large language model fit on this machine, and how fast
 * will it run there?
 *
 * This header is the whole public contract of the library and its reference
 * documentation.  Formulas are in docs/model.md, the YAML schema in
 * docs/yaml.md, ownership and threading notes in docs/api.md.
 *
 * Rules every declaration below follows (so that C callers and Python's
 * ctypes can mirror them field for field, and the ABI can grow):
 *
 *  - Public structs hold only fixed-width integers, double and char[N].
 *    Their first field is `uint32_t size`, which the caller sets to
 *    sizeof(struct); the matching *_init() function sets it and fills the
 *    defaults.  The library never reads or writes past `size`.
 *  - Enums have explicit values that never change; new values are appended.
 *    Enum-typed fields are stored as int32_t.
 *  - Every fallible call returns llmroof_status and fills the optional,
 *    caller-allocated llmroof_error (NULL is allowed).  The first error wins.
 *  - The library never prints, exits, aborts or reads the environment.
 *  - Quantities are SI: bytes, bytes/s, FLOP/s, seconds, watts, US dollars.
 *
 * Threading: a llmroof_catalog may be read (estimate, get, list, count) from
 * any number of threads at once.  Loading or adding to a catalog must not run
 * concurrently with anything else on the same catalog.
 */
#ifndef LLMROOF_H
#define LLMROOF_H

#include <stddef.h>
#include <stdint.h>

#include "llmroof/version.h"

#ifdef __cplusplus
extern "C" {
#endif

#if defined(LLMROOF_BUILDING) && defined(__GNUC__)
#define LLMROOF_API __attribute__((visibility("default")))
#else
#define LLMROOF_API
#endif

/* ------------------------------------------------------------------------
 * Sizes of fixed arrays.  Changing one is an ABI break (a new major version).
 * ------------------------------------------------------------------------ */
#define LLMROOF_ID_MAX 64          /* ids: [A-Za-z0-9._+-], 1..63 chars */
#define LLMROOF_NAME_MAX 128       /* human-readable names */
#define LLMROOF_SOURCE_MAX 512     /* where a descriptor's numbers come from */
#define LLMROOF_KERNEL_MAX 32      /* quant kernel class names ("q4_k") */
#define LLMROOF_MAX_DEVICES 16     /* accelerators in one system */
#define LLMROOF_MAX_TIERS (LLMROOF_MAX_DEVICES + 2) /* + host RAM + storage */
#define LLMROOF_MAX_KERNELS 16     /* per-kernel efficiencies per backend */
#define LLMROOF_MAX_MEASURED_DEVICES 64 /* device ids an engine backend was measured on */
#define LLMROOF_MAX_BACKENDS 8     /* backends per engine */
#define LLMROOF_FORMAT_MAX 16      /* weight format names ("gguf", "exl2") */
#define LLMROOF_MAX_FORMATS 8      /* weight formats one engine loads */
#define LLMROOF_MAX_ENCODERS 4     /* text encoders of one image model */
#define LLMROOF_MAX_CANDIDATES 64  /* quants one pick weighs */
#define LLMROOF_REASON_MAX 192     /* one candidate's verdict, one line */
#define LLMROOF_ADVICE_MAX 512     /* what to relax when nothing meets the targets */
#define LLMROOF_ERROR_FILE_MAX 256
#define LLMROOF_ERROR_MESSAGE_MAX 512

/* ------------------------------------------------------------------------
 * Version
 * ------------------------------------------------------------------------ */

/* LLMROOF_VERSION_NUMBER of the library actually linked; compare it with the
 * macro to detect a header/library mismatch. */
LLMROOF_API uint32_t llmroof_version_number(void);
/* "MAJOR.MINOR.PATCH" of the library actually linked.  Static string. */
LLMROOF_API const char *llmroof_version(void);

/* ------------------------------------------------------------------------
 * Status and errors
 * ------------------------------------------------------------------------ */
typedef enum llmroof_status {
    LLMROOF_OK = 0,
    LLMROOF_E_INVALID_ARGUMENT = 1, /* NULL where not allowed, bad size field, bad enum */
    LLMROOF_E_NOMEM = 2,            /* an allocation failed; nothing was changed */
    LLMROOF_E_IO = 3,               /* a file could not be opened or read */
    LLMROOF_E_SYNTAX = 4,           /* malformed YAML, truncated file, bad UTF-8 */
    LLMROOF_E_SCHEMA = 5,           /* unknown key, missing field, wrong type */
    LLMROOF_E_UNIT = 6,             /* a quantity without a unit or with an unknown one */
    LLMROOF_E_RANGE = 7,            /* negative, zero, NaN, huge or overflowing number */
    LLMROOF_E_DUPLICATE = 8,        /* an id or a key defined twice */
    LLMROOF_E_REFERENCE = 9,        /* a reference to an id that does not exist */
    LLMROOF_E_LIMIT = 10,           /* input beyond a loader limit (size, depth, aliases) */
    LLMROOF_E_NOT_FOUND = 11,       /* the id asked for is not in the catalog */
    LLMROOF_E_UNSUPPORTED = 12,     /* valid but not supported (engine lacks a split mode) */
    LLMROOF_E_VERSION = 13          /* a file declares a schema version we do not know */
} llmroof_status;

/* A static, human-readable string for any value, unknown ones included. */
LLMROOF_API const char *llmroof_status_string(int32_t status);

/* Caller-allocated error details.  Initialise with llmroof_error_init().
 * The first error reported into it wins: later failures do not overwrite a
 * non-zero code, so call llmroof_error_init() again before reusing it.
 * line and column are 1-based; 0 means "not tied to a position". */
typedef struct llmroof_error {
    uint32_t size;
    int32_t code;                            /* llmroof_status */
    uint32_t line;
    uint32_t column;
    char file[LLMROOF_ERROR_FILE_MAX];       /* "" when not from a file */
    char message[LLMROOF_ERROR_MESSAGE_MAX]; /* one line, no trailing newline */
} llmroof_error;

LLMROOF_API void llmroof_error_init(llmroof_error *err);

/* ------------------------------------------------------------------------
 * Enumerations
 * ------------------------------------------------------------------------ */
typedef enum llmroof_device_kind {
    LLMROOF_DEVICE_GPU = 0,     /* discrete accelerator with its own memory */
    LLMROOF_DEVICE_CPU = 1,     /* host processor and its RAM */
    LLMROOF_DEVICE_UNIFIED = 2, /* GPU sharing the host's memory (Apple, Strix Halo) */
    LLMROOF_DEVICE_STORAGE = 3  /* last tier: weights read through mmap */
} llmroof_device_kind;

/* What a device's `bandwidth` is (docs/model.md §5 "A measured bandwidth"). */
typedef enum llmroof_bandwidth_kind {
    LLMROOF_BANDWIDTH_NOMINAL = 0, /* spec-sheet peak: the engines' eta apply */
    LLMROOF_BANDWIDTH_MEASURED = 1 /* measured read bandwidth at the threads used: the
                                      engine backend's measured_efficiency applies */
} llmroof_bandwidth_kind;

/* A device's memory technology (docs/model.md §5, "Memory technology"). */
typedef enum llmroof_memory_type {
    LLMROOF_MEMORY_UNKNOWN = 0, /* not given: no technology-specific term */
    LLMROOF_MEMORY_HBM = 1,     /* stacked HBM: the engine's hbm_read_penalty applies */
    LLMROOF_MEMORY_GDDR = 2,
    LLMROOF_MEMORY_LPDDR = 3,
    LLMROOF_MEMORY_DDR = 4
} llmroof_memory_type;

typedef enum llmroof_backend {
    LLMROOF_BACKEND_CUDA = 0,
    LLMROOF_BACKEND_ROCM = 1,
    LLMROOF_BACKEND_METAL = 2,
    LLMROOF_BACKEND_VULKAN = 3,
    LLMROOF_BACKEND_SYCL = 4,
    LLMROOF_BACKEND_CPU = 5,
    LLMROOF_BACKEND_NONE = 6    /* storage devices */
} llmroof_backend;

typedef enum llmroof_attention {
    LLMROOF_ATTENTION_GQA = 0,  /* multi-head / grouped-query attention */
    LLMROOF_ATTENTION_MLA = 1   /* multi-head latent attention (DeepSeek) */
} llmroof_attention;

/* How the model is spread over several accelerators. */
typedef enum llmroof_split {
    LLMROOF_SPLIT_AUTO = 0,     /* the engine's default (llama.cpp: layer) */
    LLMROOF_SPLIT_LAYER = 1,    /* pipeline: whole layers per GPU, run one after another */
    LLMROOF_SPLIT_ROW = 2,      /* llama.cpp row split: matrices cut, gathered on main GPU */
    LLMROOF_SPLIT_TENSOR = 3,   /* tensor parallel: two all-reduces per layer */
    LLMROOF_SPLIT_NONE = 4      /* one GPU only (the main GPU) */
} llmroof_split;

/* Bit flags for llmroof_engine.split_modes. */
#define LLMROOF_SPLIT_BIT(mode) (1u << (mode))

/* What an engine does with layers that stay in host RAM. */
typedef enum llmroof_offload {
    LLMROOF_OFFLOAD_HOST_COMPUTE = 0,   /* the CPU computes them (llama.cpp) */
    LLMROOF_OFFLOAD_STREAM = 1,         /* streamed over the host link to the GPU */
    LLMROOF_OFFLOAD_NONE = 2            /* engine cannot offload: must fit in GPU memory */
} llmroof_offload;

/* KV cache element types, with ggml's block sizes (docs/model.md). */
typedef enum llmroof_kv_type {
    LLMROOF_KV_F16 = 0,
    LLMROOF_KV_Q8_0 = 1,
    LLMROOF_KV_Q4_0 = 2,
    LLMROOF_KV_F32 = 3,
    LLMROOF_KV_BF16 = 4,
    LLMROOF_KV_Q4_1 = 5,
    LLMROOF_KV_Q5_0 = 6,
    LLMROOF_KV_Q5_1 = 7,
    LLMROOF_KV_IQ4_NL = 8
} llmroof_kv_type;
#define LLMROOF_KV_TYPE_COUNT 9

/* Name ("f16", "q8_0", ...) of a KV type; "unknown" for bad values. */
LLMROOF_API const char *llmroof_kv_type_string(int32_t kv_type);
/* Parses a KV type name; returns LLMROOF_E_NOT_FOUND for unknown names. */
LLMROOF_API llmroof_status llmroof_kv_type_from_string(const char *name, int32_t *kv_type);

/* Where a tier of the placement lives. */
typedef enum llmroof_tier_kind {
    LLMROOF_TIER_ACCELERATOR = 0,
    LLMROOF_TIER_HOST = 1,
    LLMROOF_TIER_STORAGE = 2
} llmroof_tier_kind;

/* The overall verdict on memory. */
typedef enum llmroof_fit {
    LLMROOF_FIT_GPU = 0,      /* everything in accelerator (or GPU-usable unified) memory */
    LLMROOF_FIT_OFFLOAD = 1,  /* part of the model in host RAM */
    LLMROOF_FIT_STORAGE = 2,  /* part of the model read from storage every token */
    LLMROOF_FIT_NONE = 3      /* cannot run: not even KV/buffers fit, or no storage */
} llmroof_fit;

/* The resource that dominates a step's time. */
typedef enum llmroof_resource {
    LLMROOF_RESOURCE_NONE = 0,
    LLMROOF_RESOURCE_DEVICE_MEMORY = 1, /* an accelerator's memory bandwidth */
    LLMROOF_RESOURCE_HOST_MEMORY = 2,   /* host RAM bandwidth */
    LLMROOF_RESOURCE_GPU_LINK = 3,      /* the link between accelerators */
    LLMROOF_RESOURCE_HOST_LINK = 4,     /* the link between accelerator and host */
    LLMROOF_RESOURCE_COMPUTE = 5,       /* arithmetic throughput */
    LLMROOF_RESOURCE_STORAGE = 6,       /* storage read bandwidth */
    LLMROOF_RESOURCE_OVERHEAD = 7       /* fixed per-layer costs (kernel launches) */
} llmroof_resource;

/* Stable identifiers used in the tool's JSON: "gpu", "offload", ... */
LLMROOF_API const char *llmroof_fit_string(int32_t fit);
LLMROOF_API const char *llmroof_resource_string(int32_t resource);
LLMROOF_API const char *llmroof_split_string(int32_t split);
LLMROOF_API const char *llmroof_backend_string(int32_t backend);
LLMROOF_API const char *llmroof_device_kind_string(int32_t kind);
LLMROOF_API const char *llmroof_tier_kind_string(int32_t kind);

/* Bits of llmroof_result.flags: facts the caller should be told about. */
#define LLMROOF_FLAG_NEEDS_WIRED_LIMIT 0x1u  /* fits only if the unified GPU share is raised
                                                 (macOS: sysctl iogpu.wired_limit_mb) */
#define LLMROOF_FLAG_CTX_ABOVE_TRAINED 0x2u  /* ctx is longer than the model's context */
#define LLMROOF_FLAG_HOST_SHORT 0x4u         /* host RAM is too small; storage tier used */
#define LLMROOF_FLAG_PARAMS_MISMATCH 0x8u    /* shapes disagree with declared params by >5% */
#define LLMROOF_FLAG_SINGLE_GPU 0x10u        /* a split mode was asked for on a system with
                                                 one accelerator: it changes nothing */
/* Calibration flags: the request is outside what the error band was
 * measured on (docs/api.md, "Error band"). */
#define LLMROOF_FLAG_BAND_THIN 0x20u         /* the band rests on fewer than 20 rows or
                                                 3 sources: it was widened */
#define LLMROOF_FLAG_UNCALIBRATED 0x40u      /* no cross-validated row for this engine
                                                 (version), backend and placement: the band
                                                 is a wide default or borrowed, widened */
#define LLMROOF_FLAG_DEVICE_UNMEASURED 0x100u /* a device that computes layers is not among
                                                its engine backend's measured_devices: the
                                                band comes from other hardware */
#define LLMROOF_FLAG_MOE_UNCALIBRATED 0x80u  /* a mixture-of-experts model, and no MoE row
                                                 behind this band */

/* ------------------------------------------------------------------------
 * Descriptors.  The same structs are read from YAML and built in code.
 * ------------------------------------------------------------------------ */

typedef struct llmroof_device {
    uint32_t size;
    char id[LLMROOF_ID_MAX];
    char name[LLMROOF_NAME_MAX];
    int32_t kind;              /* llmroof_device_kind */
    int32_t backend;           /* llmroof_backend */
    uint64_t memory;           /* bytes; for unified devices the largest option (the
                                  system's host memory is the pool actually used) */
    uint64_t reserved;         /* bytes never available to a model (driver, display) */
    double bandwidth;          /* bytes/s, vendor peak (storage: sequential read) */
    double compute_f16;        /* FLOP/s, dense f16 peak; 0 = unknown */
    double compute_int8;       /* OP/s, dense int8 peak; 0 = unknown */
    double gpu_share;          /* unified only: fraction of the pool the GPU may use by
                                  default (macOS: 0.75 above 36 GB); 0 otherwise */
    double gpu_share_max;      /* unified only: the most it can be raised to; 0 otherwise */
    double power;              /* watts under load; 0 = unknown; holds an
                                  accelerator's compute (docs/model.md §6) */
    double price;              /* USD; 0 = unknown */
    char source[LLMROOF_SOURCE_MAX];
    int32_t bandwidth_kind;    /* llmroof_bandwidth_kind */
    double idle_power;         /* watts when loaded but idle; 0 = unknown */
    double compute_f16_acc32;  /* FLOP/s, dense f16/bf16 with fp32 accumulation -- what
                                  PyTorch's matmuls run at (image generation, training);
                                  GeForce cards run it at half compute_f16; 0 = the same
                                  as compute_f16 */
    uint32_t cores;            /* cpu only: the cores compute_f16 counts, which llama.cpp
                                  runs one thread each by default; 0 = unknown (then a
                                  request's threads are ignored) */
    uint32_t vector_backends;  /* OR of 1u << llmroof_backend: backends whose kernels do
                                  not use this device's matrix units (llama.cpp's Vulkan
                                  on Intel Arc A-series); they run at compute_f16_vector */
    double compute_f16_vector; /* FLOP/s, the shader cores' f16 peak without the matrix
                                  units; 0 = not given (required with vector_backends) */
    int32_t memory_type;       /* llmroof_memory_type */
} llmroof_device;

typedef struct llmroof_link {
    uint32_t size;
    char id[LLMROOF_ID_MAX];
    char name[LLMROOF_NAME_MAX];
    double bandwidth;          /* bytes/s per direction */
    double latency;            /* seconds per transfer (launch + synchronisation) */
    char source[LLMROOF_SOURCE_MAX];
} llmroof_link;

typedef struct llmroof_system {
    uint32_t size;
    char id[LLMROOF_ID_MAX];
    char name[LLMROOF_NAME_MAX];
    uint32_t accelerator_count;                          /* 0..LLMROOF_MAX_DEVICES */
    char accelerators[LLMROOF_MAX_DEVICES][LLMROOF_ID_MAX]; /* device id per accelerator */
    char gpu_link[LLMROOF_ID_MAX];   /* link between accelerators; "" if < 2 */
    char host_link[LLMROOF_ID_MAX];  /* accelerator <-> host; "" for unified */
    char host_device[LLMROOF_ID_MAX];/* the CPU device */
    uint64_t host_memory;            /* bytes of host RAM (the unified pool) */
    char storage[LLMROOF_ID_MAX];    /* storage device id; "" = no storage tier */
    double power;                    /* watts of the rest of the system; 0 = unknown */
    double price;                    /* USD of the whole system; 0 = unknown */
    char source[LLMROOF_SOURCE_MAX];
    double idle_power;               /* watts of the whole system at idle (wall), 0 =
                                        unknown: then the devices' idle_power are summed */
} llmroof_system;

typedef struct llmroof_model {
    uint32_t size;
    char id[LLMROOF_ID_MAX];
    char name[LLMROOF_NAME_MAX];
    uint32_t layers;           /* repeating transformer blocks, 1 to 2^20 */
    uint32_t hidden;           /* d_model */
    uint32_t ffn;              /* dense FFN width (gated: three matrices) */
    uint32_t heads;
    uint32_t kv_heads;
    uint32_t head_dim;
    uint32_t vocab;
    uint32_t context;          /* trained context length */
    uint32_t tied_embeddings;  /* 1: output head shares the token embedding */
    double params;             /* declared parameter count; 0 = unknown */
    /* Mixture of experts (experts == 0: dense). */
    uint32_t experts;
    uint32_t experts_active;
    uint32_t expert_ffn;
    uint32_t shared_experts;
    uint32_t dense_layers;     /* leading layers with a dense FFN */
    /* Attention variants. */
    int32_t attention;         /* llmroof_attention */
    uint32_t kv_lora_rank;     /* MLA */
    uint32_t rope_dim;         /* MLA: decoupled RoPE key width */
    uint32_t q_lora_rank;      /* MLA: query down-projection rank; 0 = full-rank Wq */
    uint32_t sliding_window;   /* tokens; 0 = none */
    uint32_t sliding_layers;   /* how many layers use the sliding window */
    char source[LLMROOF_SOURCE_MAX];
} llmroof_model;

typedef struct llmroof_quant {
    uint32_t size;
    char id[LLMROOF_ID_MAX];         /* GGUF file-type name: "Q4_K_M" */
    char name[LLMROOF_NAME_MAX];
    double bpw;                      /* bits per weight of the repeating layers' matrices
                                        (the mix's average over them) */
    double embed_bpw;                /* bits per weight of the token embedding; 0 = bpw */
    double output_bpw;               /* of the output head (and of a tied embedding, which
                                        llama.cpp quantizes as the output); 0 = bpw */
    char kernel[LLMROOF_KERNEL_MAX]; /* kernel class for efficiencies: "q4_k", "f16" */
    char format[LLMROOF_FORMAT_MAX]; /* weight format the file is in ("gguf", "mlx", "gptq",
                                        "awq", "exl2", "fp8", "float" for F32/F16/BF16);
                                        "" = not stated: any engine may load it */
    double quality;                  /* loss vs F16 (lower is better); < 0 = unknown */
    char source[LLMROOF_SOURCE_MAX];
    double cpu_dot_cost;             /* set only for types whose every CPU matrix product runs
                                        ggml's dot-product kernel (no tiled GEMM, no runtime
                                        repack): that kernel's cost in flop-equivalents per
                                        weight (cycles per 32 weights on an AVX2 core, whose
                                        fp32 FMA peak is 32 flops a cycle); it replaces
                                        2 flops at the fitted efficiency on CPU tiers, in
                                        decode and prefill alike (docs/model.md §5, §6).
                                        0 = not set */
    double expert_bpw;               /* bits per weight of a mixture-of-experts model's routed
                                        expert matrices (llama.cpp's 3-D "_exps" tensors:
                                        MXFP4_MOE keeps them MXFP4, the rest Q8_0); 0 = bpw */
} llmroof_quant;

typedef struct llmroof_kernel_efficiency {
    char kernel[LLMROOF_KERNEL_MAX];
    double efficiency;
} llmroof_kernel_efficiency;

/* The kinds of placement the calibration scores, and bands, separately
 * (docs/accuracy.md): the same engine backend errs differently on one
 * discrete GPU, across several, on a unified-memory chip, on the CPU alone
 * and with layers split between GPU and host. */
typedef enum llmroof_placement_kind {
    LLMROOF_PLACEMENT_GPU = 0,       /* every layer on one discrete GPU */
    LLMROOF_PLACEMENT_MULTI_GPU = 1, /* layers on several discrete GPUs */
    LLMROOF_PLACEMENT_UNIFIED = 2,   /* a unified-memory GPU (Apple, Strix Halo, GB10) */
    LLMROOF_PLACEMENT_CPU = 3,       /* no layer on an accelerator */
    LLMROOF_PLACEMENT_OFFLOAD = 4    /* layers on accelerators and in host RAM */
} llmroof_placement_kind;
#define LLMROOF_PLACEMENT_COUNT 5
/* "gpu", "multi_gpu", "unified", "cpu", "offload": the YAML's `bands` keys. */
LLMROOF_API const char *llmroof_placement_kind_string(int32_t kind);

/* The likely error of one engine backend on one kind of placement: a low
 * and a high quantile of measured / predicted tokens/s over the calibration rows, each
 * predicted by a fit that never saw its source (leave-one-source-out;
 * lib/catalog/calibration/fit.py writes these, widened where rows are few).
 * A prediction p has the likely range [p * lo, p * hi].  All 0: no band. */
typedef struct llmroof_band {
    double decode_lo;                /* 0 < lo <= hi <= 100; lo = hi = 0: none */
    double decode_hi;
    double prefill_lo;               /* the same for prompt processing */
    double prefill_hi;
    uint32_t decode_rows;            /* cross-validated rows behind the decode band */
    uint32_t prefill_rows;
    uint32_t sources;                /* independent sources among those rows */
    uint32_t moe_rows;               /* decode rows of mixture-of-experts models */
} llmroof_band;

typedef struct llmroof_engine_backend {
    int32_t backend;                 /* llmroof_backend */
    uint32_t kernel_count;
    double decode_efficiency;        /* default achieved fraction of peak bandwidth */
    llmroof_kernel_efficiency kernels[LLMROOF_MAX_KERNELS];
    double prefill_efficiency;       /* default achieved fraction of peak f16 compute */
    uint32_t prefill_kernel_count;
    llmroof_kernel_efficiency prefill_kernels[LLMROOF_MAX_KERNELS]; /* per kernel class */
    double per_layer_overhead;       /* seconds per layer per step */
    uint64_t runtime_overhead;       /* bytes per accelerator (context, cuBLAS, ...) */
    double hop_overhead;             /* seconds per hop between pipeline stages (layer
                                        split, host <-> GPU), beyond the link's latency */
    double bandwidth_cap;            /* bytes/s the engine's decode kernels sustain at
                                        most on any device; 0 = no cap */
    double measured_efficiency;      /* achieved fraction of a measured read bandwidth in
                                        decode (per_layer_overhead still applies); 0 =
                                        unknown (a measured device is refused) */
    llmroof_band bands[LLMROOF_PLACEMENT_COUNT]; /* by llmroof_placement_kind */
    double moe_layer_overhead;       /* seconds per mixture-of-experts layer per step, on
                                        top of per_layer_overhead (routing, gather and
                                        per-expert kernels); 0 = none */
    uint32_t measured_device_count;  /* the devices calibration rows of this backend ran on */
    char measured_devices[LLMROOF_MAX_MEASURED_DEVICES][LLMROOF_ID_MAX];
    uint32_t moe_token_tile;         /* tokens in the token tile of the prompt kernels'
                                        expert matrix products: each expert's tokens are
                                        padded to a multiple of it (docs/model.md §6);
                                        0 = no padding modelled */
    double hbm_read_penalty;         /* on a device with HBM memory, each byte read costs
                                        this many more byte-times at peak bandwidth
                                        (docs/model.md §5); 0 = none */
} llmroof_engine_backend;

typedef struct llmroof_engine {
    uint32_t size;
    char id[LLMROOF_ID_MAX];
    char name[LLMROOF_NAME_MAX];
    uint32_t split_modes;            /* OR of LLMROOF_SPLIT_BIT(LLMROOF_SPLIT_*) */
    int32_t default_split;           /* llmroof_split used for LLMROOF_SPLIT_AUTO */
    int32_t offloaded_layers;        /* llmroof_offload */
    uint32_t backend_count;
    llmroof_engine_backend backends[LLMROOF_MAX_BACKENDS];
    uint32_t format_count;           /* 0 = loads any format */
    char formats[LLMROOF_MAX_FORMATS][LLMROOF_FORMAT_MAX]; /* weight formats it loads */
    char source[LLMROOF_SOURCE_MAX];
    uint32_t tasks;                  /* OR of LLMROOF_TASK_*; llmroof_engine_init sets
                                        LLMROOF_TASK_LLM, as does YAML without `tasks` */
} llmroof_engine;

/* What an engine runs (llmroof_engine.tasks).  An estimate of one kind refuses
 * an engine without that task with LLMROOF_E_UNSUPPORTED. */
#define LLMROOF_TASK_LLM 0x1u    /* llmroof_estimate, llmroof_pick */
#define LLMROOF_TASK_IMAGE 0x2u  /* llmroof_image_estimate */
#define LLMROOF_TASK_TRAIN 0x4u  /* llmroof_train_estimate */

/* A diffusion image model (docs/model.md §9).  Each part is one network of
 * the pipeline; FLOPs are per run at the model's native width x height. */
typedef struct llmroof_image_part {
    char name[LLMROOF_NAME_MAX];     /* "CLIP ViT-L/14 text encoder" */
    double params;                   /* parameters */
    double bits;                     /* bits per weight as loaded: 16 (fp16/bf16), 8, 32 */
    double flops;                    /* FLOPs of one run: a text encoder per prompt, the
                                        denoiser per evaluation (batch 1), the VAE decoder
                                        per image */
    double activation;               /* bytes of peak activation memory of one run, batch 1 */
} llmroof_image_part;

typedef struct llmroof_image_model {
    uint32_t size;
    char id[LLMROOF_ID_MAX];
    char name[LLMROOF_NAME_MAX];
    uint32_t width;                  /* native resolution, pixels */
    uint32_t height;
    uint32_t steps;                  /* default sampling steps */
    uint32_t guidance;               /* denoiser evaluations per step: 2 with classifier-
                                        free guidance, 1 for guidance-distilled models */
    llmroof_image_part denoiser;     /* UNet or diffusion transformer */
    double attention_flops;          /* the part of denoiser.flops that grows with the
                                        square of the pixel count (self-attention) */
    uint32_t encoder_count;          /* 0..LLMROOF_MAX_ENCODERS */
    llmroof_image_part encoders[LLMROOF_MAX_ENCODERS];
    llmroof_image_part vae;          /* the VAE decoder (latents -> pixels) */
    char source[LLMROOF_SOURCE_MAX];
} llmroof_image_model;

/* Fill every field with zero / "" and set size.  Call before filling in a
 * descriptor to add. */
LLMROOF_API void llmroof_device_init(llmroof_device *d);
LLMROOF_API void llmroof_link_init(llmroof_link *l);
LLMROOF_API void llmroof_system_init(llmroof_system *s);
LLMROOF_API void llmroof_model_init(llmroof_model *m);
LLMROOF_API void llmroof_quant_init(llmroof_quant *q);
LLMROOF_API void llmroof_engine_init(llmroof_engine *e);
LLMROOF_API void llmroof_image_model_init(llmroof_image_model *m);

/* ------------------------------------------------------------------------
 * Catalog: a validated set of descriptors.  Opaque.
 * ------------------------------------------------------------------------ */
typedef struct llmroof_catalog llmroof_catalog;

typedef enum llmroof_section {
    LLMROOF_SECTION_DEVICES = 0,
    LLMROOF_SECTION_LINKS = 1,
    LLMROOF_SECTION_SYSTEMS = 2,
    LLMROOF_SECTION_MODELS = 3,
    LLMROOF_SECTION_QUANTS = 4,
    LLMROOF_SECTION_ENGINES = 5,
    LLMROOF_SECTION_IMAGE_MODELS = 6 /* YAML key image_models */
} llmroof_section;
#define LLMROOF_SECTION_COUNT 7

/* Section name as in YAML ("devices", ...); "unknown" for bad values. */
LLMROOF_API const char *llmroof_section_string(int32_t section);

/* Flags for loading and adding. */
#define LLMROOF_LOAD_OVERRIDE 0x1u /* an id already in the catalog is replaced, not an error */

/* An empty catalog.  Free it with llmroof_catalog_free(). */
LLMROOF_API llmroof_status llmroof_catalog_new(llmroof_catalog **out, llmroof_error *err);
/* Frees the catalog; NULL does nothing.  Strings returned by the catalog die with it. */
LLMROOF_API void llmroof_catalog_free(llmroof_catalog *cat);

/* Adds the catalog bundled with the library (no file is read). */
LLMROOF_API llmroof_status llmroof_catalog_load_builtin(llmroof_catalog *cat, uint32_t flags,
                                                        llmroof_error *err);
/* Loads one YAML descriptor file.  Either the whole file is added or, on any
 * error, nothing is: the catalog is left as it was. */
LLMROOF_API llmroof_status llmroof_catalog_load_file(llmroof_catalog *cat, const char *path,
                                                     uint32_t flags, llmroof_error *err);
/* Same, from memory.  `name` is used as the file name in errors (may be NULL). */
LLMROOF_API llmroof_status llmroof_catalog_load_string(llmroof_catalog *cat, const char *name,
                                                       const char *text, size_t length,
                                                       uint32_t flags, llmroof_error *err);

/* Descriptors built in code.  Validated like YAML ones (error line/column 0).
 * References (a system's devices and links) must already be in the catalog. */
LLMROOF_API llmroof_status llmroof_catalog_add_device(llmroof_catalog *cat,
                                                      const llmroof_device *d, uint32_t flags,
                                                      llmroof_error *err);
LLMROOF_API llmroof_status llmroof_catalog_add_link(llmroof_catalog *cat, const llmroof_link *l,
                                                    uint32_t flags, llmroof_error *err);
LLMROOF_API llmroof_status llmroof_catalog_add_system(llmroof_catalog *cat,
                                                      const llmroof_system *s, uint32_t flags,
                                                      llmroof_error *err);
LLMROOF_API llmroof_status llmroof_catalog_add_model(llmroof_catalog *cat,
                                                     const llmroof_model *m, uint32_t flags,
                                                     llmroof_error *err);
LLMROOF_API llmroof_status llmroof_catalog_add_quant(llmroof_catalog *cat,
                                                     const llmroof_quant *q, uint32_t flags,
                                                     llmroof_error *err);
LLMROOF_API llmroof_status llmroof_catalog_add_engine(llmroof_catalog *cat,
                                                      const llmroof_engine *e, uint32_t flags,
                                                      llmroof_error *err);
LLMROOF_API llmroof_status llmroof_catalog_add_image_model(llmroof_catalog *cat,
                                                           const llmroof_image_model *m,
                                                           uint32_t flags, llmroof_error *err);

/* Copies a descriptor out by id.  The caller sets out->size (use *_init()). */
LLMROOF_API llmroof_status llmroof_catalog_get_device(const llmroof_catalog *cat, const char *id,
                                                      llmroof_device *out, llmroof_error *err);
LLMROOF_API llmroof_status llmroof_catalog_get_link(const llmroof_catalog *cat, const char *id,
                                                    llmroof_link *out, llmroof_error *err);
LLMROOF_API llmroof_status llmroof_catalog_get_system(const llmroof_catalog *cat, const char *id,
                                                      llmroof_system *out, llmroof_error *err);
LLMROOF_API llmroof_status llmroof_catalog_get_model(const llmroof_catalog *cat, const char *id,
                                                     llmroof_model *out, llmroof_error *err);
LLMROOF_API llmroof_status llmroof_catalog_get_quant(const llmroof_catalog *cat, const char *id,
                                                     llmroof_quant *out, llmroof_error *err);
LLMROOF_API llmroof_status llmroof_catalog_get_engine(const llmroof_catalog *cat, const char *id,
                                                      llmroof_engine *out, llmroof_error *err);
LLMROOF_API llmroof_status llmroof_catalog_get_image_model(const llmroof_catalog *cat,
                                                           const char *id,
                                                           llmroof_image_model *out,
                                                           llmroof_error *err);

/* Number of entries in a section (0 for a bad section or NULL catalog). */
LLMROOF_API uint32_t llmroof_catalog_count(const llmroof_catalog *cat, int32_t section);
/* Id of entry `index` of a section, in load order; NULL when out of range.
 * The string is owned by the catalog and valid until it is changed or freed. */
LLMROOF_API const char *llmroof_catalog_id(const llmroof_catalog *cat, int32_t section,
                                           uint32_t index);

/* ------------------------------------------------------------------------
 * Estimate
 * ------------------------------------------------------------------------ */

/* What to run.  Semantics follow llama-bench (docs/model.md): ctx is the
 * context allocated; `prompt` tokens are processed in one go and `gen`
 * tokens generated one at a time, both starting with `depth` tokens already
 * in the cache; speeds are averages over those tokens. */
typedef struct llmroof_request {
    uint32_t size;
    char system[LLMROOF_ID_MAX];
    char model[LLMROOF_ID_MAX];
    char quant[LLMROOF_ID_MAX];
    char engine[LLMROOF_ID_MAX];   /* "" = "llama.cpp" */
    uint32_t ctx;                  /* 0 = depth + prompt + gen (as llama-bench) */
    uint32_t depth;                /* default 0 */
    uint32_t prompt;               /* default 512 */
    uint32_t gen;                  /* default 128 */
    uint32_t batch;                /* parallel sequences; default 1 */
    uint32_t ubatch;               /* physical batch; default 512 */
    int32_t kv_type;               /* llmroof_kv_type; default F16 */
    int32_t gpu_layers;            /* -1 = automatic (most that fit); default -1.  Above
                                      layers + 1 is clamped, as llama.cpp's -ngl 99 */
    int32_t split;                 /* llmroof_split; default AUTO */
    uint32_t tensor_split_count;   /* 0 = by free memory */
    double tensor_split[LLMROOF_MAX_DEVICES];
    uint32_t flash_attention;      /* 1 = on (default), 0 = off */
    double gpu_share;              /* unified GPU share override; 0 = device default */
    int32_t backend;               /* llmroof_backend the accelerators run; -1 = each
                                      device's own (default).  A device runs its own
                                      backend or Vulkan (llama.cpp's cross-vendor one):
                                      anything else is LLMROOF_E_UNSUPPORTED; CPU and
                                      NONE are LLMROOF_E_INVALID_ARGUMENT. */
    uint32_t threads;              /* CPU threads (llama.cpp -t); 0 = one per core of the
                                      CPU device (its `cores`), as llama.cpp defaults */
    uint32_t reserved_u32[6];      /* must be zero */
    double electricity_price;      /* USD per kWh for the cost figures; 0 = none */
} llmroof_request;

LLMROOF_API void llmroof_request_init(llmroof_request *req);

/* One memory tier of the placement: an accelerator, host RAM or storage. */
typedef struct llmroof_tier {
    int32_t kind;                  /* llmroof_tier_kind */
    char device[LLMROOF_ID_MAX];
    uint32_t layers;               /* repeating layers placed here */
    uint32_t has_output;           /* 1: the output head is here */
    uint64_t capacity;             /* bytes usable here (after reserved, GPU share) */
    uint64_t weights;              /* bytes */
    uint64_t kv;
    uint64_t compute;              /* compute buffer */
    uint64_t overhead;             /* runtime overhead */
    uint64_t total;
    int64_t headroom;              /* capacity - total; negative: short by that much */
    double bandwidth;              /* bytes/s, peak */
    double decode_bytes;           /* bytes read per decode step (at mid-run context) */
    double decode_time;            /* seconds per decode step, this tier alone */
    double decode_bound_time;      /* the same at efficiency 1, no overhead */
    int32_t decode_bound_by;       /* llmroof_resource */
    double prefill_time;           /* seconds for the whole prompt, this tier alone */
} llmroof_tier;

typedef struct llmroof_result {
    uint32_t size;
    int32_t fit;                   /* llmroof_fit */
    uint32_t flags;                /* LLMROOF_FLAG_* */
    int32_t split;                 /* the split actually used */
    int32_t kv_type;
    uint32_t ctx;
    uint32_t batch;
    uint32_t layers;               /* repeating layers of the model */
    int32_t gpu_layers;            /* layers on accelerators (the output head counts as
                                      one more, as llama.cpp's -ngl does) */
    uint64_t weights;              /* bytes, whole model */
    uint64_t kv;                   /* bytes, whole cache */
    uint64_t compute;              /* bytes of compute buffers, all devices */
    uint64_t overhead;             /* runtime overheads, all devices */
    uint64_t total;                /* what the tiers hold, the sum of their totals (the
                                      storage tier's bytes are the host's overflow):
                                      the parts above, plus the copy of a tied embedding
                                      llama.cpp keeps where the head runs */
    double params;                 /* parameters computed from the shapes */
    double active_params;          /* used per token (MoE: routed experts only) */
    uint32_t tier_count;
    llmroof_tier tiers[LLMROOF_MAX_TIERS];
    /* Decode: gen tokens from depth. */
    double decode_tps;             /* tokens/s, all sequences together */
    double decode_bound_tps;       /* roofline bound: efficiency 1, no overheads */
    double decode_step_time;       /* seconds per step at mid-run context */
    double decode_link_time;       /* of which: transfers and syncs between tiers */
    int32_t decode_bound_by;       /* llmroof_resource dominating the step */
    int32_t decode_bound_tier;     /* index into tiers, -1 for links */
    /* Prefill: prompt tokens from depth. */
    double prefill_tps;
    double prefill_bound_tps;
    double ttft;                   /* seconds: time to first token = prefill time */
    int32_t prefill_bound_by;
    int32_t prefill_bound_tier;
    double request_time;           /* prefill + all gen steps, seconds */
    /* Energy and cost (0 when the descriptors give no power / price). */
    double power;                  /* watts while decoding */
    double joules_per_token;
    double price;                  /* USD */
    double price_per_tps;          /* USD per decode token/s */
    double idle_power;             /* watts of the system at idle; 0 = unknown */
    double cost_per_mtok;          /* USD of electricity per million generated tokens at
                                      request.electricity_price; 0 = no price or power */
    double prefill_joules_per_token;
    /* Error band: the likely range of decode_tps and prefill_tps (quantiles of
     * the cross-validated measured/predicted ratio for this engine backend
     * and placement kind; flags say when it is thin or borrowed).  0 when
     * the speed is 0. */
    double decode_tps_lo;
    double decode_tps_hi;
    double prefill_tps_lo;
    double prefill_tps_hi;
    int32_t band_kind;             /* llmroof_placement_kind the band is for */
    uint32_t reserved_u32;         /* must be zero */
} llmroof_result;

LLMROOF_API void llmroof_result_init(llmroof_result *res);

/* Predicts memory fit and speed.  A model that cannot run is not an error:
 * the call succeeds with fit == LLMROOF_FIT_NONE and tiers saying by how much
 * each is short.  Errors are for bad requests (unknown ids, a split mode the
 * engine lacks, gpu_layers below -1, ...); gpu_layers above the model's
 * layers + 1 is clamped (docs/model.md §4), as llama.cpp takes -ngl 99.
 * Never allocates; safe to call from many threads on one catalog. */
LLMROOF_API llmroof_status llmroof_estimate(const llmroof_catalog *cat,
                                            const llmroof_request *req, llmroof_result *res,
                                            llmroof_error *err);

/* ------------------------------------------------------------------------
 * Image generation: a diffusion pipeline on one accelerator (docs/model.md §9).
 * ------------------------------------------------------------------------ */

/* Where the pipeline's parts live while an image is made. */
typedef enum llmroof_image_offload {
    LLMROOF_IMAGE_OFFLOAD_AUTO = -1,  /* NONE if it fits, else MODEL */
    LLMROOF_IMAGE_OFFLOAD_NONE = 0,   /* every part resident on the accelerator */
    LLMROOF_IMAGE_OFFLOAD_MODEL = 1   /* one part on the accelerator at a time, the others in
                                         host RAM, moved over the host link when used
                                         (diffusers enable_model_cpu_offload) */
} llmroof_image_offload;

/* "auto", "none", "model"; "unknown" for bad values. */
LLMROOF_API const char *llmroof_image_offload_string(int32_t offload);

typedef struct llmroof_image_request {
    uint32_t size;
    char system[LLMROOF_ID_MAX];
    char model[LLMROOF_ID_MAX];      /* an image model id */
    char engine[LLMROOF_ID_MAX];     /* "" = the first engine in catalog order with
                                        LLMROOF_TASK_IMAGE and a backend for the device */
    uint32_t width;                  /* pixels; 0 = the model's native size */
    uint32_t height;
    uint32_t steps;                  /* 0 = the model's default */
    uint32_t batch;                  /* images per run; default 1 */
    double denoiser_bits;            /* weight bits of the denoiser as loaded (8: fp8);
                                        0 = the descriptor's */
    int32_t offload;                 /* llmroof_image_offload; default AUTO */
    uint32_t reserved_u32[7];        /* must be zero */
    double electricity_price;        /* USD per kWh; 0 = none */
} llmroof_image_request;

LLMROOF_API void llmroof_image_request_init(llmroof_image_request *req);

typedef struct llmroof_image_result {
    uint32_t size;
    int32_t fit;                     /* LLMROOF_FIT_GPU (all resident), _OFFLOAD (fits with
                                        model offload), _NONE */
    int32_t offload;                 /* llmroof_image_offload used (never AUTO) */
    uint32_t width;                  /* as run */
    uint32_t height;
    uint32_t steps;
    uint32_t batch;
    char device[LLMROOF_ID_MAX];     /* the accelerator that runs it (the system's first) */
    uint64_t weights;                /* bytes of every part's weights */
    uint64_t activations;            /* bytes of peak activations (the largest part's run) */
    uint64_t overhead;               /* engine runtime overhead */
    uint64_t peak;                   /* bytes resident on the accelerator at the peak */
    uint64_t capacity;               /* bytes usable on the accelerator */
    int64_t headroom;                /* capacity - peak; negative: short by that much */
    double step_flops;               /* FLOPs of one sampling step (guidance, batch) */
    double step_time;                /* seconds per sampling step */
    double step_bound_time;          /* the same at efficiency 1 */
    int32_t step_bound_by;           /* llmroof_resource: COMPUTE or DEVICE_MEMORY */
    uint32_t reserved_u32a;
    double encode_time;              /* seconds: text encoders, once per run */
    double vae_time;                 /* seconds: VAE decode of the whole batch */
    double transfer_time;            /* seconds: weights over the host link (offload) */
    double run_time;                 /* seconds for the whole batch */
    double seconds_per_image;        /* run_time / batch */
    double power;                    /* watts while generating; 0 = unknown */
    double joules_per_image;
    double cost_per_image;           /* USD of electricity at the request's price */
    double price;                    /* USD of the system; 0 = unknown */
    double price_per_ipm;            /* USD per image/minute of throughput */
    double idle_power;               /* watts at idle; 0 = unknown */
    double reserved_f64[8];
} llmroof_image_result;

LLMROOF_API void llmroof_image_result_init(llmroof_image_result *res);

/* Predicts memory fit and seconds per image.  Not fitting is a result
 * (fit == LLMROOF_FIT_NONE), not an error.  Never allocates; thread-safe as
 * llmroof_estimate. */
LLMROOF_API llmroof_status llmroof_image_estimate(const llmroof_catalog *cat,
                                                  const llmroof_image_request *req,
                                                  llmroof_image_result *res,
                                                  llmroof_error *err);

/* ------------------------------------------------------------------------
 * Fine-tuning: memory and step time of training an LLM (docs/model.md §10).
 * ------------------------------------------------------------------------ */

typedef enum llmroof_train_method {
    LLMROOF_TRAIN_FULL = 0,   /* every weight trained: bf16 weights and gradients, fp32
                                 master weights and optimizer states */
    LLMROOF_TRAIN_LORA = 1,   /* frozen 16-bit base, low-rank adapters trained */
    LLMROOF_TRAIN_QLORA = 2   /* frozen 4-bit NF4 base (double quantization), adapters */
} llmroof_train_method;

typedef enum llmroof_lora_targets {
    LLMROOF_LORA_ATTENTION = 0,   /* q, k, v, o projections */
    LLMROOF_LORA_ALL_LINEAR = 1   /* those and the FFN's gate, up, down (QLoRA paper) */
} llmroof_lora_targets;

typedef enum llmroof_optimizer {
    LLMROOF_OPTIMIZER_ADAMW = 0,      /* two fp32 states per trained parameter */
    LLMROOF_OPTIMIZER_ADAMW_8BIT = 1, /* bitsandbytes 8-bit states */
    LLMROOF_OPTIMIZER_SGD = 2         /* no state (momentum-free) */
} llmroof_optimizer;

/* Stable identifiers: "full", "lora", "qlora"; "attention", "all-linear";
 * "adamw", "adamw-8bit", "sgd"; "unknown" for bad values. */
LLMROOF_API const char *llmroof_train_method_string(int32_t method);
LLMROOF_API const char *llmroof_lora_targets_string(int32_t targets);
LLMROOF_API const char *llmroof_optimizer_string(int32_t optimizer);

typedef struct llmroof_train_request {
    uint32_t size;
    char system[LLMROOF_ID_MAX];
    char model[LLMROOF_ID_MAX];      /* an LLM model id */
    char engine[LLMROOF_ID_MAX];     /* "" = the first engine in catalog order with
                                        LLMROOF_TASK_TRAIN and a backend for the device */
    int32_t method;                  /* llmroof_train_method; default LORA */
    uint32_t seq_len;                /* tokens per sequence; default 2048 */
    uint32_t micro_batch;            /* sequences per step per accelerator; default 1 */
    uint32_t checkpointing;          /* 1: gradient checkpointing (recompute every layer's
                                        activations in the backward pass); default 1 */
    uint32_t flash_attention;        /* 1: attention scores never stored; default 1 */
    uint32_t lora_rank;              /* default 16 */
    int32_t lora_targets;            /* llmroof_lora_targets; default ALL_LINEAR */
    int32_t optimizer;               /* llmroof_optimizer; default ADAMW */
    uint32_t gpus;                   /* data-parallel replicas; 0 = every accelerator */
    uint32_t reserved_u32[7];        /* must be zero */
    double electricity_price;        /* USD per kWh; 0 = none */
} llmroof_train_request;

LLMROOF_API void llmroof_train_request_init(llmroof_train_request *req);

typedef struct llmroof_train_result {
    uint32_t size;
    int32_t fit;                     /* LLMROOF_FIT_GPU (fits the training device) or
                                        LLMROOF_FIT_NONE */
    uint32_t gpus;                   /* replicas used */
    uint32_t reserved_u32a;
    char device[LLMROOF_ID_MAX];     /* the (first) accelerator; the host device on a
                                        system without accelerators */
    char engine[LLMROOF_ID_MAX];     /* the engine used (the default one for "") */
    double params;                   /* parameters of the model (from its shapes) */
    double trainable_params;         /* full: params; LoRA/QLoRA: the adapters' */
    /* Bytes per accelerator (each replica holds all of it). */
    uint64_t weights;                /* the base (16-bit; QLoRA: NF4 layers + fp32
                                        embedding and head) plus the adapters */
    uint64_t gradients;              /* of the trained parameters */
    uint64_t optimizer_states;       /* of the trained parameters */
    uint64_t master_weights;         /* fp32 copy of 16-bit trained parameters */
    uint64_t activations;            /* kept for the backward pass */
    uint64_t logits;                 /* output logits and their fp32 loss copy */
    uint64_t overhead;               /* engine runtime overhead */
    uint64_t total;
    uint64_t capacity;               /* bytes usable on the accelerator */
    int64_t headroom;                /* capacity - total */
    double step_flops;               /* FLOPs of one micro-batch on one replica, with
                                        recomputation */
    double step_time;                /* seconds per micro-batch step, all-reduce included */
    double allreduce_time;           /* of which: gradient all-reduce over the GPU link */
    double tokens_per_s;             /* training tokens/s, all replicas together */
    double power;                    /* watts while training; 0 = unknown */
    double joules_per_token;
    double cost_per_mtok;            /* USD of electricity per million training tokens */
    double price;                    /* USD of the system; 0 = unknown */
    double price_per_tps;            /* USD per training token/s */
    double idle_power;               /* watts at idle; 0 = unknown */
    double reserved_f64[7];
} llmroof_train_result;

LLMROOF_API void llmroof_train_result_init(llmroof_train_result *res);

/* Predicts fine-tuning memory per accelerator and training speed.  Not
 * fitting is a result, not an error.  Never allocates; thread-safe. */
LLMROOF_API llmroof_status llmroof_train_estimate(const llmroof_catalog *cat,
                                                  const llmroof_train_request *req,
                                                  llmroof_train_result *res,
                                                  llmroof_error *err);

/* ------------------------------------------------------------------------
 * Pick: the best quant and placement for a machine, model and targets
 * (docs/pick.md).  For launchers: deterministic, no allocation, a few
 * estimates per candidate.
 * ------------------------------------------------------------------------ */

/* Bits of llmroof_pick_request.flags. */
#define LLMROOF_PICK_NO_OFFLOAD 0x1u   /* refuse placements that leave layers in host RAM */
#define LLMROOF_PICK_NO_STORAGE 0x2u   /* refuse placements that page weights from disk
                                          (set by llmroof_pick_request_init) */

/* What to choose among and what the choice must meet.  `base` is an
 * ordinary estimate request: system, model, engine, ctx, prompt, gen,
 * batch, ubatch, split, backend, flash attention, gpu_share; its quant,
 * kv_type and gpu_layers are ignored (the pick sets them). */
typedef struct llmroof_pick_request {
    uint32_t size;
    llmroof_request base;
    uint32_t quant_count;                 /* 0: every quant in the catalog the engine loads */
    char quants[LLMROOF_MAX_CANDIDATES][LLMROOF_ID_MAX];
    uint32_t kv_types;                    /* OR of 1u << llmroof_kv_type allowed, tried from
                                             the most precise; 0 = f16 only */
    uint32_t min_ctx;                     /* the context may shrink down to this many tokens
                                             to avoid offloading (llama.cpp's --fit does);
                                             0 = base.ctx is fixed */
    double min_decode_tps;                /* targets; 0 = none */
    double min_prefill_tps;
    double max_ttft;                      /* seconds */
    uint64_t headroom;                    /* bytes left free on every accelerator */
    uint32_t flags;                       /* LLMROOF_PICK_* */
    uint32_t reserved_u32[7];             /* must be zero */
} llmroof_pick_request;

LLMROOF_API void llmroof_pick_request_init(llmroof_pick_request *req);

/* Why a candidate was or was not chosen. */
typedef enum llmroof_verdict {
    LLMROOF_VERDICT_CHOSEN = 0,        /* the best candidate that meets every target */
    LLMROOF_VERDICT_MEETS = 1,         /* meets every target; the chosen one ranks higher */
    LLMROOF_VERDICT_NOT_TRIED = 2,     /* lower quality than the chosen: no need to weigh it */
    LLMROOF_VERDICT_NO_FIT = 3,        /* does not fit (shortfall, short_device) */
    LLMROOF_VERDICT_OFFLOAD = 4,       /* fits only with host RAM or storage, which the
                                          flags refuse */
    LLMROOF_VERDICT_HEADROOM = 5,      /* fits, but leaves less than the headroom asked */
    LLMROOF_VERDICT_SLOW_DECODE = 6,   /* decode below min_decode_tps */
    LLMROOF_VERDICT_SLOW_PREFILL = 7,  /* prefill below min_prefill_tps */
    LLMROOF_VERDICT_SLOW_TTFT = 8,     /* time to first token above max_ttft */
    LLMROOF_VERDICT_UNSUPPORTED = 9    /* the engine cannot run it (format, split) */
} llmroof_verdict;

/* "chosen", "meets", "not-tried", ...; "unknown" for bad values. */
LLMROOF_API const char *llmroof_verdict_string(int32_t verdict);

/* Bits of llmroof_candidate.flags and llmroof_pick_result.flags. */
#define LLMROOF_PICK_CTX_SHRUNK 0x1u     /* the context was shrunk to keep every layer on
                                            the GPUs */
#define LLMROOF_PICK_KV_QUANTIZED 0x2u   /* a quantized KV cache was needed */

/* One quant weighed: the best configuration tried for it. */
typedef struct llmroof_candidate {
    char quant[LLMROOF_ID_MAX];
    int32_t verdict;                   /* llmroof_verdict */
    uint32_t flags;                    /* LLMROOF_PICK_CTX_SHRUNK, _KV_QUANTIZED */
    double quality;                    /* the quant's (< 0: unknown) */
    double bpw;
    int32_t kv_type;                   /* of the configuration reported */
    uint32_t ctx;
    int32_t split;
    int32_t gpu_layers;                /* -ngl */
    int32_t fit;                       /* llmroof_fit */
    double decode_tps;                 /* 0 when not estimated */
    double prefill_tps;
    double ttft;
    uint64_t total;                    /* bytes */
    int64_t shortfall;                 /* NO_FIT / HEADROOM: bytes missing on short_device */
    char short_device[LLMROOF_ID_MAX];
    char reason[LLMROOF_REASON_MAX];   /* one sentence, e.g. "decode 7.2 tok/s < 10" */
} llmroof_candidate;

typedef struct llmroof_pick_result {
    uint32_t size;
    int32_t chosen;                    /* index into candidates; -1: none meets the targets */
    int32_t closest;                   /* when none does: the nearest miss (index), else
                                          = chosen; -1 if nothing runs at all */
    uint32_t flags;                    /* of the chosen (or closest) candidate */
    char advice[LLMROOF_ADVICE_MAX];   /* when none meets: what to relax; else "" */
    llmroof_request request;           /* the chosen (or closest) configuration, ready
                                          for llmroof_estimate() */
    llmroof_result estimate;           /* its estimate */
    uint32_t candidate_count;
    llmroof_candidate candidates[LLMROOF_MAX_CANDIDATES]; /* in ranking order */
    double reserved_f64[4];
} llmroof_pick_result;

LLMROOF_API void llmroof_pick_result_init(llmroof_pick_result *res);

/* Chooses the best-quality quant that meets every target, with its
 * placement, and says why every other candidate lost (docs/pick.md for the
 * ranking).  Nothing meeting the targets is not an error: chosen is -1,
 * closest and advice say what came nearest.  Errors are for bad requests
 * (unknown ids, bad sizes, more than LLMROOF_MAX_CANDIDATES quants).
 * Never allocates; safe to call from many threads on one catalog. */
LLMROOF_API llmroof_status llmroof_pick(const llmroof_catalog *cat, const llmroof_pick_request *req,
                                        llmroof_pick_result *res, llmroof_error *err);

/* ------------------------------------------------------------------------
 * GGUF model files (docs/gguf.md): the header, metadata and tensor infos
 * only -- tensor data is never read, so a 100 GB file is answered in
 * milliseconds.
 * ------------------------------------------------------------------------ */

/* Bits of llmroof_gguf_info.derived: what the metadata gave. */
#define LLMROOF_GGUF_SHAPES 0x1u     /* layers, widths, heads: a usable model descriptor */
#define LLMROOF_GGUF_MOE 0x2u        /* expert counts */
#define LLMROOF_GGUF_MLA 0x4u        /* latent attention ranks */
#define LLMROOF_GGUF_SLIDING 0x8u    /* a sliding window and its layer count */

typedef struct llmroof_gguf_info {
    uint32_t size;
    uint32_t version;                /* GGUF version (2 or 3) */
    uint32_t parts;                  /* files read (split GGUF: -00001-of-0000N) */
    uint32_t file_type;              /* general.file_type (llama_ftype); UINT32_MAX if absent */
    uint64_t file_bytes;             /* all parts */
    uint64_t tensor_count;
    uint64_t metadata_count;
    uint64_t tensor_bytes;           /* exact bytes of every tensor, from its type's blocks */
    uint64_t layer_bytes;            /* of the repeating blocks (blk.N.*) */
    uint64_t embed_bytes;            /* token_embd.weight */
    uint64_t output_bytes;           /* output.weight (0: tied to the embedding) */
    double params;                   /* elements of every tensor */
    uint32_t derived;                /* LLMROOF_GGUF_* */
    char architecture[LLMROOF_ID_MAX];
    char note[LLMROOF_ERROR_MESSAGE_MAX]; /* what could not be derived, "" if all */
} llmroof_gguf_info;

LLMROOF_API void llmroof_gguf_info_init(llmroof_gguf_info *info);

/* Reads a GGUF file's header into a model and a quant descriptor (ids from
 * the file name; quant bpw from the exact tensor bytes: layers, embedding
 * and head each their own) and the info.  Any of model, quant, info may be
 * NULL.  Split files: pass the first part.  An architecture whose shapes
 * cannot be derived still gives exact bytes: the call succeeds, derived
 * lacks LLMROOF_GGUF_SHAPES and note says what is missing.  Hostile or
 * broken files (truncated, absurd counts, offsets past the end, unknown
 * types, duplicate keys, a shape key, general.alignment, general.file_type
 * or split.count present but not a whole number from 0 to 2^32 - 1) are
 * errors with the byte offset in `column` and line 0; absent keys keep
 * their defaults.  Never reads tensor data; memory is bounded by the tensor count. */
LLMROOF_API llmroof_status llmroof_model_from_gguf(const char *path, llmroof_model *model,
                                                   llmroof_quant *quant,
                                                   llmroof_gguf_info *info,
                                                   llmroof_error *err);

/* Reads a Hugging Face config.json (the shapes a checkpoint ships with)
 * into a model descriptor: layers, widths, heads, vocabulary, context, tied
 * embeddings, mixture of experts (Mixtral, Qwen-MoE, DeepSeek, gpt-oss key
 * names), latent attention and sliding windows (layer_types, or Gemma's
 * patterns).  A multimodal config's "text_config" wins over its top level.
 * The id is the parent directory's name (ORG_NAME/config.json), else the
 * model_type.  params is left 0: the estimator derives it from the shapes.
 * A file lacking a shape is LLMROOF_E_SCHEMA naming what is missing;
 * malformed JSON is LLMROOF_E_SYNTAX with line and column. */
LLMROOF_API llmroof_status llmroof_model_from_config(const char *path, llmroof_model *model,
                                                     llmroof_error *err);

/* The llama-server / llama-cli arguments for a pick's chosen (or closest)
 * configuration: "-ngl N -c CTX -ctk T -ctv T -fa on|off", plus
 * "--split-mode MODE -ts a,b,..." on several GPUs, "-ub N" and "-np N" when
 * they are not the defaults.  The model file (-m) is the launcher's to add.
 * snprintf semantics: writes at most `size` bytes (NUL included) and returns
 * the length the whole text needs; 0 when the result holds no configuration. */
LLMROOF_API size_t llmroof_pick_llama_args(const llmroof_pick_result *res, char *buf,
                                           size_t size);

#ifdef __cplusplus
}
#endif

#endif /* LLMROOF_H */
