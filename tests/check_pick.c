/* llmroof_pick() on the bundled catalog (docs/pick.md): the choice meets
 * every target, everything ranked above it misses one, the answer is
 * deterministic, and when nothing meets the targets the closest candidate
 * and the advice say so. */
#include <check.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "llmroof/llmroof.h"

static llmroof_catalog *cat;

static void setup(void)
{
    ck_assert_int_eq(llmroof_catalog_new(&cat, NULL), LLMROOF_OK);
    ck_assert_int_eq(llmroof_catalog_load_builtin(cat, 0, NULL), LLMROOF_OK);
}

static void teardown(void) { llmroof_catalog_free(cat); }

static llmroof_pick_request *request(const char *system, const char *model, uint32_t ctx)
{
    llmroof_pick_request *p = malloc(sizeof *p);
    ck_assert_ptr_nonnull(p);
    llmroof_pick_request_init(p);
    strcpy(p->base.system, system);
    strcpy(p->base.model, model);
    p->base.ctx = ctx;
    return p;
}

static llmroof_pick_result *run(const llmroof_pick_request *p)
{
    llmroof_pick_result *r = malloc(sizeof *r);
    ck_assert_ptr_nonnull(r);
    llmroof_pick_result_init(r);
    llmroof_error e;
    llmroof_error_init(&e);
    ck_assert_msg(llmroof_pick(cat, p, r, &e) == LLMROOF_OK, "pick: %s", e.message);
    return r;
}

/* The defaults: f16 KV only, no storage tier, no targets. */
START_TEST(request_defaults)
{
    llmroof_pick_request p;
    memset(&p, 0xAB, sizeof p);
    llmroof_pick_request_init(&p);
    ck_assert_uint_eq(p.size, sizeof p);
    ck_assert_uint_eq(p.base.size, sizeof p.base);
    ck_assert_uint_eq(p.kv_types, 1u << LLMROOF_KV_F16);
    ck_assert_uint_eq(p.flags, LLMROOF_PICK_NO_STORAGE);
    ck_assert(p.min_decode_tps == 0 && p.max_ttft == 0 && p.headroom == 0);
    llmroof_pick_result r;
    llmroof_pick_result_init(&r);
    ck_assert_int_eq(r.chosen, -1);
    ck_assert_int_eq(r.closest, -1);
    ck_assert_str_eq(llmroof_verdict_string(LLMROOF_VERDICT_CHOSEN), "chosen");
    ck_assert_str_eq(llmroof_verdict_string(LLMROOF_VERDICT_SLOW_DECODE), "slow-decode");
    ck_assert_str_eq(llmroof_verdict_string(99), "unknown");
    ck_assert_str_eq(llmroof_verdict_string(-1), "unknown");
    llmroof_pick_request_init(NULL);
    llmroof_pick_result_init(NULL);
}
END_TEST

/* 70B on one RTX 4090 at 8k with decode >= 5 tok/s: the choice meets the
 * target; every candidate ranked above it was weighed and misses; those
 * below were not weighed; and its estimate is what llmroof_estimate gives
 * for its request. */
START_TEST(choice_meets_targets_and_ranks_first)
{
    llmroof_pick_request *p = request("pc-rtx-4090", "llama-3-70b", 8192);
    p->min_decode_tps = 5;
    p->kv_types = (1u << LLMROOF_KV_F16) | (1u << LLMROOF_KV_Q8_0);
    llmroof_pick_result *r = run(p);
    ck_assert_int_ge(r->chosen, 0);
    ck_assert_int_eq(r->closest, r->chosen);
    ck_assert_str_eq(r->advice, "");
    const llmroof_candidate *c = &r->candidates[r->chosen];
    ck_assert_int_eq(c->verdict, LLMROOF_VERDICT_CHOSEN);
    ck_assert(c->decode_tps >= 5);
    for (int32_t i = 0; i < r->chosen; i++) {
        int32_t v = r->candidates[i].verdict;
        ck_assert_msg(v != LLMROOF_VERDICT_CHOSEN && v != LLMROOF_VERDICT_NOT_TRIED,
                      "%s ranks above the choice but is %s", r->candidates[i].quant,
                      llmroof_verdict_string(v));
        if (v == LLMROOF_VERDICT_SLOW_DECODE)
            ck_assert(r->candidates[i].decode_tps < 5);
    }
    for (uint32_t i = (uint32_t)r->chosen + 1; i < r->candidate_count; i++)
        ck_assert(r->candidates[i].verdict == LLMROOF_VERDICT_NOT_TRIED ||
                  r->candidates[i].quality == c->quality);
    /* Quality order: known losses ascending. */
    for (uint32_t i = 1; i < r->candidate_count; i++)
        if (r->candidates[i].quality >= 0)
            ck_assert(r->candidates[i - 1].quality >= 0 &&
                      r->candidates[i - 1].quality <= r->candidates[i].quality);
    llmroof_result again;
    llmroof_result_init(&again);
    ck_assert_int_eq(llmroof_estimate(cat, &r->request, &again, NULL), LLMROOF_OK);
    ck_assert(again.decode_tps == r->estimate.decode_tps);
    ck_assert_int_eq(again.gpu_layers, c->gpu_layers);
    free(p);
    free(r);
}
END_TEST

/* The same question twice gives the same bytes. */
START_TEST(deterministic)
{
    llmroof_pick_request *p = request("pc-2x-rtx-4090", "llama-3-70b", 8192);
    p->min_decode_tps = 10;
    llmroof_pick_result *a = run(p), *b = run(p);
    ck_assert_int_eq(memcmp(a, b, sizeof *a), 0);
    free(p);
    free(a);
    free(b);
}
END_TEST

/* Nothing meets: chosen -1, the closest has a reason, the advice names
 * what to relax; the tool's exit status is separate (test_cli.py). */
START_TEST(nothing_meets)
{
    llmroof_pick_request *p = request("pc-rtx-4090", "llama-3.1-405b", 8192);
    p->min_decode_tps = 20;
    p->flags |= LLMROOF_PICK_NO_OFFLOAD;
    llmroof_pick_result *r = run(p);
    ck_assert_int_eq(r->chosen, -1);
    ck_assert_int_ge(r->closest, 0);
    ck_assert_str_ne(r->advice, "");
    ck_assert_ptr_nonnull(strstr(r->advice, "to relax"));
    ck_assert_ptr_nonnull(strstr(r->advice, "offload to host RAM"));
    for (uint32_t i = 0; i < r->candidate_count; i++) {
        ck_assert_int_ne(r->candidates[i].verdict, LLMROOF_VERDICT_CHOSEN);
        ck_assert_int_ne(r->candidates[i].verdict, LLMROOF_VERDICT_MEETS);
        ck_assert_str_ne(r->candidates[i].reason, "");
    }
    char args[256];
    ck_assert_uint_gt(llmroof_pick_llama_args(r, args, sizeof args), 0);
    free(p);
    free(r);
}
END_TEST

/* 8B at its full 128k context on a 24 GB card: F16 weights leave too little
 * for the cache, so with min_ctx the context shrinks (to a multiple of 256)
 * before any layer is offloaded, and the result says so; without min_ctx
 * the context stays and layers go to host RAM. */
START_TEST(context_shrinks_before_offload)
{
    llmroof_pick_request *p = request("pc-rtx-4090", "llama-3.1-8b", 131072);
    p->quant_count = 1;
    strcpy(p->quants[0], "F16");
    llmroof_pick_result *r = run(p);
    ck_assert_int_eq(r->chosen, 0);
    ck_assert_int_eq(r->estimate.fit, LLMROOF_FIT_OFFLOAD);
    ck_assert_uint_eq(r->estimate.ctx, 131072);
    free(r);
    p->min_ctx = 8192;
    r = run(p);
    ck_assert_int_eq(r->chosen, 0);
    ck_assert_int_eq(r->estimate.fit, LLMROOF_FIT_GPU);
    ck_assert(r->flags & LLMROOF_PICK_CTX_SHRUNK);
    ck_assert_uint_lt(r->estimate.ctx, 131072);
    ck_assert_uint_ge(r->estimate.ctx, 8192);
    ck_assert_uint_eq(r->estimate.ctx % 256, 0);
    /* 256 tokens more would not fit on the GPU. */
    llmroof_request q = r->request;
    q.ctx = r->estimate.ctx + 256;
    llmroof_result more;
    llmroof_result_init(&more);
    ck_assert_int_eq(llmroof_estimate(cat, &q, &more, NULL), LLMROOF_OK);
    ck_assert_int_ne(more.fit, LLMROOF_FIT_GPU);
    char args[256];
    size_t n = llmroof_pick_llama_args(r, args, sizeof args);
    ck_assert_uint_eq(n, strlen(args));
    ck_assert_ptr_nonnull(strstr(args, "-ngl 33"));
    /* snprintf semantics: a short buffer is cut and NUL-terminated. */
    char tiny[8];
    ck_assert_uint_eq(llmroof_pick_llama_args(r, tiny, sizeof tiny), n);
    ck_assert_uint_eq(strlen(tiny), 7);
    ck_assert_uint_eq(llmroof_pick_llama_args(r, NULL, 0), n);
    free(p);
    free(r);
}
END_TEST

/* A quantized KV cache is tried only when allowed, after f16. */
START_TEST(kv_types_and_headroom)
{
    llmroof_pick_request *p = request("pc-rtx-4090", "qwen2.5-32b", 32768);
    p->quant_count = 1;
    strcpy(p->quants[0], "Q4_K_M");
    p->flags |= LLMROOF_PICK_NO_OFFLOAD;
    llmroof_pick_result *r = run(p);
    ck_assert_int_eq(r->chosen, -1);
    ck_assert_int_eq(r->candidates[0].verdict, LLMROOF_VERDICT_OFFLOAD);
    free(r);
    p->kv_types |= 1u << LLMROOF_KV_Q4_0;
    r = run(p);
    ck_assert_int_eq(r->chosen, 0);
    ck_assert_int_eq(r->estimate.kv_type, LLMROOF_KV_Q4_0);
    ck_assert(r->flags & LLMROOF_PICK_KV_QUANTIZED);
    /* Asking for more headroom than is left refuses it, with the shortfall. */
    p->headroom = 20ull << 30;
    free(r);
    r = run(p);
    ck_assert_int_eq(r->chosen, -1);
    ck_assert_int_eq(r->candidates[0].verdict, LLMROOF_VERDICT_HEADROOM);
    ck_assert_int_gt(r->candidates[0].shortfall, 0);
    ck_assert_str_eq(r->candidates[0].short_device, "rtx-4090");
    free(p);
    free(r);
}
END_TEST

/* Candidates an engine cannot load never appear in its default list; an
 * explicit one is reported as unsupported, not an error. */
START_TEST(engine_formats)
{
    llmroof_pick_request *p = request("pc-rtx-4090", "llama-3.1-8b", 4096);
    strcpy(p->base.engine, "exllamav2");
    llmroof_pick_result *r = run(p);
    ck_assert_uint_gt(r->candidate_count, 0);
    for (uint32_t i = 0; i < r->candidate_count; i++)
        ck_assert_msg(strncmp(r->candidates[i].quant, "EXL2", 4) == 0 ||
                          strncmp(r->candidates[i].quant, "GPTQ", 4) == 0 ||
                          strcmp(r->candidates[i].quant, "F16") == 0 ||
                          strcmp(r->candidates[i].quant, "BF16") == 0 ||
                          strcmp(r->candidates[i].quant, "F32") == 0,
                      "exllamav2 offered %s", r->candidates[i].quant);
    free(r);
    strcpy(p->base.engine, "llama.cpp");
    p->quant_count = 2;
    strcpy(p->quants[0], "EXL2-4.0bpw");
    strcpy(p->quants[1], "Q4_K_M");
    r = run(p);
    ck_assert_int_ge(r->chosen, 0);
    ck_assert_str_eq(r->candidates[r->chosen].quant, "Q4_K_M");
    free(r);
    p->quant_count = 1;
    r = run(p);
    ck_assert_int_eq(r->chosen, -1);
    ck_assert_int_eq(r->closest, -1);
    ck_assert_int_eq(r->candidates[0].verdict, LLMROOF_VERDICT_UNSUPPORTED);
    ck_assert_ptr_nonnull(strstr(r->advice, "cannot run"));
    ck_assert_uint_eq(llmroof_pick_llama_args(r, NULL, 0), 0);
    free(p);
    free(r);
}
END_TEST

START_TEST(bad_requests)
{
    llmroof_pick_request *p = request("pc-rtx-4090", "llama-3.1-8b", 4096);
    llmroof_pick_result *r = malloc(sizeof *r);
    llmroof_pick_result_init(r);
    llmroof_error e;
    llmroof_error_init(&e);
    strcpy(p->base.system, "no-such-pc");
    ck_assert_int_eq(llmroof_pick(cat, p, r, &e), LLMROOF_E_NOT_FOUND);
    ck_assert_ptr_nonnull(strstr(e.message, "no-such-pc"));
    strcpy(p->base.system, "pc-rtx-4090");
    p->quant_count = 1;
    strcpy(p->quants[0], "Q9_Z");
    ck_assert_int_eq(llmroof_pick(cat, p, r, NULL), LLMROOF_E_NOT_FOUND);
    p->quant_count = LLMROOF_MAX_CANDIDATES + 1;
    ck_assert_int_eq(llmroof_pick(cat, p, r, NULL), LLMROOF_E_INVALID_ARGUMENT);
    p->quant_count = 0;
    p->min_decode_tps = NAN;
    ck_assert_int_eq(llmroof_pick(cat, p, r, NULL), LLMROOF_E_INVALID_ARGUMENT);
    p->min_decode_tps = 0;
    p->flags = 0x80;
    ck_assert_int_eq(llmroof_pick(cat, p, r, NULL), LLMROOF_E_INVALID_ARGUMENT);
    p->flags = 0;
    p->reserved_u32[0] = 1;
    ck_assert_int_eq(llmroof_pick(cat, p, r, NULL), LLMROOF_E_INVALID_ARGUMENT);
    p->reserved_u32[0] = 0;
    p->size = 3;
    ck_assert_int_eq(llmroof_pick(cat, p, r, NULL), LLMROOF_E_INVALID_ARGUMENT);
    p->size = sizeof *p;
    ck_assert_int_eq(llmroof_pick(NULL, p, r, NULL), LLMROOF_E_INVALID_ARGUMENT);
    ck_assert_int_eq(llmroof_pick(cat, NULL, r, NULL), LLMROOF_E_INVALID_ARGUMENT);
    ck_assert_int_eq(llmroof_pick(cat, p, NULL, NULL), LLMROOF_E_INVALID_ARGUMENT);
    ck_assert_int_eq(llmroof_pick(cat, p, r, NULL), LLMROOF_OK);
    ck_assert_uint_eq(llmroof_pick_llama_args(NULL, NULL, 0), 0);
    free(p);
    free(r);
}
END_TEST

/* docs/api.md: one catalog may be read from many threads at once.  Four
 * threads pick and estimate concurrently, and each gets the answer a single
 * thread gets (tsan-clean in the sanitizer setup). */
typedef struct job {
    const char *system;
    llmroof_pick_request *req;
    llmroof_pick_result *res;
    int ok;
} job;

static void *pick_job(void *arg)
{
    job *j = arg;
    j->ok = 1;
    for (int k = 0; k < 5 && j->ok; k++) {
        llmroof_pick_result_init(j->res);
        j->ok = llmroof_pick(cat, j->req, j->res, NULL) == LLMROOF_OK;
        llmroof_result r;
        llmroof_result_init(&r);
        j->ok = j->ok && llmroof_estimate(cat, &j->res->request, &r, NULL) == LLMROOF_OK &&
                r.decode_tps == j->res->estimate.decode_tps;
    }
    return NULL;
}

START_TEST(concurrent_picks)
{
    const char *systems[4] = {"pc-rtx-4090", "pc-2x-rtx-4090", "mac-studio-m3-ultra-96gb",
                              "dgx-spark"};
    job jobs[4];
    pthread_t th[4];
    for (int i = 0; i < 4; i++) {
        jobs[i].system = systems[i];
        jobs[i].req = request(systems[i], "llama-3-70b", 8192);
        jobs[i].req->min_decode_tps = 5;
        jobs[i].res = malloc(sizeof *jobs[i].res);
        ck_assert_ptr_nonnull(jobs[i].res);
    }
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(pthread_create(&th[i], NULL, pick_job, &jobs[i]), 0);
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(pthread_join(th[i], NULL), 0);
    for (int i = 0; i < 4; i++) {
        ck_assert_msg(jobs[i].ok, "%s failed under threads", systems[i]);
        llmroof_pick_result *alone = run(jobs[i].req);
        ck_assert_int_eq(memcmp(alone, jobs[i].res, sizeof *alone), 0);
        free(alone);
        free(jobs[i].req);
        free(jobs[i].res);
    }
}
END_TEST

/* Every bundled system with every bundled model, at three targets: the
 * invariants of docs/pick.md hold for each answer. */
START_TEST(invariants_everywhere)
{
    uint32_t ns = llmroof_catalog_count(cat, LLMROOF_SECTION_SYSTEMS);
    uint32_t nm = llmroof_catalog_count(cat, LLMROOF_SECTION_MODELS);
    const double targets[] = {0, 5, 30};
    llmroof_pick_request *p = request("", "", 8192);
    llmroof_pick_result *r = malloc(sizeof *r);
    ck_assert_ptr_nonnull(r);
    unsigned picks = 0, chosen = 0;
    for (uint32_t a = 0; a < ns; a++)
        for (uint32_t b = 0; b < nm; b++)
            for (size_t t = 0; t < sizeof targets / sizeof targets[0]; t++) {
                llmroof_pick_request_init(p);
                strcpy(p->base.system, llmroof_catalog_id(cat, LLMROOF_SECTION_SYSTEMS, a));
                strcpy(p->base.model, llmroof_catalog_id(cat, LLMROOF_SECTION_MODELS, b));
                p->base.ctx = 8192;
                p->min_decode_tps = targets[t];
                p->min_ctx = 2048;
                llmroof_pick_result_init(r);
                llmroof_error e;
                llmroof_error_init(&e);
                ck_assert_msg(llmroof_pick(cat, p, r, &e) == LLMROOF_OK, "%s %s: %s",
                              p->base.system, p->base.model, e.message);
                picks++;
                ck_assert_uint_le(r->candidate_count, LLMROOF_MAX_CANDIDATES);
                if (r->chosen < 0) {
                    ck_assert_str_ne(r->advice, "");
                    continue;
                }
                chosen++;
                const llmroof_candidate *c = &r->candidates[r->chosen];
                ck_assert_int_eq(c->verdict, LLMROOF_VERDICT_CHOSEN);
                ck_assert(c->decode_tps >= targets[t] && c->fit != LLMROOF_FIT_NONE);
                ck_assert(c->fit != LLMROOF_FIT_STORAGE);
                ck_assert_uint_le(c->ctx, 8192);
                for (int32_t i = 0; i < r->chosen; i++)
                    ck_assert(r->candidates[i].verdict != LLMROOF_VERDICT_NOT_TRIED &&
                              r->candidates[i].verdict != LLMROOF_VERDICT_CHOSEN);
                char args[512];
                ck_assert_uint_gt(llmroof_pick_llama_args(r, args, sizeof args), 0);
            }
    ck_assert_uint_gt(chosen, picks / 3);
    free(p);
    free(r);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("pick");
    TCase *tc = tcase_create("pick");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, request_defaults);
    tcase_add_test(tc, choice_meets_targets_and_ranks_first);
    tcase_add_test(tc, deterministic);
    tcase_add_test(tc, nothing_meets);
    tcase_add_test(tc, context_shrinks_before_offload);
    tcase_add_test(tc, kv_types_and_headroom);
    tcase_add_test(tc, engine_formats);
    tcase_add_test(tc, bad_requests);
    tcase_add_test(tc, concurrent_picks);
    tcase_add_test(tc, invariants_everywhere);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_ENV);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
