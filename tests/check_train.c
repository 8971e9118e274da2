/* Fine-tuning memory and speed against hand-computed values of
 * docs/model.md §10 (Llama 3.1 8B shapes: P_lin = 6,979,321,856, P_emb =
 * 1,050,673,152, P = 8,029,995,008), the request's errors, and the
 * conclusions on the bundled catalog. */
#include <math.h>
#include <string.h>

#include "fixture.h"

#define P_ALL 8029995008.0
#define P_LIN 6979321856.0
#define P_EMB 1050673152.0
#define A16 41943040.0          /* r = 16, all-linear (§10.2) */
#define A16_ATTN 13631488.0     /* r = 16, q k v o only */

typedef struct tfix {
    fixture f;
    llmroof_train_request req;
} tfix;

static void tx_pc(tfix *t, uint32_t gpus)
{
    fx_pc(&t->f, gpus);
    t->f.engine.tasks |= LLMROOF_TASK_TRAIN;
    llmroof_train_request_init(&t->req);
}

static llmroof_status tx_try(tfix *t, llmroof_train_result *r, llmroof_error *e)
{
    llmroof_train_result_init(r);
    llmroof_error_init(e);
    return llmroof__train_plain(&t->f.m, &t->f.model, &t->f.engine, &t->req, r, e);
}

static llmroof_train_result tx_run(tfix *t)
{
    llmroof_train_result r;
    llmroof_error e;
    llmroof_status st = tx_try(t, &r, &e);
    ck_assert_msg(st == LLMROOF_OK, "train estimate failed: %s", e.message);
    return r;
}

/* Whole bytes: the library rounds each part up. */
static void eq_bytes(uint64_t got, double want)
{
    ck_assert_msg(fabs((double)got - want) <= 1.0, "%llu bytes, expected %.1f",
                  (unsigned long long)got, want);
}

static void near(double got, double want, double rel)
{
    ck_assert_msg(fabs(got - want) <= rel * fabs(want), "%.9g, expected %.9g", got, want);
}

START_TEST(defaults)
{
    llmroof_train_request r;
    llmroof_train_request_init(&r);
    ck_assert_uint_eq(r.size, sizeof r);
    ck_assert_int_eq(r.method, LLMROOF_TRAIN_LORA);
    ck_assert_uint_eq(r.seq_len, 2048);
    ck_assert_uint_eq(r.micro_batch, 1);
    ck_assert_uint_eq(r.checkpointing, 1);
    ck_assert_uint_eq(r.flash_attention, 1);
    ck_assert_uint_eq(r.lora_rank, 16);
    ck_assert_int_eq(r.lora_targets, LLMROOF_LORA_ALL_LINEAR);
    ck_assert_int_eq(r.optimizer, LLMROOF_OPTIMIZER_ADAMW);
    ck_assert_uint_eq(r.gpus, 0);
    ck_assert_str_eq(llmroof_train_method_string(LLMROOF_TRAIN_QLORA), "qlora");
    ck_assert_str_eq(llmroof_train_method_string(3), "unknown");
    ck_assert_str_eq(llmroof_train_method_string(-1), "unknown");
    ck_assert_str_eq(llmroof_lora_targets_string(LLMROOF_LORA_ALL_LINEAR), "all-linear");
    ck_assert_str_eq(llmroof_lora_targets_string(LLMROOF_LORA_ATTENTION), "attention");
    ck_assert_str_eq(llmroof_lora_targets_string(2), "unknown");
    ck_assert_str_eq(llmroof_optimizer_string(LLMROOF_OPTIMIZER_ADAMW_8BIT), "adamw-8bit");
    ck_assert_str_eq(llmroof_optimizer_string(LLMROOF_OPTIMIZER_SGD), "sgd");
    ck_assert_str_eq(llmroof_optimizer_string(7), "unknown");
}
END_TEST

