/* Placement: which layers go where, fit verdicts, llama.cpp's -ngl rules. */
#include "fixture.h"

static const llmroof_tier *tier_of(const llmroof_result *r, int32_t kind, uint32_t nth)
{
    for (uint32_t i = 0; i < r->tier_count; i++)
        if (r->tiers[i].kind == kind && nth-- == 0)
            return &r->tiers[i];
    return NULL;
}

START_TEST(small_model_fits_one_gpu)
{
    fixture f;
    fx_pc(&f, 1);
    llmroof_result r = fx_run(&f);
    ck_assert_int_eq(r.fit, LLMROOF_FIT_GPU);
    ck_assert_int_eq(r.gpu_layers, 33); /* 32 layers + output, as -ngl counts */
    const llmroof_tier *g = tier_of(&r, LLMROOF_TIER_ACCELERATOR, 0);
    const llmroof_tier *h = tier_of(&r, LLMROOF_TIER_HOST, 0);
    ck_assert_uint_eq(g->layers, 32);
    ck_assert_uint_eq(g->has_output, 1);
    ck_assert_uint_eq(h->layers, 0);
    /* The token embedding stays in host RAM: 128256 x 4096 x 4.89 / 8 bytes. */
    ck_assert_uint_eq(h->weights, (uint64_t)ceil(128256.0 * 4096 * 4.89 / 8));
    /* Each tier rounds its fractional bytes up: at most one byte apart each. */
    ck_assert_uint_le(r.weights, g->weights + h->weights);
    ck_assert_uint_le(g->weights + h->weights, r.weights + 2);
    ck_assert_int_gt(g->headroom, 0);
}
END_TEST

/* Automatic -ngl: the most layers that fit, and one more does not. */
START_TEST(auto_layers_is_the_most_that_fit)
{
    fixture f;
    fx_pc(&f, 1);
    fx_llama70b(&f.model);
    llmroof_result r = fx_run(&f);
    ck_assert_int_eq(r.fit, LLMROOF_FIT_OFFLOAD);
    ck_assert_int_gt(r.gpu_layers, 0);
    ck_assert_int_lt(r.gpu_layers, 81);
    const llmroof_tier *g = tier_of(&r, LLMROOF_TIER_ACCELERATOR, 0);
    const llmroof_tier *h = tier_of(&r, LLMROOF_TIER_HOST, 0);
    ck_assert_int_ge(g->headroom, 0);
    ck_assert_uint_eq(g->layers + h->layers, 80);
    ck_assert_uint_eq(h->has_output, 1);

    int32_t best = r.gpu_layers;
    f.req.gpu_layers = best + 1;
    r = fx_run(&f);
    ck_assert_int_eq(r.fit, LLMROOF_FIT_NONE);
    ck_assert_int_lt(tier_of(&r, LLMROOF_TIER_ACCELERATOR, 0)->headroom, 0);

    /* Explicit values above layers + 1 are clamped, as llama.cpp's -ngl 99. */
    fx_pc(&f, 1);
    f.req.gpu_layers = 99;
    ck_assert_int_eq(fx_run(&f).gpu_layers, 33);
    /* -ngl 0: everything on the host. */
    f.req.gpu_layers = 0;
    r = fx_run(&f);
    ck_assert_int_eq(r.fit, LLMROOF_FIT_OFFLOAD);
    ck_assert_uint_eq(tier_of(&r, LLMROOF_TIER_HOST, 0)->layers, 32);
    /* -ngl 32: every layer but not the output head. */
    f.req.gpu_layers = 32;
    r = fx_run(&f);
    ck_assert_uint_eq(tier_of(&r, LLMROOF_TIER_ACCELERATOR, 0)->layers, 32);
    ck_assert_uint_eq(tier_of(&r, LLMROOF_TIER_HOST, 0)->has_output, 1);
    ck_assert_int_eq(r.fit, LLMROOF_FIT_OFFLOAD);
}
END_TEST

START_TEST(two_gpus_hold_70b)
{
    fixture f;
    fx_pc(&f, 2);
    fx_llama70b(&f.model);
    llmroof_result r = fx_run(&f);
    ck_assert_int_eq(r.fit, LLMROOF_FIT_GPU);
    const llmroof_tier *a = tier_of(&r, LLMROOF_TIER_ACCELERATOR, 0);
    const llmroof_tier *b = tier_of(&r, LLMROOF_TIER_ACCELERATOR, 1);
    ck_assert_uint_eq(a->layers + b->layers, 80);
    ck_assert_uint_eq(b->has_output, 1); /* the head goes with the last layer */
    ck_assert(a->layers >= 39 && a->layers <= 41);

    /* Tensor split 3,1: the first GPU gets about three quarters. */
    f.req.tensor_split_count = 2;
    f.req.tensor_split[0] = 3;
    f.req.tensor_split[1] = 1;
    f.req.gpu_layers = 40;
    r = fx_run(&f);
    a = tier_of(&r, LLMROOF_TIER_ACCELERATOR, 0);
    b = tier_of(&r, LLMROOF_TIER_ACCELERATOR, 1);
    ck_assert_uint_eq(a->layers, 30);
    ck_assert_uint_eq(b->layers, 10);

    /* Values whose sum overflows split like their ratio (issue 14: 1e308,
     * 1e308 summed to infinity and put no layer on the first GPU). */
    f.req.tensor_split[0] = 1e308;
    f.req.tensor_split[1] = 1e308;
    f.req.gpu_layers = -1;
    r = fx_run(&f);
    f.req.tensor_split[0] = f.req.tensor_split[1] = 1;
    llmroof_result even = fx_run(&f);
    ck_assert_int_eq(r.fit, LLMROOF_FIT_GPU);
    ck_assert_uint_eq(tier_of(&r, LLMROOF_TIER_ACCELERATOR, 0)->layers,
                      tier_of(&even, LLMROOF_TIER_ACCELERATOR, 0)->layers);
    ck_assert_double_eq(r.decode_tps, even.decode_tps);
}
END_TEST

START_TEST(row_split_keeps_kv_on_main_gpu)
{
    fixture f;
    fx_pc(&f, 2);
    fx_llama70b(&f.model);
    f.req.split = LLMROOF_SPLIT_ROW;
    llmroof_result r = fx_run(&f);
    ck_assert_int_eq(r.split, LLMROOF_SPLIT_ROW);
    const llmroof_tier *a = tier_of(&r, LLMROOF_TIER_ACCELERATOR, 0);
    const llmroof_tier *b = tier_of(&r, LLMROOF_TIER_ACCELERATOR, 1);
    ck_assert_uint_eq(a->kv, r.kv);
    ck_assert_uint_eq(b->kv, 0);
    ck_assert_uint_eq(a->layers, 80);
    ck_assert_uint_eq(b->layers, 80);
    /* Tensor parallel splits the KV cache too. */
    f.req.split = LLMROOF_SPLIT_TENSOR;
    r = fx_run(&f);
    ck_assert_uint_eq(tier_of(&r, LLMROOF_TIER_ACCELERATOR, 0)->kv,
                      tier_of(&r, LLMROOF_TIER_ACCELERATOR, 1)->kv);
}
END_TEST

/* Host RAM too small: the rest is paged from storage; without storage the
 * model cannot run. */
START_TEST(storage_tier_and_none)
{
    fixture f;
    fx_pc(&f, 1);
    fx_llama70b(&f.model);
    f.sys.host_memory = 16ull << 30;
    llmroof_result r = fx_run(&f);
    ck_assert_int_eq(r.fit, LLMROOF_FIT_STORAGE);
    ck_assert(r.flags & LLMROOF_FLAG_HOST_SHORT);
    const llmroof_tier *h = tier_of(&r, LLMROOF_TIER_HOST, 0);
    const llmroof_tier *s = tier_of(&r, LLMROOF_TIER_STORAGE, 0);
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq((int64_t)s->weights, -h->headroom);
    ck_assert_int_eq(s->decode_bound_by, LLMROOF_RESOURCE_STORAGE);

    f.m.storage = NULL;
    r = fx_run(&f);
    ck_assert_int_eq(r.fit, LLMROOF_FIT_NONE);
    ck_assert_ptr_null(tier_of(&r, LLMROOF_TIER_STORAGE, 0));
    ck_assert_double_eq(r.decode_tps, 0);
}
END_TEST

