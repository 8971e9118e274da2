/* The public API as a caller sees it: version, status strings, errors,
 * enums, defaults, descriptors built in code, and estimate's contract.
 * Uses nothing but include/llmroof/llmroof.h. */
#include <check.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "llmroof/llmroof.h"

START_TEST(version_matches_header)
{
    ck_assert_uint_eq(llmroof_version_number(), LLMROOF_VERSION_NUMBER);
    ck_assert_str_eq(llmroof_version(), LLMROOF_VERSION_STRING);
}
END_TEST

START_TEST(status_strings)
{
    for (int32_t s = LLMROOF_OK; s <= LLMROOF_E_VERSION; s++) {
        ck_assert_ptr_nonnull(llmroof_status_string(s));
        ck_assert_str_ne(llmroof_status_string(s), "unknown status");
    }
    ck_assert_str_eq(llmroof_status_string(-1), "unknown status");
    ck_assert_str_eq(llmroof_status_string(1000), "unknown status");
    ck_assert_str_eq(llmroof_status_string(LLMROOF_E_NOMEM), "out of memory");
}
END_TEST

/* Enum names are the strings of the tool's JSON and the YAML schema. */
START_TEST(enum_strings)
{
    ck_assert_str_eq(llmroof_fit_string(LLMROOF_FIT_GPU), "gpu");
    ck_assert_str_eq(llmroof_fit_string(LLMROOF_FIT_OFFLOAD), "offload");
    ck_assert_str_eq(llmroof_fit_string(LLMROOF_FIT_STORAGE), "storage");
    ck_assert_str_eq(llmroof_fit_string(LLMROOF_FIT_NONE), "none");
    ck_assert_str_eq(llmroof_fit_string(4), "unknown");
    ck_assert_str_eq(llmroof_resource_string(LLMROOF_RESOURCE_GPU_LINK), "gpu-link");
    ck_assert_str_eq(llmroof_resource_string(-3), "unknown");
    ck_assert_str_eq(llmroof_split_string(LLMROOF_SPLIT_ROW), "row");
    ck_assert_str_eq(llmroof_backend_string(LLMROOF_BACKEND_METAL), "metal");
    ck_assert_str_eq(llmroof_device_kind_string(LLMROOF_DEVICE_UNIFIED), "unified");
    ck_assert_str_eq(llmroof_tier_kind_string(LLMROOF_TIER_STORAGE), "storage");
    ck_assert_str_eq(llmroof_section_string(LLMROOF_SECTION_ENGINES), "engines");
    ck_assert_str_eq(llmroof_section_string(LLMROOF_SECTION_COUNT), "unknown");
    ck_assert_str_eq(llmroof_placement_kind_string(LLMROOF_PLACEMENT_MULTI_GPU), "multi_gpu");
    ck_assert_str_eq(llmroof_placement_kind_string(LLMROOF_PLACEMENT_OFFLOAD), "offload");
    ck_assert_str_eq(llmroof_placement_kind_string(LLMROOF_PLACEMENT_COUNT), "unknown");
    for (int32_t k = 0; k < LLMROOF_KV_TYPE_COUNT; k++) {
        int32_t back = -1;
        ck_assert_int_eq(llmroof_kv_type_from_string(llmroof_kv_type_string(k), &back),
                         LLMROOF_OK);
        ck_assert_int_eq(back, k);
    }
    int32_t kv = 0;
    ck_assert_int_eq(llmroof_kv_type_from_string("q3_k", &kv), LLMROOF_E_NOT_FOUND);
    ck_assert_int_eq(llmroof_kv_type_from_string(NULL, &kv), LLMROOF_E_INVALID_ARGUMENT);
}
END_TEST