/* §10.2: 2 + 2 + 4 + 8 bytes per parameter (ZeRO §3), 8-bit states 2, SGD 0. */
START_TEST(full_sixteen_bytes)
{
    tfix t;
    tx_pc(&t, 1);
    t.req.method = LLMROOF_TRAIN_FULL;
    llmroof_train_result r = tx_run(&t);
    ck_assert_double_eq(r.params, P_ALL);
    ck_assert_double_eq(r.trainable_params, P_ALL);
    eq_bytes(r.weights, 2 * P_ALL);
    eq_bytes(r.gradients, 2 * P_ALL);
    eq_bytes(r.master_weights, 4 * P_ALL);
    eq_bytes(r.optimizer_states, 8 * P_ALL);
    t.req.optimizer = LLMROOF_OPTIMIZER_ADAMW_8BIT;
    r = tx_run(&t);
    eq_bytes(r.optimizer_states, 2 * P_ALL);
    eq_bytes(r.master_weights, 4 * P_ALL);
    t.req.optimizer = LLMROOF_OPTIMIZER_SGD;
    r = tx_run(&t);
    eq_bytes(r.optimizer_states, 0);
    ck_assert_int_eq(r.fit, LLMROOF_FIT_NONE);
    ck_assert_int_lt(r.headroom, 0);
}
END_TEST

/* §10.2: r (d_in + d_out) per targeted matrix, k and v out hkv dh = 1024;
 * fp32 adapters: 4 + 4 + 8 bytes each, no master copy. */
START_TEST(lora_adapters_gqa)
{
    tfix t;
    tx_pc(&t, 1);
    llmroof_train_result r = tx_run(&t);
    ck_assert_double_eq(r.trainable_params, A16);
    eq_bytes(r.weights, 2 * P_ALL + 4 * A16);
    eq_bytes(r.gradients, 4 * A16);
    eq_bytes(r.optimizer_states, 8 * A16);
    eq_bytes(r.master_weights, 0);
    t.req.lora_targets = LLMROOF_LORA_ATTENTION;
    r = tx_run(&t);
    ck_assert_double_eq(r.trainable_params, A16_ATTN);
    t.req.lora_rank = 64;
    r = tx_run(&t);
    ck_assert_double_eq(r.trainable_params, 4 * A16_ATTN);
    /* An MHA model (kv_heads = heads): every projection d x d. */
    t.f.model.kv_heads = 32;
    t.req.lora_rank = 8;
    r = tx_run(&t);
    ck_assert_double_eq(r.trainable_params, 32.0 * 8 * 4 * (4096 + 4096));
}
END_TEST

/* §10.2: NF4 + double quantization 4.127 bits on P_lin; embedding and head
 * in fp32 (prepare_model_for_kbit_training); adapters as LoRA. */
START_TEST(qlora_bits)
{
    tfix t;
    tx_pc(&t, 1);
    t.req.method = LLMROOF_TRAIN_QLORA;
    llmroof_train_result r = tx_run(&t);
    eq_bytes(r.weights, 7970922430.464);
    eq_bytes(r.weights, P_LIN * 4.127 / 8 + 4 * P_EMB + 4 * A16);
    eq_bytes(r.gradients, 4 * A16);
    /* A tied model has one V x d matrix. */
    t.f.model.tied_embeddings = 1;
    r = tx_run(&t);
    eq_bytes(r.weights, P_LIN * 4.127 / 8 + 4 * P_EMB / 2 + 4 * A16);
    ck_assert_double_eq(r.params, P_ALL - P_EMB / 2);
}
END_TEST

/* §10.3: per layer t (8d + 4q + 4k + 8f + 4h) with flash attention,
 * t (8d + 8q + 8f) + 6 h s^2 b without; checkpointing keeps 2 t d per
 * layer plus one layer; 4 t d outside the layers. */
START_TEST(activations)
{
    tfix t;
    tx_pc(&t, 1);
    t.req.method = LLMROOF_TRAIN_FULL;
    llmroof_train_result r = tx_run(&t);
    eq_bytes(r.activations, 914620416.0);
    t.req.checkpointing = 0;
    r = tx_run(&t);
    eq_bytes(r.activations, 32.0 * 344195072.0 + 33554432.0);
    t.req.flash_attention = 0;
    r = tx_run(&t);
    eq_bytes(r.activations, 37614518272.0);
    /* Without flash attention the s^2 term: 4x seq_len is more than 4x bytes;
     * with it, exactly 4x (every term is linear in t). */
    t.req.seq_len = 8192;
    llmroof_train_result r4 = tx_run(&t);
    ck_assert_double_gt((double)r4.activations, 4.0 * r.activations);
    t.req.flash_attention = 1;
    r4 = tx_run(&t);
    t.req.seq_len = 2048;
    r = tx_run(&t);
    eq_bytes(r4.activations, 4.0 * (double)r.activations);
    /* micro_batch multiplies t. */
    t.req.checkpointing = 1;
    r = tx_run(&t);
    t.req.micro_batch = 3;
    llmroof_train_result rb = tx_run(&t);
    eq_bytes(rb.activations, 3.0 * 914620416.0);
    /* LoRA adds the r-wide adapter outputs of the recomputed layer, fp32:
     * 4 t r x 7 matrices. */
    t.req.micro_batch = 1;
    t.req.method = LLMROOF_TRAIN_LORA;
    r = tx_run(&t);
    eq_bytes(r.activations, 914620416.0 + 4.0 * 2048 * 16 * 7);
}
END_TEST

/* §10.3: 14 t V: bf16 logits and three fp32 t x V tensors. */
START_TEST(logits)
{
    tfix t;
    tx_pc(&t, 1);
    llmroof_train_result r = tx_run(&t);
    eq_bytes(r.logits, 3677356032.0);
    t.req.micro_batch = 2;
    t.req.seq_len = 512;
    r = tx_run(&t);
    eq_bytes(r.logits, 14.0 * 1024 * 128256);
}
END_TEST

START_TEST(totals_and_capacity)
{
    tfix t;
    tx_pc(&t, 1);
    llmroof_train_result r = tx_run(&t);
    uint64_t sum = r.weights + r.gradients + r.optimizer_states + r.master_weights +
                   r.activations + r.logits + r.overhead;
    ck_assert_uint_le(r.total > sum ? r.total - sum : sum - r.total, 8);
    ck_assert_uint_eq(r.overhead, 256u << 20);
    ck_assert_uint_eq(r.capacity, (24ull << 30) - (512ull << 20));
    ck_assert_int_eq(r.headroom, (int64_t)r.capacity - (int64_t)r.total);
    ck_assert_int_eq(r.fit, LLMROOF_FIT_GPU);
    ck_assert_str_eq(r.device, "rtx-4090");
    ck_assert_uint_eq(r.gpus, 1);
    /* A unified device: the pool times its GPU share (§4). */
    fx_mac(&t.f, 96);
    t.f.engine.tasks |= LLMROOF_TASK_TRAIN;
    r = tx_run(&t);
    ck_assert_uint_eq(r.capacity, (uint64_t)floor(96e9 * 0.75));
}
END_TEST

/* §10.5: per token 3 (F_lin + F_attn + F_head) for full, 2 F_lin + 3 F_attn
 * + 2 F_head + 3 F_ad for LoRA, + one forward of the layers when
 * checkpointing; F_attn = 4 q (s + 1)/2 L. */
START_TEST(flops)
{
    tfix t;
    tx_pc(&t, 1);
    t.req.method = LLMROOF_TRAIN_FULL;
    t.req.checkpointing = 0;
    llmroof_train_result r = tx_run(&t);
    near(r.step_flops, 2048.0 * 46639349760.0, 1e-12);
    t.req.checkpointing = 1;
    r = tx_run(&t);
    near(r.step_flops, 125204739129344.0, 1e-12);
    t.req.method = LLMROOF_TRAIN_LORA;
    r = tx_run(&t);
    near(r.step_flops, 95152852959232.0, 1e-12);
    t.req.checkpointing = 0;
    r = tx_run(&t);
    near(r.step_flops, 2048.0 * 31881691136.0, 1e-12);
    /* Without flash attention every query scores all s keys. */
    t.req.flash_attention = 0;
    llmroof_train_result re = tx_run(&t);
    near(re.step_flops - r.step_flops, 2048.0 * 3 * 4 * 4096 * (2048 - 2049 / 2.0) * 32, 1e-9);
    /* Step time: FLOPs over compute_f16 x eta (0.5 in the fixture), plus
     * L x per_layer_overhead (20 us in the fixture). */
    near(r.step_time, r.step_flops / (165.2e12 * 0.5) + 32 * 20e-6, 1e-12);
    near(r.tokens_per_s, 2048.0 / r.step_time, 1e-12);
    /* The nf4 kernel class sets QLoRA's efficiency. */
    t.req.method = LLMROOF_TRAIN_QLORA;
    t.req.flash_attention = 1;
    llmroof_engine_backend *be = &t.f.engine.backends[0];
    be->prefill_kernel_count = 1;
    strcpy(be->prefill_kernels[0].kernel, "nf4");
    be->prefill_kernels[0].efficiency = 0.25;
    llmroof_train_result rq = tx_run(&t);
    near(rq.step_flops, r.step_flops, 1e-12);
    near(rq.step_time, r.step_flops / (165.2e12 * 0.25) + 32 * 20e-6, 1e-12);
}
END_TEST

/* §10.6: ring all-reduce 2 (N-1)/N grad bytes / BW + 2 (N-1) latency. */
START_TEST(ddp_allreduce)
{
    tfix t;
    tx_pc(&t, 2);
    llmroof_train_result one, two;
    t.req.gpus = 1;
    one = tx_run(&t);
    ck_assert_double_eq(one.allreduce_time, 0);
    t.req.gpus = 0;
    two = tx_run(&t);
    ck_assert_uint_eq(two.gpus, 2);
    near(two.allreduce_time, 0.005346100317460318, 1e-12);
    near(two.step_time, one.step_time + two.allreduce_time, 1e-12);
    near(two.tokens_per_s, 2.0 * 2048 / two.step_time, 1e-12);
    /* Each replica holds everything. */
    ck_assert_uint_eq(two.total, one.total);
    /* Full fine-tuning all-reduces the bf16 gradients, 2 P bytes. */
    t.req.method = LLMROOF_TRAIN_FULL;
    two = tx_run(&t);
    near(two.allreduce_time, 2 * P_ALL / 31.5e9 / 1 + 2e-5, 1e-12);
    /* Power: two GPUs' worth. */
    t.f.host.power = 100;
    t.f.sys.power = 50;
    t.req.electricity_price = 0.30;
    two = tx_run(&t);
    near(two.power, 2 * 450 + 100 + 50, 1e-12);
    near(two.joules_per_token, two.power / two.tokens_per_s, 1e-12);
    near(two.cost_per_mtok, two.joules_per_token * 1e6 / 3.6e6 * 0.30, 1e-12);
}
END_TEST

static void expect_error(tfix *t, llmroof_status code, const char *text)
{
    llmroof_train_result r;
    llmroof_error e;
    llmroof_status st = tx_try(t, &r, &e);
    ck_assert_int_eq(st, code);
    ck_assert_msg(strstr(e.message, text), "message '%s' lacks '%s'", e.message, text);
}

/* The train side of what fuzz_estimate found in image.c (tests/fuzz/crashes/
 * estimate/ubsan-image-compute-times-efficiency-underflow): a peak of 1e-170 FLOP/s
 * times an efficiency of 1e-170 underflows to 0, which the step time read as
 * unknown -- a 0 s step and 0 tokens/s for a run that fits.  The time is
 * FLOPs / peak / efficiency, here beyond any double: an error. */
START_TEST(tiny_compute_times_efficiency)
{
    tfix t;
    tx_pc(&t, 1);
    t.f.gpu.compute_f16 = 1e-170;
    for (uint32_t i = 0; i < t.f.engine.backend_count; i++) {
        t.f.engine.backends[i].prefill_efficiency = 1e-170;
        t.f.engine.backends[i].prefill_kernel_count = 0;
    }
    expect_error(&t, LLMROOF_E_RANGE, "overflows");
}
END_TEST

START_TEST(errors)
{
    tfix t;
    tx_pc(&t, 1);
    t.req.seq_len = 0;
    expect_error(&t, LLMROOF_E_INVALID_ARGUMENT, "seq_len");
    t.req.seq_len = (1u << 24) + 1;
    expect_error(&t, LLMROOF_E_INVALID_ARGUMENT, "seq_len");
    tx_pc(&t, 1);
    t.req.micro_batch = 0;
    expect_error(&t, LLMROOF_E_INVALID_ARGUMENT, "micro_batch");
    t.req.micro_batch = 4097;
    expect_error(&t, LLMROOF_E_INVALID_ARGUMENT, "micro_batch");
    tx_pc(&t, 1);
    t.req.method = 3;
    expect_error(&t, LLMROOF_E_INVALID_ARGUMENT, "method");
    tx_pc(&t, 1);
    t.req.optimizer = -1;
    expect_error(&t, LLMROOF_E_INVALID_ARGUMENT, "optimizer");
    tx_pc(&t, 1);
    t.req.lora_targets = 2;
    expect_error(&t, LLMROOF_E_INVALID_ARGUMENT, "lora_targets");
    tx_pc(&t, 1);
    t.req.lora_rank = 0;
    expect_error(&t, LLMROOF_E_INVALID_ARGUMENT, "lora_rank");
    t.req.method = LLMROOF_TRAIN_FULL; /* rank is not used by full fine-tuning */
    llmroof_train_result r = tx_run(&t);
    ck_assert_double_eq(r.trainable_params, P_ALL);
    tx_pc(&t, 1);
    t.req.lora_rank = 4097;
    expect_error(&t, LLMROOF_E_INVALID_ARGUMENT, "larger than the hidden size");
    tx_pc(&t, 1);
    t.req.gpus = 2;
    expect_error(&t, LLMROOF_E_INVALID_ARGUMENT, "gpus 2");
    tx_pc(&t, 1);
    t.req.reserved_u32[6] = 1;
    expect_error(&t, LLMROOF_E_INVALID_ARGUMENT, "reserved");
    tx_pc(&t, 1);
    t.req.checkpointing = 2;
    expect_error(&t, LLMROOF_E_INVALID_ARGUMENT, "checkpointing");
    tx_pc(&t, 1);
    t.req.electricity_price = -1;
    expect_error(&t, LLMROOF_E_INVALID_ARGUMENT, "electricity_price");
    tx_pc(&t, 1);
    t.f.engine.tasks = LLMROOF_TASK_LLM;
    expect_error(&t, LLMROOF_E_UNSUPPORTED, "does not train");
    tx_pc(&t, 1);
    t.f.engine.backend_count = 1;
    t.f.engine.backends[0].backend = LLMROOF_BACKEND_ROCM;
    expect_error(&t, LLMROOF_E_UNSUPPORTED, "no 'cuda' backend");
    /* No accelerator: the CPU, only with a cpu backend. */
    tx_pc(&t, 0);
    t.req.method = LLMROOF_TRAIN_QLORA;
    r = tx_run(&t);
    ck_assert_str_eq(r.device, "ddr5-5600-2ch");
    ck_assert_uint_eq(r.capacity, 64ull << 30);
    ck_assert_double_gt(r.tokens_per_s, 0);
    t.f.engine.backend_count = 1;
    expect_error(&t, LLMROOF_E_UNSUPPORTED, "no accelerator");
}
END_TEST

/* The public entry point on the bundled catalog: ids, defaults, and the
 * task's conclusions (docs/model.md §10.4). */
static llmroof_catalog *bundled(void)
{
    llmroof_catalog *cat = NULL;
    llmroof_error err;
    llmroof_error_init(&err);
    ck_assert_int_eq(llmroof_catalog_new(&cat, &err), LLMROOF_OK);
    ck_assert_msg(llmroof_catalog_load_builtin(cat, 0, &err) == LLMROOF_OK, "%s", err.message);
    return cat;
}

static llmroof_status run_public(llmroof_catalog *cat, llmroof_train_request *req,
                                 llmroof_train_result *res, llmroof_error *err)
{
    llmroof_train_result_init(res);
    llmroof_error_init(err);
    return llmroof_train_estimate(cat, req, res, err);
}

START_TEST(bundled_conclusions)
{
    llmroof_catalog *cat = bundled();
    llmroof_train_request req;
    llmroof_train_result res;
    llmroof_error err;
    llmroof_train_request_init(&req);
    strcpy(req.system, "pc-rtx-4090");
    strcpy(req.model, "llama-3.1-8b");
    req.method = LLMROOF_TRAIN_QLORA;
    ck_assert_msg(run_public(cat, &req, &res, &err) == LLMROOF_OK, "%s", err.message);
    ck_assert_int_eq(res.fit, LLMROOF_FIT_GPU);
    ck_assert_double_gt(res.tokens_per_s, 0);
    ck_assert_double_gt(res.power, 0);
    req.method = LLMROOF_TRAIN_FULL;
    ck_assert_int_eq(run_public(cat, &req, &res, &err), LLMROOF_OK);
    ck_assert_int_eq(res.fit, LLMROOF_FIT_NONE);
    ck_assert_int_lt(res.headroom, -100ll * 1000 * 1000 * 1000); /* 133 G of 25.2 G */
    /* LoRA on the bf16 base: 21.3 G + the engine's overhead of 25.2 G. */
    req.method = LLMROOF_TRAIN_LORA;
    ck_assert_int_eq(run_public(cat, &req, &res, &err), LLMROOF_OK);
    ck_assert_int_eq(res.fit, LLMROOF_FIT_GPU);
    ck_assert_int_gt(res.headroom, 2ll * 1000 * 1000 * 1000);
    /* ... but not at 8192 tokens (logits alone 14.7 G). */
    req.seq_len = 8192;
    ck_assert_int_eq(run_public(cat, &req, &res, &err), LLMROOF_OK);
    ck_assert_int_eq(res.fit, LLMROOF_FIT_NONE);
    /* Unknown ids and engines that do not train. */
    llmroof_train_request_init(&req);
    strcpy(req.system, "pc-rtx-4090");
    strcpy(req.model, "no-such-model");
    ck_assert_int_eq(run_public(cat, &req, &res, &err), LLMROOF_E_NOT_FOUND);
    ck_assert_ptr_nonnull(strstr(err.message, "no-such-model"));
    strcpy(req.model, "llama-3.1-8b");
    strcpy(req.system, "no-such-system");
    ck_assert_int_eq(run_public(cat, &req, &res, &err), LLMROOF_E_NOT_FOUND);
    strcpy(req.system, "pc-rtx-4090");
    strcpy(req.engine, "no-such-engine");
    ck_assert_int_eq(run_public(cat, &req, &res, &err), LLMROOF_E_NOT_FOUND);
    strcpy(req.engine, "llama.cpp");
    ck_assert_int_eq(run_public(cat, &req, &res, &err), LLMROOF_E_UNSUPPORTED);
    ck_assert_ptr_nonnull(strstr(err.message, "does not train"));
    /* Bad sizes. */
    llmroof_train_request_init(&req);
    strcpy(req.system, "pc-rtx-4090");
    strcpy(req.model, "llama-3.1-8b");
    req.size = 8;
    ck_assert_int_eq(run_public(cat, &req, &res, &err), LLMROOF_E_INVALID_ARGUMENT);
    ck_assert_int_eq(llmroof_train_estimate(NULL, &req, &res, NULL), LLMROOF_E_INVALID_ARGUMENT);
    llmroof_catalog_free(cat);
}
END_TEST

/* MLA and mixture-of-experts shapes (docs/model.md §10.1), the default
 * engine per backend, and the request checks the other tests do not reach. */
START_TEST(bundled_shapes_and_defaults)
{
    llmroof_catalog *cat = bundled();
    llmroof_train_request req;
    llmroof_train_result res;
    llmroof_error err;
    static const char *const models[] = {"deepseek-v3", "mixtral-8x7b", "qwen3-30b-a3b"};
    for (size_t i = 0; i < sizeof models / sizeof models[0]; i++)
        for (int32_t method = LLMROOF_TRAIN_FULL; method <= LLMROOF_TRAIN_QLORA; method++) {
            llmroof_train_request_init(&req);
            strcpy(req.system, "server-8x-h100-sxm");
            strcpy(req.model, models[i]);
            req.method = method;
            ck_assert_msg(run_public(cat, &req, &res, &err) == LLMROOF_OK, "%s: %s", models[i],
                          err.message);
            ck_assert_uint_eq(res.gpus, 8);
            ck_assert_double_gt(res.trainable_params, 0);
            ck_assert(isfinite(res.tokens_per_s) && res.tokens_per_s > 0);
            ck_assert_double_gt(res.allreduce_time, 0);
            if (method == LLMROOF_TRAIN_FULL)
                ck_assert_double_eq(res.trainable_params, res.params);
            else /* adapters are a small fraction of the model */
                ck_assert_double_lt(res.trainable_params, 0.05 * res.params);
            /* A 16-bit base holds 2 bytes per parameter; QLoRA's is smaller. */
            if (method == LLMROOF_TRAIN_LORA)
                ck_assert_double_ge((double)res.weights, 2 * res.params);
            if (method == LLMROOF_TRAIN_QLORA)
                ck_assert_double_lt((double)res.weights, 2 * res.params);
        }
    /* "" takes the first train engine with the device's backend: mlx-lm on a
     * Mac, transformers on NVIDIA; Strix Halo (Vulkan) has none. */
    llmroof_train_request_init(&req);
    strcpy(req.system, "mac-studio-m3-ultra-96gb");
    strcpy(req.model, "llama-3.1-8b");
    ck_assert_int_eq(run_public(cat, &req, &res, &err), LLMROOF_OK);
    ck_assert_str_eq(res.engine, "mlx-lm");
    strcpy(req.system, "pc-rtx-4090");
    ck_assert_int_eq(run_public(cat, &req, &res, &err), LLMROOF_OK);
    ck_assert_str_eq(res.engine, "transformers");
    strcpy(req.system, "strix-halo-128gb");
    ck_assert_int_eq(run_public(cat, &req, &res, &err), LLMROOF_E_UNSUPPORTED);
    ck_assert_ptr_nonnull(strstr(err.message, "no engine in the catalog trains on"));
    strcpy(req.system, "pc-rtx-4090");
    req.flash_attention = 2;
    ck_assert_int_eq(run_public(cat, &req, &res, &err), LLMROOF_E_INVALID_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(err.message, "flash_attention"));
    req.flash_attention = 1;
    res.size = 16;
    llmroof_error_init(&err);
    ck_assert_int_eq(llmroof_train_estimate(cat, &req, &res, &err), LLMROOF_E_INVALID_ARGUMENT);
    /* init functions accept NULL */
    llmroof_train_request_init(NULL);
    llmroof_train_result_init(NULL);
    llmroof_catalog_free(cat);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("train");
    TCase *tc = tcase_create("train");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, defaults);
    tcase_add_test(tc, full_sixteen_bytes);
    tcase_add_test(tc, lora_adapters_gqa);
    tcase_add_test(tc, qlora_bits);
    tcase_add_test(tc, activations);
    tcase_add_test(tc, logits);
    tcase_add_test(tc, totals_and_capacity);
    tcase_add_test(tc, flops);
    tcase_add_test(tc, ddp_allreduce);
    tcase_add_test(tc, errors);
    tcase_add_test(tc, tiny_compute_times_efficiency);
    tcase_add_test(tc, bundled_conclusions);
    tcase_add_test(tc, bundled_shapes_and_defaults);
    suite_add_tcase(s, tc);
    return fx_run_main(s);
}