/* A split mode the engine lacks is an error, not a silent substitute. */
START_TEST(unsupported_split)
{
    fixture f;
    fx_pc(&f, 2);
    f.engine.split_modes = LLMROOF_SPLIT_BIT(LLMROOF_SPLIT_LAYER);
    f.req.split = LLMROOF_SPLIT_ROW;
    llmroof_result r;
    llmroof_result_init(&r);
    llmroof_error e;
    llmroof_error_init(&e);
    ck_assert_int_eq(llmroof__estimate_plain(&f.m, &f.model, &f.quant, &f.engine, &f.req, &r, &e),
                     LLMROOF_E_UNSUPPORTED);
    ck_assert_ptr_nonnull(strstr(e.message, "row"));
    /* An engine for other tasks (image generation) does not run LLMs. */
    fx_pc(&f, 1);
    f.engine.tasks = LLMROOF_TASK_IMAGE | LLMROOF_TASK_TRAIN;
    llmroof_error_init(&e);
    ck_assert_int_eq(llmroof__estimate_plain(&f.m, &f.model, &f.quant, &f.engine, &f.req, &r, &e),
                     LLMROOF_E_UNSUPPORTED);
    ck_assert_ptr_nonnull(strstr(e.message, "does not run LLM inference (its tasks: image, train)"));
    /* A bad tensor split count is refused. */
    fx_pc(&f, 2);
    f.req.tensor_split_count = 3;
    llmroof_error_init(&e);
    ck_assert_int_eq(llmroof__estimate_plain(&f.m, &f.model, &f.quant, &f.engine, &f.req, &r, &e),
                     LLMROOF_E_INVALID_ARGUMENT);
}
END_TEST

/* A request may run the GPUs with Vulkan instead of their own backend: the
 * engine's Vulkan parameters apply; an engine without Vulkan, or another
 * vendor's backend, is refused. */
START_TEST(backend_override)
{
    fixture f;
    fx_pc(&f, 1);
    double own = fx_run(&f).decode_tps;
    f.req.backend = LLMROOF_BACKEND_VULKAN;
    llmroof_result r;
    llmroof_result_init(&r);
    llmroof_error e;
    llmroof_error_init(&e);
    ck_assert_int_eq(llmroof__estimate_plain(&f.m, &f.model, &f.quant, &f.engine, &f.req, &r, &e),
                     LLMROOF_E_UNSUPPORTED);
    ck_assert_ptr_nonnull(strstr(e.message, "vulkan"));
    /* Give the engine a Vulkan backend at half the CUDA efficiency. */
    f.engine.backends[f.engine.backend_count] = f.engine.backends[0];
    f.engine.backends[f.engine.backend_count].backend = LLMROOF_BACKEND_VULKAN;
    f.engine.backends[f.engine.backend_count].decode_efficiency = 0.4;
    f.engine.backend_count++;
    double vk = fx_run(&f).decode_tps;
    ck_assert(vk < own * 0.75);
    f.req.backend = LLMROOF_BACKEND_METAL;
    llmroof_error_init(&e);
    ck_assert_int_eq(llmroof__estimate_plain(&f.m, &f.model, &f.quant, &f.engine, &f.req, &r, &e),
                     LLMROOF_E_UNSUPPORTED);
    ck_assert_ptr_nonnull(strstr(e.message, "runs cuda or vulkan"));
}
END_TEST

/* Unified memory: the GPU may use 75 % of 96 GB (67 GiB) by default; a
 * 70B Q8_0 (~70 GiB) needs the wired limit raised, and with gpu_share 0.95
 * it fits. */
START_TEST(unified_wired_limit)
{
    fixture f;
    fx_mac(&f, 96);
    fx_llama70b(&f.model);
    fx_quant(&f.quant, "Q8_0", 8.5, "q8_0");
    llmroof_result r = fx_run(&f);
    ck_assert_int_eq(r.fit, LLMROOF_FIT_OFFLOAD);
    ck_assert(r.flags & LLMROOF_FLAG_NEEDS_WIRED_LIMIT);
    ck_assert_uint_eq(r.tiers[0].capacity, (uint64_t)floor(96e9 * 0.75));
    f.req.gpu_share = 0.95;
    r = fx_run(&f);
    ck_assert_int_eq(r.fit, LLMROOF_FIT_GPU);
    ck_assert(!(r.flags & LLMROOF_FLAG_NEEDS_WIRED_LIMIT));
    /* The host side of the shared pool shrinks by what the GPU holds. */
    const llmroof_tier *h = tier_of(&r, LLMROOF_TIER_HOST, 0);
    ck_assert_uint_le(h->capacity, (uint64_t)96e9 - r.tiers[0].total);
    /* Q4 fits without raising anything. */
    fx_mac(&f, 96);
    fx_llama70b(&f.model);
    r = fx_run(&f);
    ck_assert_int_eq(r.fit, LLMROOF_FIT_GPU);
    ck_assert_uint_eq(r.flags & LLMROOF_FLAG_NEEDS_WIRED_LIMIT, 0);
}
END_TEST

/* An engine that cannot offload (MLX) either fits on the GPU or does not run. */
START_TEST(engine_without_offload)
{
    fixture f;
    fx_pc(&f, 1);
    fx_llama70b(&f.model);
    f.engine.offloaded_layers = LLMROOF_OFFLOAD_NONE;
    llmroof_result r = fx_run(&f);
    ck_assert_int_eq(r.fit, LLMROOF_FIT_NONE);
    ck_assert_int_eq(r.gpu_layers, 81);
}
END_TEST

/* A CPU-only system puts everything in host RAM. */
START_TEST(cpu_only)
{
    fixture f;
    fx_pc(&f, 0);
    llmroof_result r = fx_run(&f);
    ck_assert_int_eq(r.fit, LLMROOF_FIT_OFFLOAD);
    ck_assert_int_eq(r.gpu_layers, 0);
    ck_assert_uint_eq(r.tier_count, 1);
    ck_assert_uint_eq(r.tiers[0].layers, 32);
    ck_assert_int_eq(r.decode_bound_by, LLMROOF_RESOURCE_HOST_MEMORY);
}
END_TEST

/* The context longer than trained and a shape/params disagreement are flagged. */
START_TEST(flags)
{
    fixture f;
    fx_pc(&f, 1);
    fx_llama70b(&f.model);
    f.req.ctx = 16384;
    f.req.gpu_layers = 0;
    llmroof_result r = fx_run(&f);
    ck_assert(r.flags & LLMROOF_FLAG_CTX_ABOVE_TRAINED);
    ck_assert_uint_eq(r.flags & LLMROOF_FLAG_PARAMS_MISMATCH, 0);
    f.model.params = 100e9;
    ck_assert(fx_run(&f).flags & LLMROOF_FLAG_PARAMS_MISMATCH);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("placement");
    TCase *tc = tcase_create("placement");
    tcase_add_test(tc, small_model_fits_one_gpu);
    tcase_add_test(tc, auto_layers_is_the_most_that_fit);
    tcase_add_test(tc, two_gpus_hold_70b);
    tcase_add_test(tc, row_split_keeps_kv_on_main_gpu);
    tcase_add_test(tc, storage_tier_and_none);
    tcase_add_test(tc, unsupported_split);
    tcase_add_test(tc, backend_override);
    tcase_add_test(tc, unified_wired_limit);
    tcase_add_test(tc, engine_without_offload);
    tcase_add_test(tc, cpu_only);
    tcase_add_test(tc, flags);
    suite_add_tcase(s, tc);
    return fx_run_main(s);
}
