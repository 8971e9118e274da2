/* Descriptors built in code for the model's tests: an RTX 4090 PC, a Mac
 * Studio style unified machine, Llama 3.1 8B / Llama 3 70B shapes.  The
 * figures are the public ones (vendor specs, config.json); the engine
 * parameters are round test values, not the calibrated catalog's. */
#ifndef LLMROOF_TEST_FIXTURE_H
#define LLMROOF_TEST_FIXTURE_H

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

#define GiB (1024.0 * 1024.0 * 1024.0)

typedef struct fixture {
    llmroof_device gpu, host, storage, unified, mac_cpu;
    llmroof_link pcie, nvlink;
    llmroof_system sys;
    llmroof__machine m;
    llmroof_model model;
    llmroof_quant quant;
    llmroof_engine engine;
    llmroof_request req;
} fixture;

static inline void fx_engine(llmroof_engine *e)
{
    llmroof_engine_init(e); /* tasks: LLM */
    strcpy(e->id, "test-engine");
    e->split_modes = LLMROOF_SPLIT_BIT(LLMROOF_SPLIT_LAYER) | LLMROOF_SPLIT_BIT(LLMROOF_SPLIT_ROW) |
                     LLMROOF_SPLIT_BIT(LLMROOF_SPLIT_TENSOR) | LLMROOF_SPLIT_BIT(LLMROOF_SPLIT_NONE);
    e->default_split = LLMROOF_SPLIT_LAYER;
    e->offloaded_layers = LLMROOF_OFFLOAD_HOST_COMPUTE;
    e->backend_count = 3;
    int32_t be[3] = {LLMROOF_BACKEND_CUDA, LLMROOF_BACKEND_CPU, LLMROOF_BACKEND_METAL};
    for (int i = 0; i < 3; i++) {
        e->backends[i].backend = be[i];
        e->backends[i].decode_efficiency = 0.8;
        e->backends[i].prefill_efficiency = 0.5;
        e->backends[i].per_layer_overhead = 20e-6;
        e->backends[i].runtime_overhead = i == 0 ? 256u << 20 : 0;
    }
}

static inline void fx_llama8b(llmroof_model *m)
{
    memset(m, 0, sizeof *m);
    m->size = sizeof *m;
    strcpy(m->id, "llama-3.1-8b");
    m->layers = 32;
    m->hidden = 4096;
    m->ffn = 14336;
    m->heads = 32;
    m->kv_heads = 8;
    m->head_dim = 128;
    m->vocab = 128256;
    m->context = 131072;
    m->params = 8.03e9;
}

static inline void fx_llama70b(llmroof_model *m)
{
    fx_llama8b(m);
    strcpy(m->id, "llama-3-70b");
    m->layers = 80;
    m->hidden = 8192;
    m->ffn = 28672;
    m->heads = 64;
    m->kv_heads = 8;
    m->context = 8192;
    m->params = 70.6e9;
}

static inline void fx_quant(llmroof_quant *q, const char *id, double bpw, const char *kernel)
{
    memset(q, 0, sizeof *q);
    q->size = sizeof *q;
    strcpy(q->id, id);
    q->bpw = bpw;
    strcpy(q->kernel, kernel);
}

/* Re-points the machine at the fixture's own structs (after copying). */
static inline void fx_bind(fixture *f, uint32_t gpus, const llmroof_link *gpu_link)
{
    f->sys.accelerator_count = gpus;
    f->m.system = &f->sys;
    f->m.accel_count = gpus;
    for (uint32_t i = 0; i < gpus; i++)
        f->m.accel[i] = &f->gpu;
    f->m.gpu_link = gpus > 1 ? gpu_link : NULL;
    f->m.host_link = &f->pcie;
    f->m.host = &f->host;
    f->m.storage = &f->storage;
}

/* One or more RTX 4090s (24 GiB, 1008 GB/s, 165.2 TFLOPS f16) on PCIe 4.0
 * x16 (31.5 GB/s, 10 us), DDR5-5600 dual channel (89.6 GB/s), 64 GiB. */
static inline void fx_pc(fixture *f, uint32_t gpus)
{
    memset(f, 0, sizeof *f);
    f->gpu.size = sizeof f->gpu;
    strcpy(f->gpu.id, "rtx-4090");
    f->gpu.kind = LLMROOF_DEVICE_GPU;
    f->gpu.backend = LLMROOF_BACKEND_CUDA;
    f->gpu.memory = 24ull << 30;
    f->gpu.reserved = 512ull << 20;
    f->gpu.bandwidth = 1008e9;
    f->gpu.compute_f16 = 165.2e12;
    f->gpu.power = 450;

    f->host.size = sizeof f->host;
    strcpy(f->host.id, "ddr5-5600-2ch");
    f->host.kind = LLMROOF_DEVICE_CPU;
    f->host.backend = LLMROOF_BACKEND_CPU;
    f->host.bandwidth = 89.6e9;
    f->host.compute_f16 = 2e12;

    f->storage.size = sizeof f->storage;
    strcpy(f->storage.id, "nvme");
    f->storage.kind = LLMROOF_DEVICE_STORAGE;
    f->storage.backend = LLMROOF_BACKEND_NONE;
    f->storage.bandwidth = 7e9;

    f->pcie.size = sizeof f->pcie;
    strcpy(f->pcie.id, "pcie-4.0-x16");
    f->pcie.bandwidth = 31.5e9;
    f->pcie.latency = 10e-6;
    f->nvlink = f->pcie;
    strcpy(f->nvlink.id, "nvlink");
    f->nvlink.bandwidth = 112.5e9;
    f->nvlink.latency = 3e-6;

    f->sys.size = sizeof f->sys;
    strcpy(f->sys.id, "test-pc");
    f->sys.host_memory = 64ull << 30;
    fx_bind(f, gpus, &f->pcie);

    fx_llama8b(&f->model);
    fx_quant(&f->quant, "Q4_K_M", 4.89, "q4_k");
    fx_engine(&f->engine);
    llmroof_request_init(&f->req);
}

/* A unified-memory machine like a 96 GB Mac Studio M3 Ultra: 819 GB/s,
 * GPU may wire 75 % by default, up to 95 %. */
static inline void fx_mac(fixture *f, double pool_gb)
{
    fx_pc(f, 1);
    f->gpu.kind = LLMROOF_DEVICE_UNIFIED;
    f->gpu.backend = LLMROOF_BACKEND_METAL;
    f->gpu.memory = 512ull * 1000 * 1000 * 1000;
    f->gpu.reserved = 0;
    f->gpu.bandwidth = 819e9;
    f->gpu.compute_f16 = 28e12;
    f->gpu.gpu_share = 0.75;
    f->gpu.gpu_share_max = 0.95;
    f->host.bandwidth = 400e9;
    f->sys.host_memory = (uint64_t)(pool_gb * 1e9);
    f->m.host_link = NULL;
}

static inline llmroof_result fx_run(fixture *f)
{
    llmroof_result r;
    llmroof_result_init(&r);
    llmroof_error e;
    llmroof_error_init(&e);
    llmroof_status st =
        llmroof__estimate_plain(&f->m, &f->model, &f->quant, &f->engine, &f->req, &r, &e);
    ck_assert_msg(st == LLMROOF_OK, "estimate failed: %s", e.message);
    return r;
}

static inline int fx_run_main(Suite *s)
{
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_ENV);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif
