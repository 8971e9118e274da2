/* Image generation (docs/model.md §9): formulas against hand-computed values
 * on descriptors built in code, the image_models loader and rules, request
 * errors, and the qualitative conclusions on the bundled catalog. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "llmroof/llmroof.h"

#define GiB (1024.0 * 1024.0 * 1024.0)
#define MiB (1024.0 * 1024.0)
#define near(a, b) ck_assert_double_eq_tol((a), (b), 1e-9 * fabs((double)(b)) + 1e-12)

static llmroof_catalog *cat;

static void add_ok(llmroof_status st, const llmroof_error *e)
{
    ck_assert_msg(st == LLMROOF_OK, "%s", e->message);
}

/* The worked example of docs/model.md §9. */
static void tiny_model(llmroof_image_model *m)
{
    llmroof_image_model_init(m);
    strcpy(m->id, "tiny");
    strcpy(m->name, "tiny test model");
    m->width = m->height = 512;
    m->steps = 10;
    m->guidance = 2;
    m->denoiser.params = 1e9;
    m->denoiser.bits = 16;
    m->denoiser.flops = 1e12;
    m->denoiser.activation = 100 * MiB;
    m->attention_flops = 2e11;
    m->encoder_count = 1;
    m->encoders[0].params = 1e8;
    m->encoders[0].bits = 16;
    m->encoders[0].flops = 1e10;
    m->vae.params = 5e7;
    m->vae.bits = 16;
    m->vae.flops = 2e12;
    m->vae.activation = 200 * MiB;
}

static void setup(void)
{
    llmroof_error e;
    llmroof_error_init(&e);
    ck_assert_int_eq(llmroof_catalog_new(&cat, &e), LLMROOF_OK);
    llmroof_device d;
    llmroof_device_init(&d);
    strcpy(d.id, "tgpu");
    strcpy(d.name, "test GPU");
    d.kind = LLMROOF_DEVICE_GPU;
    d.backend = LLMROOF_BACKEND_CUDA;
    d.memory = (uint64_t)(24 * GiB);
    d.bandwidth = 1000e9;
    d.compute_f16 = 100e12;
    d.power = 400;
    add_ok(llmroof_catalog_add_device(cat, &d, 0, &e), &e);
    strcpy(d.id, "tgpu-small"); /* NONE does not fit, MODEL does (see offload test) */
    d.memory = 2400000000u;
    add_ok(llmroof_catalog_add_device(cat, &d, 0, &e), &e);
    llmroof_device_init(&d);
    strcpy(d.id, "tmac");
    strcpy(d.name, "test unified");
    d.kind = LLMROOF_DEVICE_UNIFIED;
    d.backend = LLMROOF_BACKEND_METAL;
    d.bandwidth = 1000e9;
    d.compute_f16 = 100e12;
    d.gpu_share = 0.75;
    add_ok(llmroof_catalog_add_device(cat, &d, 0, &e), &e);
    llmroof_device_init(&d);
    strcpy(d.id, "tcpu");
    strcpy(d.name, "test CPU");
    d.kind = LLMROOF_DEVICE_CPU;
    d.bandwidth = 100e9;
    d.compute_f16 = 1e12;
    d.power = 100;
    add_ok(llmroof_catalog_add_device(cat, &d, 0, &e), &e);
    llmroof_link l;
    llmroof_link_init(&l);
    strcpy(l.id, "tpcie");
    l.bandwidth = 25e9;
    add_ok(llmroof_catalog_add_link(cat, &l, 0, &e), &e);
    llmroof_system s;
    llmroof_system_init(&s);
    strcpy(s.id, "tpc");
    strcpy(s.name, "test PC");
    s.accelerator_count = 1;
    strcpy(s.accelerators[0], "tgpu");
    strcpy(s.host_link, "tpcie");
    strcpy(s.host_device, "tcpu");
    s.host_memory = (uint64_t)(64 * GiB);
    s.power = 50;
    s.price = 3000;
    add_ok(llmroof_catalog_add_system(cat, &s, 0, &e), &e);
    strcpy(s.id, "tpc-small");
    strcpy(s.accelerators[0], "tgpu-small");
    add_ok(llmroof_catalog_add_system(cat, &s, 0, &e), &e);
    llmroof_system_init(&s);
    strcpy(s.id, "tmacsys");
    strcpy(s.name, "test Mac");
    s.accelerator_count = 1;
    strcpy(s.accelerators[0], "tmac");
    strcpy(s.host_device, "tcpu");
    s.host_memory = (uint64_t)(4 * GiB);
    add_ok(llmroof_catalog_add_system(cat, &s, 0, &e), &e);
    llmroof_engine en;
    llmroof_engine_init(&en);
    strcpy(en.id, "tllm"); /* an LLM engine first: the default must skip it */
    en.split_modes = LLMROOF_SPLIT_BIT(LLMROOF_SPLIT_NONE);
    en.default_split = LLMROOF_SPLIT_NONE;
    en.backend_count = 1;
    en.backends[0].backend = LLMROOF_BACKEND_CUDA;
    en.backends[0].decode_efficiency = 0.9;
    en.backends[0].prefill_efficiency = 0.9;
    add_ok(llmroof_catalog_add_engine(cat, &en, 0, &e), &e);
    llmroof_engine_init(&en);
    strcpy(en.id, "timg");
    en.tasks = LLMROOF_TASK_IMAGE;
    en.backend_count = 2;
    en.backends[0].backend = LLMROOF_BACKEND_CUDA;
    en.backends[1].backend = LLMROOF_BACKEND_METAL;
    for (int i = 0; i < 2; i++) {
        en.backends[i].decode_efficiency = 0.8;
        en.backends[i].prefill_efficiency = 0.5;
    }
    en.backends[0].prefill_kernel_count = 1;
    strcpy(en.backends[0].prefill_kernels[0].kernel, "fp8");
    en.backends[0].prefill_kernels[0].efficiency = 0.25;
    add_ok(llmroof_catalog_add_engine(cat, &en, 0, &e), &e);
    llmroof_image_model m;
    tiny_model(&m);
    add_ok(llmroof_catalog_add_image_model(cat, &m, 0, &e), &e);
    strcpy(m.id, "tiny-distilled");
    m.guidance = 1;
    add_ok(llmroof_catalog_add_image_model(cat, &m, 0, &e), &e);
    tiny_model(&m);
    strcpy(m.id, "tiny-memory-bound"); /* almost no arithmetic per step */
    m.denoiser.flops = 1e6;
    m.attention_flops = 0;
    add_ok(llmroof_catalog_add_image_model(cat, &m, 0, &e), &e);
}

static void teardown(void) { llmroof_catalog_free(cat); }

static llmroof_status run(const char *sys, const char *model, llmroof_image_request *r,
                          llmroof_image_result *res, llmroof_error *e)
{
    strcpy(r->system, sys);
    strcpy(r->model, model);
    llmroof_image_result_init(res);
    llmroof_error_init(e);
    return llmroof_image_estimate(cat, r, res, e);
}

static llmroof_image_result run_ok(const char *sys, const char *model, llmroof_image_request *r)
{
    llmroof_image_result res;
    llmroof_error e;
    llmroof_status st = run(sys, model, r, &res, &e);
    ck_assert_msg(st == LLMROOF_OK, "%s", e.message);
    return res;
}

START_TEST(worked_example_at_four_times_the_pixels)
{
    llmroof_image_request r;
    llmroof_image_request_init(&r);
    r.width = r.height = 1024;
    llmroof_image_result s = run_ok("tpc", "tiny", &r);
    /* F = 8e11 * 4 + 2e11 * 16 = 6.4e12; S = 2 * 6.4e12. */
    near(s.step_flops, 1.28e13);
    near(s.step_time, 1.28e13 / 5e13);
    near(s.step_bound_time, 1.28e13 / 1e14);
    ck_assert_int_eq(s.step_bound_by, LLMROOF_RESOURCE_COMPUTE);
    near(s.encode_time, 2 * 1e10 / 5e13);
    near(s.vae_time, 4 * 2e12 / 5e13);
    near(s.run_time, 2.7204);
    near(s.seconds_per_image, 2.7204);
    ck_assert_uint_eq(s.width, 1024);
    ck_assert_uint_eq(s.steps, 10);
    ck_assert_str_eq(s.device, "tgpu");
    ck_assert_int_eq(s.fit, LLMROOF_FIT_GPU);
    ck_assert_int_eq(s.offload, LLMROOF_IMAGE_OFFLOAD_NONE);
}
END_TEST

START_TEST(native_size_guidance_and_batch)
{
    llmroof_image_request r;
    llmroof_image_request_init(&r);
    llmroof_image_result s = run_ok("tpc", "tiny", &r);
    /* rho = 1: S = 2 * 1e12, step 0.04 s; encoders 0.0004; VAE 0.04. */
    near(s.step_flops, 2e12);
    near(s.run_time, 0.0004 + 10 * 0.04 + 0.04);
    /* A batch of 2: one pass over 4 samples per step, two VAE decodes. */
    r.batch = 2;
    s = run_ok("tpc", "tiny", &r);
    near(s.step_flops, 4e12);
    near(s.run_time, 0.0004 + 10 * 0.08 + 0.08);
    near(s.seconds_per_image, (0.0004 + 10 * 0.08 + 0.08) / 2);
    /* Guidance-distilled: one evaluation per step, encoders once. */
    r.batch = 1;
    s = run_ok("tpc", "tiny-distilled", &r);
    near(s.step_flops, 1e12);
    near(s.run_time, 0.0002 + 10 * 0.02 + 0.04);
    /* Steps: n * t_step. */
    r.steps = 20;
    s = run_ok("tpc", "tiny-distilled", &r);
    near(s.run_time, 0.0002 + 20 * 0.02 + 0.04);
    /* Half the pixels in one dimension: rho = 0.5. */
    r.steps = 0;
    r.width = 256;
    s = run_ok("tpc", "tiny-distilled", &r);
    near(s.step_flops, 8e11 * 0.5 + 2e11 * 0.25);
    near(s.vae_time, 0.5 * 2e12 / 5e13);
}
END_TEST

START_TEST(fp8_kernel_class_and_weights)
{
    llmroof_image_request r;
    llmroof_image_request_init(&r);
    r.denoiser_bits = 8;
    llmroof_image_result s = run_ok("tpc", "tiny", &r);
    /* The backend's fp8 class: 0.25 for every part's compute. */
    near(s.step_time, 2e12 / (1e14 * 0.25));
    /* Weights: 1e9 * 8/8 + 1e8 * 2 + 5e7 * 2. */
    ck_assert_uint_eq(s.weights, 1300000000u);
}
END_TEST

START_TEST(memory_bound_step)
{
    llmroof_image_request r;
    llmroof_image_request_init(&r);
    llmroof_image_result s = run_ok("tpc", "tiny-memory-bound", &r);
    ck_assert_int_eq(s.step_bound_by, LLMROOF_RESOURCE_DEVICE_MEMORY);
    near(s.step_time, 2e9 / (1000e9 * 0.8));
    near(s.step_bound_time, 2e9 / 1000e9);
}
END_TEST

START_TEST(memory_none_and_model_offload)
{
    llmroof_image_request r;
    llmroof_image_request_init(&r);
    llmroof_image_result s = run_ok("tpc", "tiny", &r);
    double act = 200 * MiB; /* denoiser 100 MiB x 2 samples = VAE 200 MiB */
    ck_assert_uint_eq(s.weights, 2300000000u);
    ck_assert_uint_eq(s.activations, (uint64_t)act);
    ck_assert_uint_eq(s.peak, (uint64_t)(2.3e9 + act));
    ck_assert_uint_eq(s.capacity, (uint64_t)(24 * GiB));
    ck_assert_int_eq(s.headroom, (int64_t)(24 * GiB - 2.3e9 - act));
    near(s.transfer_time, 0);
    /* Forced MODEL: the largest part (denoiser 2e9 + 200 MiB). */
    r.offload = LLMROOF_IMAGE_OFFLOAD_MODEL;
    s = run_ok("tpc", "tiny", &r);
    ck_assert_int_eq(s.fit, LLMROOF_FIT_OFFLOAD);
    ck_assert_uint_eq(s.peak, (uint64_t)(2e9 + act));
    near(s.transfer_time, 2.3e9 / 25e9);
    near(s.run_time, 0.4404 + 2.3e9 / 25e9);
    /* AUTO on a 2.4e9-byte GPU: NONE (2.51e9) does not fit, MODEL does. */
    r.offload = LLMROOF_IMAGE_OFFLOAD_AUTO;
    s = run_ok("tpc-small", "tiny", &r);
    ck_assert_int_eq(s.offload, LLMROOF_IMAGE_OFFLOAD_MODEL);
    ck_assert_int_eq(s.fit, LLMROOF_FIT_OFFLOAD);
    /* Forced NONE there: does not fit, a result with zero times. */
    r.offload = LLMROOF_IMAGE_OFFLOAD_NONE;
    s = run_ok("tpc-small", "tiny", &r);
    ck_assert_int_eq(s.fit, LLMROOF_FIT_NONE);
    ck_assert_int_lt(s.headroom, 0);
    near(s.seconds_per_image, 0);
    /* A batch of 4 at 1024x1024: activations x 16 (x4 pixels, x4 images). */
    r.offload = LLMROOF_IMAGE_OFFLOAD_AUTO;
    r.batch = 4;
    r.width = r.height = 1024;
    s = run_ok("tpc", "tiny", &r);
    ck_assert_uint_eq(s.activations, (uint64_t)(16 * act));
}
END_TEST

/* Reproduced through fuzz_estimate (tests/fuzz/crashes/estimate/ubsan-image-headroom-
 * past-int64): 2^60 bytes of denoiser activation x 2 samples x a batch of 1024
 * x 1024 times the pixels is 2^81 bytes; the headroom saturates instead of
 * converting an out-of-range double (undefined behaviour). */
START_TEST(memory_past_2_to_the_64_saturates)
{
    llmroof_image_model m;
    tiny_model(&m);
    strcpy(m.id, "huge-act");
    m.denoiser.activation = (double)(UINT64_C(1) << 60);
    llmroof_error e;
    llmroof_error_init(&e);
    add_ok(llmroof_catalog_add_image_model(cat, &m, 0, &e), &e);
    llmroof_image_request r;
    llmroof_image_request_init(&r);
    r.width = r.height = 16384;
    r.batch = 1024;
    r.offload = LLMROOF_IMAGE_OFFLOAD_NONE;
    llmroof_image_result s = run_ok("tpc", "huge-act", &r);
    ck_assert_int_eq(s.fit, LLMROOF_FIT_NONE);
    ck_assert_uint_eq(s.activations, UINT64_MAX);
    ck_assert_uint_eq(s.peak, UINT64_MAX);
    ck_assert_int_eq(s.headroom, INT64_MIN);
    near(s.seconds_per_image, 0);
}
END_TEST

START_TEST(unified_has_nothing_to_offload_to)
{
    llmroof_image_request r;
    llmroof_image_request_init(&r);
    llmroof_image_result s;
    llmroof_error e;
    r.offload = LLMROOF_IMAGE_OFFLOAD_MODEL;
    ck_assert_int_eq(run("tmacsys", "tiny", &r, &s, &e), LLMROOF_E_UNSUPPORTED);
    ck_assert_ptr_nonnull(strstr(e.message, "unified"));
    /* AUTO stays NONE: 4 GiB x 0.75 = 3 GiB holds 2.3e9 + 200 MiB. */
    r.offload = LLMROOF_IMAGE_OFFLOAD_AUTO;
    s = run_ok("tmacsys", "tiny", &r);
    ck_assert_int_eq(s.offload, LLMROOF_IMAGE_OFFLOAD_NONE);
    ck_assert_int_eq(s.fit, LLMROOF_FIT_GPU);
    ck_assert_uint_eq(s.capacity, (uint64_t)(3 * GiB));
    /* Larger: does not fit, and still no offload. */
    r.batch = 16;
    r.width = r.height = 1024;
    s = run_ok("tmacsys", "tiny", &r);
    ck_assert_int_eq(s.offload, LLMROOF_IMAGE_OFFLOAD_NONE);
    ck_assert_int_eq(s.fit, LLMROOF_FIT_NONE);
}
END_TEST

START_TEST(energy_and_cost)
{
    llmroof_image_request r;
    llmroof_image_request_init(&r);
    r.electricity_price = 0.30;
    llmroof_image_result s = run_ok("tpc", "tiny", &r);
    near(s.power, 400 + 100 + 50); /* GPU + host CPU + rest of the system */
    near(s.joules_per_image, 550 * 0.4404);
    near(s.cost_per_image, 550 * 0.4404 / 3.6e6 * 0.30);
    near(s.price, 3000);
    near(s.price_per_ipm, 3000 / (60 / 0.4404));
}
END_TEST

START_TEST(bad_requests)
{
    llmroof_image_request r;
    llmroof_image_result s;
    llmroof_error e;
    llmroof_image_request_init(&r);
    ck_assert_int_eq(run("tpc", "nope", &r, &s, &e), LLMROOF_E_NOT_FOUND);
    ck_assert_int_eq(run("nope", "tiny", &r, &s, &e), LLMROOF_E_NOT_FOUND);
    r.width = 1000 + 4;
    ck_assert_int_eq(run("tpc", "tiny", &r, &s, &e), LLMROOF_E_INVALID_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(e.message, "multiples of 8"));
    r.width = 16392;
    ck_assert_int_eq(run("tpc", "tiny", &r, &s, &e), LLMROOF_E_INVALID_ARGUMENT);
    llmroof_image_request_init(&r);
    r.steps = 10001;
    ck_assert_int_eq(run("tpc", "tiny", &r, &s, &e), LLMROOF_E_INVALID_ARGUMENT);
    llmroof_image_request_init(&r);
    r.batch = 0;
    ck_assert_int_eq(run("tpc", "tiny", &r, &s, &e), LLMROOF_E_INVALID_ARGUMENT);
    r.batch = 1025;
    ck_assert_int_eq(run("tpc", "tiny", &r, &s, &e), LLMROOF_E_INVALID_ARGUMENT);
    llmroof_image_request_init(&r);
    r.reserved_u32[3] = 1;
    ck_assert_int_eq(run("tpc", "tiny", &r, &s, &e), LLMROOF_E_INVALID_ARGUMENT);
    llmroof_image_request_init(&r);
    r.offload = 2;
    ck_assert_int_eq(run("tpc", "tiny", &r, &s, &e), LLMROOF_E_INVALID_ARGUMENT);
    llmroof_image_request_init(&r);
    r.electricity_price = -1;
    ck_assert_int_eq(run("tpc", "tiny", &r, &s, &e), LLMROOF_E_INVALID_ARGUMENT);
    llmroof_image_request_init(&r);
    strcpy(r.engine, "tllm");
    ck_assert_int_eq(run("tpc", "tiny", &r, &s, &e), LLMROOF_E_UNSUPPORTED);
    ck_assert_ptr_nonnull(strstr(e.message, "image"));
    strcpy(r.engine, "nope");
    ck_assert_int_eq(run("tpc", "tiny", &r, &s, &e), LLMROOF_E_NOT_FOUND);
    /* The default engine skips tllm (no image task) and picks timg. */
    llmroof_image_request_init(&r);
    ck_assert_int_eq(run("tpc", "tiny", &r, &s, &e), LLMROOF_OK);
    llmroof_image_request_init(&r);
    r.size = 8;
    ck_assert_int_eq(run("tpc", "tiny", &r, &s, &e), LLMROOF_E_INVALID_ARGUMENT);
    ck_assert_int_eq(llmroof_image_estimate(NULL, &r, &s, &e), LLMROOF_E_INVALID_ARGUMENT);
    ck_assert_str_eq(llmroof_image_offload_string(LLMROOF_IMAGE_OFFLOAD_AUTO), "auto");
    ck_assert_str_eq(llmroof_image_offload_string(1), "model");
    ck_assert_str_eq(llmroof_image_offload_string(2), "unknown");
    ck_assert_str_eq(llmroof_image_offload_string(-2), "unknown");
    /* The rest of the request checks. */
    llmroof_image_request_init(&r);
    r.height = 1004;
    ck_assert_int_eq(run("tpc", "tiny", &r, &s, &e), LLMROOF_E_INVALID_ARGUMENT);
    r.height = 16392;
    ck_assert_int_eq(run("tpc", "tiny", &r, &s, &e), LLMROOF_E_INVALID_ARGUMENT);
    llmroof_image_request_init(&r);
    const double bad_bits[] = {0.5, 65, -1, NAN};
    for (size_t i = 0; i < sizeof bad_bits / sizeof bad_bits[0]; i++) {
        r.denoiser_bits = bad_bits[i];
        ck_assert_int_eq(run("tpc", "tiny", &r, &s, &e), LLMROOF_E_INVALID_ARGUMENT);
        ck_assert_ptr_nonnull(strstr(e.message, "denoiser_bits"));
    }
    llmroof_image_request_init(&r);
    s.size = 16;
    llmroof_error_init(&e);
    ck_assert_int_eq(llmroof_image_estimate(NULL, &r, &s, &e), LLMROOF_E_INVALID_ARGUMENT);
    llmroof_image_request_init(NULL);
    llmroof_image_result_init(NULL);
}
END_TEST

/* A backend missing for the device: an engine with cuda only on a Mac. */
START_TEST(no_backend_for_the_device)
{
    llmroof_engine en;
    llmroof_error e;
    llmroof_error_init(&e);
    llmroof_engine_init(&en);
    strcpy(en.id, "tcuda-only");
    en.tasks = LLMROOF_TASK_IMAGE;
    en.backend_count = 1;
    en.backends[0].backend = LLMROOF_BACKEND_CUDA;
    en.backends[0].decode_efficiency = 0.5;
    en.backends[0].prefill_efficiency = 0.5;
    add_ok(llmroof_catalog_add_engine(cat, &en, 0, &e), &e);
    llmroof_image_request r;
    llmroof_image_result s;
    llmroof_image_request_init(&r);
    strcpy(r.engine, "tcuda-only");
    ck_assert_int_eq(run("tmacsys", "tiny", &r, &s, &e), LLMROOF_E_UNSUPPORTED);
    ck_assert_ptr_nonnull(strstr(e.message, "metal"));
}
END_TEST

START_TEST(descriptor_rules)
{
    llmroof_image_model m;
    llmroof_error e;
    tiny_model(&m);
    strcpy(m.id, "bad");
    m.guidance = 3;
    llmroof_error_init(&e);
    ck_assert_int_eq(llmroof_catalog_add_image_model(cat, &m, 0, &e), LLMROOF_E_RANGE);
    ck_assert_ptr_nonnull(strstr(e.message, "guidance"));
    tiny_model(&m);
    strcpy(m.id, "bad");
    m.attention_flops = 2e12;
    llmroof_error_init(&e);
    ck_assert_int_eq(llmroof_catalog_add_image_model(cat, &m, 0, &e), LLMROOF_E_RANGE);
    ck_assert_ptr_nonnull(strstr(e.message, "attention_flops"));
    tiny_model(&m);
    strcpy(m.id, "bad");
    m.width = 500;
    llmroof_error_init(&e);
    ck_assert_int_eq(llmroof_catalog_add_image_model(cat, &m, 0, &e), LLMROOF_E_RANGE);
    tiny_model(&m);
    strcpy(m.id, "bad");
    m.vae.flops = 0;
    llmroof_error_init(&e);
    ck_assert_int_eq(llmroof_catalog_add_image_model(cat, &m, 0, &e), LLMROOF_E_RANGE);
    ck_assert_ptr_nonnull(strstr(e.message, "vae.flops"));
    tiny_model(&m);
    strcpy(m.id, "bad");
    m.encoder_count = 5;
    llmroof_error_init(&e);
    ck_assert_int_eq(llmroof_catalog_add_image_model(cat, &m, 0, &e), LLMROOF_E_RANGE);
    tiny_model(&m);
    strcpy(m.id, "bad");
    m.denoiser.bits = NAN;
    llmroof_error_init(&e);
    ck_assert_int_eq(llmroof_catalog_add_image_model(cat, &m, 0, &e), LLMROOF_E_RANGE);
    ck_assert_int_eq(llmroof_catalog_count(cat, LLMROOF_SECTION_IMAGE_MODELS), 3);
    ck_assert_str_eq(llmroof_section_string(LLMROOF_SECTION_IMAGE_MODELS), "image_models");
    tiny_model(&m);
    llmroof_image_model back;
    llmroof_image_model_init(&back);
    ck_assert_int_eq(llmroof_catalog_get_image_model(cat, "tiny", &back, &e), LLMROOF_OK);
    ck_assert_int_eq(memcmp(&back, &m, sizeof m), 0);
}
END_TEST

static llmroof_status load(const char *text, llmroof_error *e)
{
    llmroof_error_init(e);
    return llmroof_catalog_load_string(cat, "t.yaml", text, strlen(text), 0, e);
}

START_TEST(yaml_loader_and_positions)
{
    llmroof_error e;
    const char *good = "llmroof: 1\n"
                       "image_models:\n"
                       "  y:\n"
                       "    name: Y\n"
                       "    resolution: {width: 512, height: 768}\n"
                       "    steps: 20\n"
                       "    guidance: 1\n"
                       "    denoiser: {params: 1e9, bits: 16, flops: 1e12, activation: 64 MiB}\n"
                       "    attention_flops: 1e11\n"
                       "    encoders:\n"
                       "      - {name: E, params: 1e8, bits: 16, flops: 1e10}\n"
                       "    vae: {params: 5e7, bits: 16, flops: 2e12}\n"
                       "    source: test\n";
    ck_assert_msg(load(good, &e) == LLMROOF_OK, "%s", e.message);
    llmroof_image_model m;
    llmroof_image_model_init(&m);
    ck_assert_int_eq(llmroof_catalog_get_image_model(cat, "y", &m, &e), LLMROOF_OK);
    ck_assert_uint_eq(m.height, 768);
    ck_assert_uint_eq(m.encoder_count, 1);
    near(m.denoiser.activation, 64 * MiB);
    /* An unknown key inside a part, at its line and column. */
    ck_assert_int_eq(load("llmroof: 1\nimage_models:\n  z:\n    name: Z\n"
                          "    resolution: {width: 512, height: 512}\n    steps: 2\n"
                          "    guidance: 1\n    denoiser: {params: 1, bits: 16, flop: 1}\n"
                          "    vae: {params: 1, bits: 16, flops: 1}\n",
                          &e),
                     LLMROOF_E_SCHEMA);
    ck_assert_uint_eq(e.line, 8);
    ck_assert_uint_eq(e.column, 37); /* 4 + "denoiser: {params: 1, bits: 16, " */
    ck_assert_ptr_nonnull(strstr(e.message, "flop"));
    /* A validation error points at the field. */
    ck_assert_int_eq(load("llmroof: 1\nimage_models:\n  z:\n    name: Z\n"
                          "    resolution: {width: 512, height: 512}\n    steps: 2\n"
                          "    guidance: 4\n    denoiser: {params: 1, bits: 16, flops: 1}\n"
                          "    vae: {params: 1, bits: 16, flops: 1}\n",
                          &e),
                     LLMROOF_E_RANGE);
    ck_assert_uint_eq(e.line, 7);
    ck_assert_uint_eq(e.column, 15);
    /* Missing vae. */
    ck_assert_int_eq(load("llmroof: 1\nimage_models:\n  z:\n    name: Z\n"
                          "    resolution: {width: 512, height: 512}\n    steps: 2\n"
                          "    guidance: 1\n    denoiser: {params: 1, bits: 16, flops: 1}\n",
                          &e),
                     LLMROOF_E_SCHEMA);
    ck_assert_ptr_nonnull(strstr(e.message, "vae"));
    /* Five encoders. */
    ck_assert_int_eq(load("llmroof: 1\nimage_models:\n  z:\n    name: Z\n"
                          "    resolution: {width: 512, height: 512}\n    steps: 2\n"
                          "    guidance: 1\n    denoiser: {params: 1, bits: 16, flops: 1}\n"
                          "    encoders: [{params: 1, bits: 8}, {params: 1, bits: 8}, {params: 1, "
                          "bits: 8}, {params: 1, bits: 8}, {params: 1, bits: 8}]\n"
                          "    vae: {params: 1, bits: 16, flops: 1}\n",
                          &e),
                     LLMROOF_E_RANGE);
}
END_TEST

/* The article's comparison on the bundled catalog (docs/model.md §9). */
START_TEST(bundled_sdxl_4090_several_times_faster_than_m3_ultra)
{
    llmroof_catalog *b;
    llmroof_error e;
    llmroof_error_init(&e);
    ck_assert_int_eq(llmroof_catalog_new(&b, &e), LLMROOF_OK);
    ck_assert_int_eq(llmroof_catalog_load_builtin(b, 0, &e), LLMROOF_OK);
    llmroof_image_request r;
    llmroof_image_result pc, mac, two;
    llmroof_image_request_init(&r);
    strcpy(r.model, "sdxl-1.0");
    strcpy(r.system, "pc-rtx-4090");
    llmroof_image_result_init(&pc);
    ck_assert_int_eq(llmroof_image_estimate(b, &r, &pc, &e), LLMROOF_OK);
    strcpy(r.system, "mac-studio-m3-ultra-96gb");
    llmroof_image_result_init(&mac);
    ck_assert_int_eq(llmroof_image_estimate(b, &r, &mac, &e), LLMROOF_OK);
    ck_assert_int_eq(pc.fit, LLMROOF_FIT_GPU);
    ck_assert_int_eq(mac.fit, LLMROOF_FIT_GPU);
    ck_assert_msg(mac.seconds_per_image >= 3 * pc.seconds_per_image, "4090 %g s, M3 Ultra %g s",
                  pc.seconds_per_image, mac.seconds_per_image);
    /* A second 4090 does not speed up one image. */
    strcpy(r.system, "pc-2x-rtx-4090");
    llmroof_image_result_init(&two);
    ck_assert_int_eq(llmroof_image_estimate(b, &r, &two, &e), LLMROOF_OK);
    near(two.run_time - two.encode_time, pc.run_time - pc.encode_time);

    /* FLUX.1 dev in bf16 (22 GiB of transformer + 9 GiB of T5) does not fit a
     * 24 GB card resident; in fp8 it does. */
    strcpy(r.model, "flux.1-dev");
    strcpy(r.system, "pc-rtx-4090");
    r.offload = LLMROOF_IMAGE_OFFLOAD_NONE;
    llmroof_image_result_init(&pc);
    ck_assert_int_eq(llmroof_image_estimate(b, &r, &pc, &e), LLMROOF_OK);
    ck_assert_int_eq(pc.fit, LLMROOF_FIT_NONE);
    r.denoiser_bits = 8;
    llmroof_image_result_init(&pc);
    ck_assert_int_eq(llmroof_image_estimate(b, &r, &pc, &e), LLMROOF_OK);
    ck_assert_int_eq(pc.fit, LLMROOF_FIT_GPU);
    /* On the 96 GB Mac it fits resident in bf16. */
    r.denoiser_bits = 0;
    r.offload = LLMROOF_IMAGE_OFFLOAD_AUTO;
    strcpy(r.system, "mac-studio-m3-ultra-96gb");
    llmroof_image_result_init(&mac);
    ck_assert_int_eq(llmroof_image_estimate(b, &r, &mac, &e), LLMROOF_OK);
    ck_assert_int_eq(mac.fit, LLMROOF_FIT_GPU);
    /* Core ML on the same Mac: the same formulas at its own efficiency. */
    strcpy(r.model, "sdxl-1.0");
    llmroof_image_result_init(&mac);
    ck_assert_int_eq(llmroof_image_estimate(b, &r, &mac, &e), LLMROOF_OK);
    ck_assert_str_eq(mac.device, "m3-ultra-60c");
    strcpy(r.engine, "coreml");
    llmroof_image_result coreml;
    llmroof_image_result_init(&coreml);
    ck_assert_int_eq(llmroof_image_estimate(b, &r, &coreml, &e), LLMROOF_OK);
    ck_assert_double_eq(coreml.step_flops, mac.step_flops);
    ck_assert_double_ne(coreml.step_time, mac.step_time);
    /* ... and nowhere else: Core ML has no cuda backend. */
    strcpy(r.system, "pc-rtx-4090");
    ck_assert_int_eq(llmroof_image_estimate(b, &r, &coreml, &e), LLMROOF_E_UNSUPPORTED);
    /* A CPU-only server and a Vulkan-only APU have no image engine. */
    r.engine[0] = '\0';
    strcpy(r.system, "cpu-server-epyc-genoa");
    ck_assert_int_eq(llmroof_image_estimate(b, &r, &coreml, &e), LLMROOF_E_UNSUPPORTED);
    strcpy(r.system, "strix-halo-128gb");
    ck_assert_int_eq(llmroof_image_estimate(b, &r, &coreml, &e), LLMROOF_E_UNSUPPORTED);
    llmroof_catalog_free(b);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("image");
    TCase *tc = tcase_create("image");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, worked_example_at_four_times_the_pixels);
    tcase_add_test(tc, native_size_guidance_and_batch);
    tcase_add_test(tc, fp8_kernel_class_and_weights);
    tcase_add_test(tc, memory_bound_step);
    tcase_add_test(tc, memory_none_and_model_offload);
    tcase_add_test(tc, memory_past_2_to_the_64_saturates);
    tcase_add_test(tc, unified_has_nothing_to_offload_to);
    tcase_add_test(tc, energy_and_cost);
    tcase_add_test(tc, bad_requests);
    tcase_add_test(tc, no_backend_for_the_device);
    tcase_add_test(tc, descriptor_rules);
    tcase_add_test(tc, yaml_loader_and_positions);
    tcase_add_test(tc, bundled_sdxl_4090_several_times_faster_than_m3_ultra);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_ENV);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