START_TEST(request_defaults)
{
    llmroof_request r;
    memset(&r, 0xAB, sizeof r);
    llmroof_request_init(&r);
    ck_assert_uint_eq(r.size, sizeof r);
    ck_assert_uint_eq(r.prompt, 512);
    ck_assert_uint_eq(r.gen, 128);
    ck_assert_uint_eq(r.depth, 0);
    ck_assert_uint_eq(r.ctx, 0);
    ck_assert_uint_eq(r.batch, 1);
    ck_assert_uint_eq(r.ubatch, 512);
    ck_assert_int_eq(r.kv_type, LLMROOF_KV_F16);
    ck_assert_int_eq(r.gpu_layers, -1);
    ck_assert_int_eq(r.split, LLMROOF_SPLIT_AUTO);
    ck_assert_int_eq(r.backend, -1);
    ck_assert_str_eq(r.engine, "");
    llmroof_request_init(NULL);
    llmroof_result_init(NULL);
    llmroof_error_init(NULL);
    llmroof_catalog_free(NULL);
}
END_TEST

/* A machine described entirely in code, no YAML: one GPU, DDR5 host. */
static llmroof_catalog *code_catalog(void)
{
    llmroof_catalog *cat = NULL;
    llmroof_error e;
    llmroof_error_init(&e);
    ck_assert_int_eq(llmroof_catalog_new(&cat, &e), LLMROOF_OK);

    llmroof_device d;
    llmroof_device_init(&d);
    strcpy(d.id, "my-gpu");
    strcpy(d.name, "My GPU");
    d.kind = LLMROOF_DEVICE_GPU;
    d.backend = LLMROOF_BACKEND_CUDA;
    d.memory = 16ull << 30;
    d.bandwidth = 500e9;
    d.compute_f16 = 50e12;
    ck_assert_int_eq(llmroof_catalog_add_device(cat, &d, 0, &e), LLMROOF_OK);
    llmroof_device_init(&d);
    strcpy(d.id, "my-cpu");
    strcpy(d.name, "My CPU");
    d.kind = LLMROOF_DEVICE_CPU;
    d.backend = LLMROOF_BACKEND_CPU;
    d.bandwidth = 60e9;
    d.compute_f16 = 1e12;
    ck_assert_int_eq(llmroof_catalog_add_device(cat, &d, 0, &e), LLMROOF_OK);

    llmroof_link l;
    llmroof_link_init(&l);
    strcpy(l.id, "my-pcie");
    l.bandwidth = 16e9;
    l.latency = 10e-6;
    ck_assert_int_eq(llmroof_catalog_add_link(cat, &l, 0, &e), LLMROOF_OK);

    llmroof_system s;
    llmroof_system_init(&s);
    strcpy(s.id, "my-pc");
    strcpy(s.name, "My PC");
    s.accelerator_count = 1;
    strcpy(s.accelerators[0], "my-gpu");
    strcpy(s.host_link, "my-pcie");
    strcpy(s.host_device, "my-cpu");
    s.host_memory = 32ull << 30;
    ck_assert_int_eq(llmroof_catalog_add_system(cat, &s, 0, &e), LLMROOF_OK);

    llmroof_model m;
    llmroof_model_init(&m);
    strcpy(m.id, "tiny");
    strcpy(m.name, "Tiny");
    m.layers = 16;
    m.hidden = 2048;
    m.ffn = 8192;
    m.heads = 32;
    m.kv_heads = 8;
    m.head_dim = 64;
    m.vocab = 128256;
    m.context = 131072;
    m.tied_embeddings = 1;
    ck_assert_int_eq(llmroof_catalog_add_model(cat, &m, 0, &e), LLMROOF_OK);

    llmroof_quant q;
    llmroof_quant_init(&q);
    strcpy(q.id, "Q8_0");
    q.bpw = 8.5;
    strcpy(q.kernel, "q8_0");
    q.quality = 0.001;
    ck_assert_int_eq(llmroof_catalog_add_quant(cat, &q, 0, &e), LLMROOF_OK);

    llmroof_engine en;
    llmroof_engine_init(&en);
    strcpy(en.id, "llama.cpp");
    en.split_modes = LLMROOF_SPLIT_BIT(LLMROOF_SPLIT_LAYER) | LLMROOF_SPLIT_BIT(LLMROOF_SPLIT_NONE);
    en.default_split = LLMROOF_SPLIT_LAYER;
    en.offloaded_layers = LLMROOF_OFFLOAD_HOST_COMPUTE;
    en.backend_count = 2;
    en.backends[0].backend = LLMROOF_BACKEND_CUDA;
    en.backends[0].decode_efficiency = 0.8;
    en.backends[0].prefill_efficiency = 0.5;
    en.backends[1].backend = LLMROOF_BACKEND_CPU;
    en.backends[1].decode_efficiency = 0.7;
    en.backends[1].prefill_efficiency = 0.3;
    ck_assert_int_eq(llmroof_catalog_add_engine(cat, &en, 0, &e), LLMROOF_OK);
    return cat;
}

START_TEST(estimate_from_code_descriptors)
{
    llmroof_catalog *cat = code_catalog();
    llmroof_request r;
    llmroof_request_init(&r);
    strcpy(r.system, "my-pc");
    strcpy(r.model, "tiny");
    strcpy(r.quant, "Q8_0");
    r.ctx = 8192;
    llmroof_result res;
    llmroof_result_init(&res);
    llmroof_error e;
    llmroof_error_init(&e);
    ck_assert_int_eq(llmroof_estimate(cat, &r, &res, &e), LLMROOF_OK);
    ck_assert_int_eq(res.fit, LLMROOF_FIT_GPU);
    /* 16 layers x 8192 cells x 2 x 8 x 64 x 2 bytes = 256 MiB. */
    ck_assert_uint_eq(res.kv, 268435456ull);
    ck_assert(isfinite(res.decode_tps) && res.decode_tps > 0);
    ck_assert_double_le(res.decode_tps, res.decode_bound_tps);
    ck_assert_int_eq(res.decode_bound_by, LLMROOF_RESOURCE_DEVICE_MEMORY);

    /* Round trip of a descriptor. */
    llmroof_model m;
    llmroof_model_init(&m);
    ck_assert_int_eq(llmroof_catalog_get_model(cat, "tiny", &m, &e), LLMROOF_OK);
    ck_assert_uint_eq(m.layers, 16);
    ck_assert_uint_eq(llmroof_catalog_count(cat, LLMROOF_SECTION_MODELS), 1);
    ck_assert_str_eq(llmroof_catalog_id(cat, LLMROOF_SECTION_MODELS, 0), "tiny");
    ck_assert_ptr_null(llmroof_catalog_id(cat, LLMROOF_SECTION_MODELS, 1));
    llmroof_catalog_free(cat);
}
END_TEST

/* docs/model.md §7: power while generating, joules per token, electricity
 * cost and idle power, from descriptors built in code. */
START_TEST(energy_and_cost)
{
    llmroof_catalog *cat = code_catalog();
    llmroof_error e;
    llmroof_error_init(&e);
    llmroof_device d;
    llmroof_device_init(&d);
    ck_assert_int_eq(llmroof_catalog_get_device(cat, "my-gpu", &d, &e), LLMROOF_OK);
    d.power = 300;
    d.idle_power = 20;
    ck_assert_int_eq(llmroof_catalog_add_device(cat, &d, LLMROOF_LOAD_OVERRIDE, &e), LLMROOF_OK);
    llmroof_request r;
    llmroof_request_init(&r);
    strcpy(r.system, "my-pc");
    strcpy(r.model, "tiny");
    strcpy(r.quant, "Q8_0");
    r.electricity_price = 0.36; /* USD per kWh: 1e-7 USD per joule */
    llmroof_result res;
    llmroof_result_init(&res);
    ck_assert_int_eq(llmroof_estimate(cat, &r, &res, &e), LLMROOF_OK);
    /* The CPU (my-cpu) states no power: only the GPU's 300 W counts. */
    ck_assert_double_eq(res.power, 300);
    ck_assert_double_eq_tol(res.joules_per_token, 300 / res.decode_tps, 1e-12);
    ck_assert_double_eq_tol(res.prefill_joules_per_token, 300 / res.prefill_tps, 1e-12);
    /* 1e6 tokens x J/token x 1e-7 USD/J. */
    ck_assert_double_eq_tol(res.cost_per_mtok, res.joules_per_token * 0.1, 1e-12);
    /* Idle: the host CPU's idle power is unknown, so the sum is unknown. */
    ck_assert_double_eq(res.idle_power, 0);

    llmroof_device cpu;
    llmroof_device_init(&cpu);
    ck_assert_int_eq(llmroof_catalog_get_device(cat, "my-cpu", &cpu, &e), LLMROOF_OK);
    cpu.power = 100;
    cpu.idle_power = 15;
    ck_assert_int_eq(llmroof_catalog_add_device(cat, &cpu, LLMROOF_LOAD_OVERRIDE, &e), LLMROOF_OK);
    ck_assert_int_eq(llmroof_estimate(cat, &r, &res, &e), LLMROOF_OK);
    ck_assert_double_eq(res.power, 400);
    ck_assert_double_eq(res.idle_power, 35);
    /* A system's own idle figure (at the wall) wins over the devices' sum. */
    llmroof_system s;
    llmroof_system_init(&s);
    ck_assert_int_eq(llmroof_catalog_get_system(cat, "my-pc", &s, &e), LLMROOF_OK);
    s.idle_power = 60;
    ck_assert_int_eq(llmroof_catalog_add_system(cat, &s, LLMROOF_LOAD_OVERRIDE, &e), LLMROOF_OK);
    ck_assert_int_eq(llmroof_estimate(cat, &r, &res, &e), LLMROOF_OK);
    ck_assert_double_eq(res.idle_power, 60);
    /* No price: no cost figure. */
    r.electricity_price = 0;
    ck_assert_int_eq(llmroof_estimate(cat, &r, &res, &e), LLMROOF_OK);
    ck_assert_double_eq(res.cost_per_mtok, 0);
    /* Bad prices and an idle power above the load power are refused. */
    const double bad[] = {-0.1, 101, NAN, INFINITY};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        r.electricity_price = bad[i];
        llmroof_error_init(&e);
        ck_assert_int_eq(llmroof_estimate(cat, &r, &res, &e), LLMROOF_E_INVALID_ARGUMENT);
        ck_assert_ptr_nonnull(strstr(e.message, "electricity_price"));
    }
    d.idle_power = 301;
    llmroof_error_init(&e);
    ck_assert_int_eq(llmroof_catalog_add_device(cat, &d, LLMROOF_LOAD_OVERRIDE, &e), LLMROOF_E_RANGE);
    ck_assert_ptr_nonnull(strstr(e.message, "idle_power (301 W) is above power (300 W)"));
    llmroof_catalog_free(cat);
}
END_TEST

/* An engine's tasks: LLM by default; an image-only engine needs no split
 * modes and is refused by llmroof_estimate. */
START_TEST(engine_tasks)
{
    llmroof_catalog *cat = code_catalog();
    llmroof_error e;
    llmroof_error_init(&e);
    llmroof_engine en;
    llmroof_engine_init(&en);
    ck_assert_uint_eq(en.tasks, LLMROOF_TASK_LLM);
    static const char yaml[] = "llmroof: 1\n"
                               "engines:\n"
                               "  pics:\n"
                               "    name: Pictures\n"
                               "    tasks: [image, train]\n"
                               "    backends:\n"
                               "      cuda: {prefill_efficiency: 0.4, decode_efficiency: 0.8}\n"
                               "    source: test\n";
    ck_assert_int_eq(llmroof_catalog_load_string(cat, "pics.yaml", yaml, sizeof yaml - 1, 0, &e),
                     LLMROOF_OK);
    ck_assert_int_eq(llmroof_catalog_get_engine(cat, "pics", &en, &e), LLMROOF_OK);
    ck_assert_uint_eq(en.tasks, LLMROOF_TASK_IMAGE | LLMROOF_TASK_TRAIN);
    ck_assert_uint_eq(en.split_modes, LLMROOF_SPLIT_BIT(LLMROOF_SPLIT_NONE));
    llmroof_request r;
    llmroof_request_init(&r);
    strcpy(r.system, "my-pc");
    strcpy(r.model, "tiny");
    strcpy(r.quant, "Q8_0");
    strcpy(r.engine, "pics");
    llmroof_result res;
    llmroof_result_init(&res);
    ck_assert_int_eq(llmroof_estimate(cat, &r, &res, &e), LLMROOF_E_UNSUPPORTED);
    ck_assert_ptr_nonnull(strstr(e.message, "does not run LLM inference (its tasks: image, train)"));
    /* Bad task lists. */
    static const char *const bad[] = {"[llm, llm]", "[video]", "llm", "[]"};
    static const char *const why[] = {"'llm' is listed twice", "video", "expected a sequence",
                                      "tasks must be a non-empty set"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char text[512];
        snprintf(text, sizeof text,
                 "llmroof: 1\nengines:\n  e2:\n    name: E\n    tasks: %s\n    split_modes: [none]\n"
                 "    backends: {cuda: {prefill_efficiency: 0.4, decode_efficiency: 0.8}}\n"
                 "    source: t\n",
                 bad[i]);
        llmroof_error_init(&e);
        ck_assert_int_ne(llmroof_catalog_load_string(cat, "bad.yaml", text, strlen(text), 0, &e),
                         LLMROOF_OK);
        ck_assert_msg(strstr(e.message, why[i]) != NULL, "%s: %s", bad[i], e.message);
        ck_assert_uint_eq(e.line, 5);
    }
    llmroof_catalog_free(cat);
}
END_TEST

START_TEST(estimate_errors)
{
    llmroof_catalog *cat = code_catalog();
    llmroof_request r;
    llmroof_request_init(&r);
    strcpy(r.system, "my-pc");
    strcpy(r.model, "no-such-model");
    strcpy(r.quant, "Q8_0");
    llmroof_result res;
    llmroof_result_init(&res);
    llmroof_error e;
    llmroof_error_init(&e);
    ck_assert_int_eq(llmroof_estimate(cat, &r, &res, &e), LLMROOF_E_NOT_FOUND);
    ck_assert_int_eq(e.code, LLMROOF_E_NOT_FOUND);
    ck_assert_ptr_nonnull(strstr(e.message, "no-such-model"));
    /* The first error wins. */
    strcpy(r.model, "tiny");
    strcpy(r.engine, "vllm");
    ck_assert_int_eq(llmroof_estimate(cat, &r, &res, &e), LLMROOF_E_NOT_FOUND);
    ck_assert_ptr_nonnull(strstr(e.message, "no-such-model"));
    llmroof_error_init(&e);
    ck_assert_int_eq(llmroof_estimate(cat, &r, &res, &e), LLMROOF_E_NOT_FOUND);
    ck_assert_ptr_nonnull(strstr(e.message, "vllm"));
    r.engine[0] = '\0';
    /* Bad requests. */
    r.batch = 0;
    ck_assert_int_eq(llmroof_estimate(cat, &r, &res, NULL), LLMROOF_E_INVALID_ARGUMENT);
    r.batch = 1;
    r.kv_type = 42;
    ck_assert_int_eq(llmroof_estimate(cat, &r, &res, NULL), LLMROOF_E_INVALID_ARGUMENT);
    r.kv_type = LLMROOF_KV_F16;
    r.gpu_share = NAN;
    ck_assert_int_eq(llmroof_estimate(cat, &r, &res, NULL), LLMROOF_E_INVALID_ARGUMENT);
    r.gpu_share = 0;
    r.backend = LLMROOF_BACKEND_CPU; /* the accelerators' backend, never the host's */
    ck_assert_int_eq(llmroof_estimate(cat, &r, &res, NULL), LLMROOF_E_INVALID_ARGUMENT);
    r.backend = 99;
    ck_assert_int_eq(llmroof_estimate(cat, &r, &res, NULL), LLMROOF_E_INVALID_ARGUMENT);
    r.backend = -1;
    r.ctx = 100; /* prompt 512 does not fit in a 100-token context */
    ck_assert_int_eq(llmroof_estimate(cat, &r, &res, NULL), LLMROOF_E_INVALID_ARGUMENT);
    r.ctx = 0;
    /* Row split on a one-GPU system is a one-GPU run, as llama.cpp does it,
     * and the result says so. */
    r.split = LLMROOF_SPLIT_ROW;
    ck_assert_int_eq(llmroof_estimate(cat, &r, &res, NULL), LLMROOF_OK);
    ck_assert(res.flags & LLMROOF_FLAG_SINGLE_GPU);
    /* (With two GPUs a mode the engine lacks is LLMROOF_E_UNSUPPORTED:
     * check_placement.c unsupported_split.) */
    r.split = LLMROOF_SPLIT_AUTO;
    /* size fields are checked. */
    r.size = 4;
    ck_assert_int_eq(llmroof_estimate(cat, &r, &res, NULL), LLMROOF_E_INVALID_ARGUMENT);
    r.size = sizeof r;
    ck_assert_int_eq(llmroof_estimate(NULL, &r, &res, NULL), LLMROOF_E_INVALID_ARGUMENT);
    ck_assert_int_eq(llmroof_estimate(cat, NULL, &res, NULL), LLMROOF_E_INVALID_ARGUMENT);
    ck_assert_int_eq(llmroof_estimate(cat, &r, NULL, NULL), LLMROOF_E_INVALID_ARGUMENT);
    ck_assert_int_eq(llmroof_estimate(cat, &r, &res, NULL), LLMROOF_OK);
    /* A result from before the error band (the fields from decode_tps_lo on
     * were reserved) is filled up to its size, the rest left alone. */
    double speed = res.decode_tps;
    ck_assert_double_gt(res.decode_tps_lo, 0);
    memset(&res, 0xAB, sizeof res);
    res.size = offsetof(llmroof_result, decode_tps_lo);
    ck_assert_int_eq(llmroof_estimate(cat, &r, &res, NULL), LLMROOF_OK);
    ck_assert(res.decode_tps == speed);
    const unsigned char *tail = (const unsigned char *)&res.decode_tps_lo;
    for (size_t i = 0; i < sizeof res - offsetof(llmroof_result, decode_tps_lo); i++)
        ck_assert_uint_eq(tail[i], 0xAB);
    res.size = offsetof(llmroof_result, decode_tps_lo) - 1;
    ck_assert_int_eq(llmroof_estimate(cat, &r, &res, NULL), LLMROOF_E_INVALID_ARGUMENT);
    llmroof_catalog_free(cat);
}
END_TEST

/* The bundled catalog loads with no file and has the ids other tools use. */
START_TEST(builtin_catalog_ids)
{
    llmroof_catalog *cat = NULL;
    llmroof_error e;
    llmroof_error_init(&e);
    ck_assert_int_eq(llmroof_catalog_new(&cat, &e), LLMROOF_OK);
    ck_assert_msg(llmroof_catalog_load_builtin(cat, 0, &e) == LLMROOF_OK, "%s:%u:%u: %s", e.file,
                  e.line, e.column, e.message);
    llmroof_system s;
    const char *systems[] = {"mac-studio-m3-ultra-96gb", "mac-studio-m3-ultra-256gb",
                             "mac-studio-m3-ultra-512gb", "pc-rtx-4090", "pc-2x-rtx-4090"};
    for (size_t i = 0; i < sizeof systems / sizeof systems[0]; i++) {
        llmroof_system_init(&s);
        ck_assert_msg(llmroof_catalog_get_system(cat, systems[i], &s, NULL) == LLMROOF_OK, "%s",
                      systems[i]);
        ck_assert_msg(s.source[0] != '\0', "system %s has no source", systems[i]);
    }
    llmroof_device d;
    llmroof_device_init(&d);
    ck_assert_int_eq(llmroof_catalog_get_device(cat, "rtx-4090", &d, NULL), LLMROOF_OK);
    ck_assert_int_eq(llmroof_catalog_get_device(cat, "m3-ultra-80c", &d, NULL), LLMROOF_OK);
    llmroof_link l;
    llmroof_link_init(&l);
    ck_assert_int_eq(llmroof_catalog_get_link(cat, "pcie-4.0-x16", &l, NULL), LLMROOF_OK);
    const char *models[] = {"llama-3.1-8b", "qwen2.5-32b", "llama-3-70b", "llama-3.3-70b",
                            "llama-3.1-405b"};
    llmroof_model m;
    for (size_t i = 0; i < sizeof models / sizeof models[0]; i++) {
        llmroof_model_init(&m);
        ck_assert_msg(llmroof_catalog_get_model(cat, models[i], &m, NULL) == LLMROOF_OK, "%s",
                      models[i]);
    }
    const char *quants[] = {"F16", "Q8_0", "Q6_K", "Q5_K_M", "Q4_K_M", "Q4_0"};
    llmroof_quant q;
    for (size_t i = 0; i < sizeof quants / sizeof quants[0]; i++) {
        llmroof_quant_init(&q);
        ck_assert_msg(llmroof_catalog_get_quant(cat, quants[i], &q, NULL) == LLMROOF_OK, "%s",
                      quants[i]);
    }
    llmroof_engine en;
    llmroof_engine_init(&en);
    ck_assert_int_eq(llmroof_catalog_get_engine(cat, "llama.cpp", &en, NULL), LLMROOF_OK);
    ck_assert_int_eq(llmroof_catalog_get_engine(cat, "mlx", &en, NULL), LLMROOF_OK);

    /* Every bundled entry carries a source. */
    for (int32_t sec = 0; sec < LLMROOF_SECTION_COUNT; sec++) {
        uint32_t n = llmroof_catalog_count(cat, sec);
        ck_assert_uint_gt(n, 0);
        for (uint32_t i = 0; i < n; i++) {
            const char *id = llmroof_catalog_id(cat, sec, i);
            const char *src = NULL;
            union {
                llmroof_device d;
                llmroof_link l;
                llmroof_system s;
                llmroof_model m;
                llmroof_quant q;
                llmroof_engine e;
                llmroof_image_model im;
            } u;
            switch (sec) {
            case LLMROOF_SECTION_DEVICES:
                llmroof_device_init(&u.d);
                llmroof_catalog_get_device(cat, id, &u.d, NULL);
                src = u.d.source;
                break;
            case LLMROOF_SECTION_LINKS:
                llmroof_link_init(&u.l);
                llmroof_catalog_get_link(cat, id, &u.l, NULL);
                src = u.l.source;
                break;
            case LLMROOF_SECTION_SYSTEMS:
                llmroof_system_init(&u.s);
                llmroof_catalog_get_system(cat, id, &u.s, NULL);
                src = u.s.source;
                break;
            case LLMROOF_SECTION_MODELS:
                llmroof_model_init(&u.m);
                llmroof_catalog_get_model(cat, id, &u.m, NULL);
                src = u.m.source;
                break;
            case LLMROOF_SECTION_QUANTS:
                llmroof_quant_init(&u.q);
                llmroof_catalog_get_quant(cat, id, &u.q, NULL);
                src = u.q.source;
                break;
            case LLMROOF_SECTION_IMAGE_MODELS:
                llmroof_image_model_init(&u.im);
                llmroof_catalog_get_image_model(cat, id, &u.im, NULL);
                src = u.im.source;
                break;
            default:
                llmroof_engine_init(&u.e);
                llmroof_catalog_get_engine(cat, id, &u.e, NULL);
                src = u.e.source;
                break;
            }
            ck_assert_msg(src && src[0], "%s '%s' has no source", llmroof_section_string(sec),
                          id);
        }
    }
    llmroof_catalog_free(cat);
}
END_TEST

/* Every system x model x quant of the bundled catalog gives a finite,
 * bounded answer or a clean error. */
START_TEST(builtin_every_combination)
{
    llmroof_catalog *cat = NULL;
    ck_assert_int_eq(llmroof_catalog_new(&cat, NULL), LLMROOF_OK);
    ck_assert_int_eq(llmroof_catalog_load_builtin(cat, 0, NULL), LLMROOF_OK);
    uint32_t ns = llmroof_catalog_count(cat, LLMROOF_SECTION_SYSTEMS),
             nm = llmroof_catalog_count(cat, LLMROOF_SECTION_MODELS),
             nq = llmroof_catalog_count(cat, LLMROOF_SECTION_QUANTS);
    uint32_t ran = 0;
    for (uint32_t a = 0; a < ns; a++)
        for (uint32_t b = 0; b < nm; b++)
            for (uint32_t c = 0; c < nq; c++) {
                llmroof_request r;
                llmroof_request_init(&r);
                strcpy(r.system, llmroof_catalog_id(cat, LLMROOF_SECTION_SYSTEMS, a));
                strcpy(r.model, llmroof_catalog_id(cat, LLMROOF_SECTION_MODELS, b));
                strcpy(r.quant, llmroof_catalog_id(cat, LLMROOF_SECTION_QUANTS, c));
                r.ctx = 4096;
                llmroof_result res;
                llmroof_result_init(&res);
                llmroof_error e;
                llmroof_error_init(&e);
                llmroof_status st = llmroof_estimate(cat, &r, &res, &e);
                /* llama.cpp (the default engine) loads GGUF and float weights,
                 * not MLX, GPTQ, AWQ, EXL2 or FP8 files. */
                if (st == LLMROOF_E_UNSUPPORTED && strstr(e.message, "does not load"))
                    continue;
                ck_assert_msg(st == LLMROOF_OK, "%s %s %s: %s", r.system, r.model, r.quant,
                              e.message);
                ran++;
                if (res.fit == LLMROOF_FIT_NONE)
                    continue;
                ck_assert(isfinite(res.decode_tps) && res.decode_tps > 0);
                ck_assert_double_le(res.decode_tps, res.decode_bound_tps);
                ck_assert_double_le(res.prefill_tps, res.prefill_bound_tps);
            }
    ck_assert_uint_gt(ran, 100);
    llmroof_catalog_free(cat);
}
END_TEST

/* docs/api.md: one catalog may be read from many threads at once.  Four
 * threads estimate different requests concurrently and must each get the
 * answer a single thread gets. */
typedef struct thread_job {
    const llmroof_catalog *cat;
    const char *system, *model, *quant;
    double expect;
    int bad;
} thread_job;

static void *estimate_loop(void *arg)
{
    thread_job *j = arg;
    for (int i = 0; i < 2000; i++) {
        llmroof_request r;
        llmroof_request_init(&r);
        strcpy(r.system, j->system);
        strcpy(r.model, j->model);
        strcpy(r.quant, j->quant);
        r.ctx = 4096;
        llmroof_result res;
        llmroof_result_init(&res);
        if (llmroof_estimate(j->cat, &r, &res, NULL) != LLMROOF_OK || res.decode_tps != j->expect)
            j->bad++;
    }
    return NULL;
}

START_TEST(concurrent_reads)
{
    llmroof_catalog *cat = NULL;
    ck_assert_int_eq(llmroof_catalog_new(&cat, NULL), LLMROOF_OK);
    ck_assert_int_eq(llmroof_catalog_load_builtin(cat, 0, NULL), LLMROOF_OK);
    thread_job jobs[4] = {
        {cat, "pc-rtx-4090", "llama-3.1-8b", "Q4_K_M", 0, 0},
        {cat, "pc-rtx-4090", "llama-3-70b", "Q4_K_M", 0, 0},
        {cat, "pc-2x-rtx-4090", "llama-3-70b", "Q8_0", 0, 0},
        {cat, "mac-studio-m3-ultra-96gb", "qwen2.5-32b", "Q5_K_M", 0, 0},
    };
    for (int t = 0; t < 4; t++) {
        llmroof_request r;
        llmroof_request_init(&r);
        strcpy(r.system, jobs[t].system);
        strcpy(r.model, jobs[t].model);
        strcpy(r.quant, jobs[t].quant);
        r.ctx = 4096;
        llmroof_result res;
        llmroof_result_init(&res);
        ck_assert_int_eq(llmroof_estimate(cat, &r, &res, NULL), LLMROOF_OK);
        jobs[t].expect = res.decode_tps;
    }
    pthread_t th[4];
    for (int t = 0; t < 4; t++)
        ck_assert_int_eq(pthread_create(&th[t], NULL, estimate_loop, &jobs[t]), 0);
    for (int t = 0; t < 4; t++) {
        pthread_join(th[t], NULL);
        ck_assert_int_eq(jobs[t].bad, 0);
    }
    llmroof_catalog_free(cat);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("api");
    TCase *tc = tcase_create("api");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, version_matches_header);
    tcase_add_test(tc, status_strings);
    tcase_add_test(tc, enum_strings);
    tcase_add_test(tc, request_defaults);
    tcase_add_test(tc, estimate_from_code_descriptors);
    tcase_add_test(tc, estimate_errors);
    tcase_add_test(tc, builtin_catalog_ids);
    tcase_add_test(tc, builtin_every_combination);
    tcase_add_test(tc, energy_and_cost);
    tcase_add_test(tc, engine_tasks);
    tcase_add_test(tc, concurrent_reads);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_ENV);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
