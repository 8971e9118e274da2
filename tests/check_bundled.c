/* The whole bundled catalog, entry by entry: shapes that agree with the
 * stated parameter counts, physical quantities that make sense, references
 * that resolve, and an estimate that works for every system and model.
 * Failures are collected so that one run names every bad entry. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>

#include "fixture.h"

static llmroof_catalog *builtin(void)
{
    llmroof_catalog *cat = NULL;
    llmroof_error err;
    llmroof_error_init(&err);
    ck_assert_int_eq(llmroof_catalog_new(&cat, &err), LLMROOF_OK);
    ck_assert_msg(llmroof_catalog_load_builtin(cat, 0, &err) == LLMROOF_OK, "%s:%u:%u: %s",
                  err.file, err.line, err.column, err.message);
    return cat;
}

/* A list of problems, printed in the failure message. */
typedef struct problems {
    char text[3000]; /* Check carries at most about 4 KiB of message */
    size_t len;
    unsigned count;
} problems;

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void add(problems *p, const char *fmt, ...)
{
    va_list ap;
    p->count++;
    if (p->len + 2 >= sizeof p->text)
        return;
    va_start(ap, fmt);
    int n = vsnprintf(p->text + p->len, sizeof p->text - p->len - 1, fmt, ap);
    va_end(ap);
    if (n > 0) {
        p->len += (size_t)n < sizeof p->text - p->len - 1 ? (size_t)n
                                                           : sizeof p->text - p->len - 2;
        p->text[p->len++] = '\n';
        p->text[p->len] = '\0';
    }
}

static const char *id_at(const llmroof_catalog *cat, int section, uint32_t i)
{
    return llmroof_catalog_id(cat, section, i);
}

/* The floor for the bundled breadth (docs/catalog.md). */
START_TEST(breadth)
{
    llmroof_catalog *cat = builtin();
    ck_assert_uint_ge(llmroof_catalog_count(cat, LLMROOF_SECTION_DEVICES), 45);
    ck_assert_uint_ge(llmroof_catalog_count(cat, LLMROOF_SECTION_SYSTEMS), 15);
    ck_assert_uint_ge(llmroof_catalog_count(cat, LLMROOF_SECTION_MODELS), 30);
    llmroof_catalog_free(cat);
}
END_TEST

/* Every model states its parameter count, and the count its shapes give
 * (docs/model.md §1) is within 2% of it. */
START_TEST(model_params_match_shapes)
{
    llmroof_catalog *cat = builtin();
    problems p = {{0}, 0, 0};
    llmroof_quant q;
    llmroof_quant_init(&q);
    q.bpw = 16;
    strcpy(q.kernel, "f16");
    llmroof_request req;
    llmroof_request_init(&req);
    req.ctx = 4096;
    uint32_t n = llmroof_catalog_count(cat, LLMROOF_SECTION_MODELS);
    for (uint32_t i = 0; i < n; i++) {
        const llmroof_model *m = llmroof__find_model(cat, id_at(cat, LLMROOF_SECTION_MODELS, i));
        llmroof__shape s;
        llmroof_error err;
        llmroof_error_init(&err);
        if (llmroof__shape_compute(m, &q, &req, &s, &err) != LLMROOF_OK) {
            add(&p, "model %s: %s", m->id, err.message);
            continue;
        }
        if (!(m->params > 0)) {
            add(&p, "model %s: no params stated", m->id);
            continue;
        }
        double rel = s.params / m->params - 1.0;
        if (!(fabs(rel) <= 0.02))
            add(&p, "model %s: shapes give %.4g parameters, stated %.4g (%+.1f%%)", m->id,
                s.params, m->params, rel * 100);
        if (!(s.active_params > 0 && s.active_params <= s.params * 1.0001))
            add(&p, "model %s: active parameters %.4g of %.4g", m->id, s.active_params,
                s.params);
        if (m->context == 0 || m->vocab == 0)
            add(&p, "model %s: context or vocab is zero", m->id);
    }
    ck_assert_msg(p.count == 0, "%u problem(s):\n%s", p.count, p.text);
    llmroof_catalog_free(cat);
}
END_TEST

/* Devices, links, quants and engines hold physically meaningful values. */
START_TEST(quantities_are_physical)
{
    llmroof_catalog *cat = builtin();
    problems p = {{0}, 0, 0};
    uint32_t n = llmroof_catalog_count(cat, LLMROOF_SECTION_DEVICES);
    for (uint32_t i = 0; i < n; i++) {
        const llmroof_device *d = llmroof__find_device(cat, id_at(cat, LLMROOF_SECTION_DEVICES, i));
        if (!(d->bandwidth > 0 && isfinite(d->bandwidth)))
            add(&p, "device %s: bandwidth %g", d->id, d->bandwidth);
        if (d->kind != LLMROOF_DEVICE_STORAGE && !(d->compute_f16 > 0))
            add(&p, "device %s: no f16 compute", d->id);
        if (d->kind == LLMROOF_DEVICE_GPU && !(d->memory > d->reserved))
            add(&p, "device %s: memory %llu not above reserved %llu", d->id,
                (unsigned long long)d->memory, (unsigned long long)d->reserved);
        if (d->kind == LLMROOF_DEVICE_UNIFIED &&
            !(d->memory > 0 && d->gpu_share > 0 && d->gpu_share <= d->gpu_share_max &&
              d->gpu_share_max <= 1))
            add(&p, "device %s: unified memory %llu, share %g..%g", d->id,
                (unsigned long long)d->memory, d->gpu_share, d->gpu_share_max);
        /* No device of these years moves more than 10 TB/s or computes more
         * than 10 PFLOPS dense f16: a larger figure is a unit slip. */
        if (d->bandwidth > 1e13 || d->compute_f16 > 1e16)
            add(&p, "device %s: implausible bandwidth %g or compute %g", d->id, d->bandwidth,
                d->compute_f16);
        if (d->compute_f16 > 0 && d->compute_int8 > 0 && d->compute_int8 < d->compute_f16 * 0.49)
            add(&p, "device %s: int8 %g below half of f16 %g", d->id, d->compute_int8,
                d->compute_f16);
    }
    n = llmroof_catalog_count(cat, LLMROOF_SECTION_LINKS);
    for (uint32_t i = 0; i < n; i++) {
        const llmroof_link *l = llmroof__find_link(cat, id_at(cat, LLMROOF_SECTION_LINKS, i));
        if (!(l->bandwidth > 0 && l->latency > 0 && l->latency < 0.01))
            add(&p, "link %s: bandwidth %g, latency %g", l->id, l->bandwidth, l->latency);
    }
    n = llmroof_catalog_count(cat, LLMROOF_SECTION_QUANTS);
    for (uint32_t i = 0; i < n; i++) {
        const llmroof_quant *q = llmroof__find_quant(cat, id_at(cat, LLMROOF_SECTION_QUANTS, i));
        if (!(q->bpw > 0 && q->bpw <= 32.5))
            add(&p, "quant %s: bpw %g", q->id, q->bpw);
        if (!(q->quality >= 0 || q->quality == -1))
            add(&p, "quant %s: quality %g", q->id, q->quality);
        if (q->kernel[0] == '\0')
            add(&p, "quant %s: no kernel class", q->id);
    }
    n = llmroof_catalog_count(cat, LLMROOF_SECTION_ENGINES);
    for (uint32_t i = 0; i < n; i++) {
        const llmroof_engine *e = llmroof__find_engine(cat, id_at(cat, LLMROOF_SECTION_ENGINES, i));
        if (e->backend_count == 0 || !(e->split_modes & LLMROOF_SPLIT_BIT(e->default_split)))
            add(&p, "engine %s: %u backends, default split %d", e->id, e->backend_count,
                e->default_split);
        for (uint32_t b = 0; b < e->backend_count; b++) {
            const llmroof_engine_backend *be = &e->backends[b];
            int ok = be->decode_efficiency > 0 && be->decode_efficiency <= 1 &&
                     be->prefill_efficiency > 0 && be->prefill_efficiency <= 1;
            for (uint32_t k = 0; k < be->kernel_count; k++)
                ok = ok && be->kernels[k].efficiency > 0 && be->kernels[k].efficiency <= 1;
            for (uint32_t k = 0; k < be->prefill_kernel_count; k++)
                ok = ok && be->prefill_kernels[k].efficiency > 0 &&
                     be->prefill_kernels[k].efficiency <= 1;
            if (!ok)
                add(&p, "engine %s backend %s: an efficiency outside (0, 1]", e->id,
                    llmroof_backend_string(be->backend));
        }
    }
    ck_assert_msg(p.count == 0, "%u problem(s):\n%s", p.count, p.text);
    llmroof_catalog_free(cat);
}
END_TEST

/* A 4-bit quant the engine loads (docs/catalog.md, formats). */
static const char *quant_for(const llmroof_catalog *cat, const llmroof_engine *e)
{
    static const char *const prefs[] = {"Q4_K_M", "MLX-4bit", "EXL2-4.0bpw", "AWQ-4bit", "F16"};
    for (size_t i = 0; i < sizeof prefs / sizeof prefs[0]; i++) {
        const llmroof_quant *q = llmroof__find_quant(cat, prefs[i]);
        if (!q)
            continue;
        if (e->format_count == 0 || q->format[0] == '\0')
            return prefs[i];
        for (uint32_t k = 0; k < e->format_count; k++)
            if (strcmp(e->formats[k], q->format) == 0)
                return prefs[i];
    }
    return "F16";
}

static int engine_has_backend(const llmroof_engine *e, int32_t backend)
{
    for (uint32_t b = 0; b < e->backend_count; b++)
        if (e->backends[b].backend == backend)
            return 1;
    return 0;
}

/* Every system's references resolve to the right kinds, and every system
 * runs an estimate of every model at a 4-bit quant with every engine that
 * has its accelerators' backend and loads that quant: a status of OK and
 * finite, positive figures. */
START_TEST(systems_resolve_and_estimate)
{
    llmroof_catalog *cat = builtin();
    problems p = {{0}, 0, 0};
    uint32_t ns = llmroof_catalog_count(cat, LLMROOF_SECTION_SYSTEMS);
    uint32_t nm = llmroof_catalog_count(cat, LLMROOF_SECTION_MODELS);
    uint32_t ne = llmroof_catalog_count(cat, LLMROOF_SECTION_ENGINES);
    unsigned runs = 0;
    for (uint32_t i = 0; i < ns; i++) {
        const llmroof_system *s = llmroof__find_system(cat, id_at(cat, LLMROOF_SECTION_SYSTEMS, i));
        const llmroof_device *host = llmroof__find_device(cat, s->host_device);
        if (!host || host->kind != LLMROOF_DEVICE_CPU || s->host_memory == 0)
            add(&p, "system %s: host '%s'", s->id, s->host_device);
        int32_t backend = LLMROOF_BACKEND_CPU;
        for (uint32_t k = 0; k < s->accelerator_count; k++) {
            const llmroof_device *d = llmroof__find_device(cat, s->accelerators[k]);
            if (!d || (d->kind != LLMROOF_DEVICE_GPU && d->kind != LLMROOF_DEVICE_UNIFIED))
                add(&p, "system %s: accelerator '%s'", s->id, s->accelerators[k]);
            else
                backend = d->backend;
        }
        if (s->accelerator_count > 1 && !llmroof__find_link(cat, s->gpu_link))
            add(&p, "system %s: gpu_link '%s'", s->id, s->gpu_link);
        if (s->host_link[0] && !llmroof__find_link(cat, s->host_link))
            add(&p, "system %s: host_link '%s'", s->id, s->host_link);
        if (s->storage[0]) {
            const llmroof_device *st = llmroof__find_device(cat, s->storage);
            if (!st || st->kind != LLMROOF_DEVICE_STORAGE)
                add(&p, "system %s: storage '%s'", s->id, s->storage);
        }
        for (uint32_t e = 0; e < ne; e++) {
            const llmroof_engine *eng =
                llmroof__find_engine(cat, id_at(cat, LLMROOF_SECTION_ENGINES, e));
            if (!engine_has_backend(eng, backend) || !(eng->tasks & LLMROOF_TASK_LLM))
                continue;
            /* Training engines: every method on every model, finite figures
             * (docs/model.md §10). */
            for (uint32_t m = 0; m < nm && (eng->tasks & LLMROOF_TASK_TRAIN); m++)
                for (int32_t method = LLMROOF_TRAIN_FULL; method <= LLMROOF_TRAIN_QLORA;
                     method++) {
                    llmroof_train_request tr;
                    llmroof_train_request_init(&tr);
                    snprintf(tr.system, sizeof tr.system, "%s", s->id);
                    snprintf(tr.model, sizeof tr.model, "%s",
                             id_at(cat, LLMROOF_SECTION_MODELS, m));
                    snprintf(tr.engine, sizeof tr.engine, "%s", eng->id);
                    tr.method = method;
                    llmroof_train_result res;
                    llmroof_train_result_init(&res);
                    llmroof_error err;
                    llmroof_error_init(&err);
                    runs++;
                    if (llmroof_train_estimate(cat, &tr, &res, &err) != LLMROOF_OK)
                        add(&p, "train %s / %s / %s: %s", s->id, tr.model, eng->id,
                            err.message);
                    else if (!(res.tokens_per_s > 0 && isfinite(res.tokens_per_s) &&
                               res.total > 0 && res.capacity > 0))
                        add(&p, "train %s / %s / %s: %g tokens/s, %llu bytes", s->id,
                            tr.model, eng->id, res.tokens_per_s,
                            (unsigned long long)res.total);
                }
            if (!(eng->tasks & LLMROOF_TASK_LLM))
                continue;
            for (uint32_t m = 0; m < nm; m++) {
                llmroof_request req;
                llmroof_request_init(&req);
                snprintf(req.system, sizeof req.system, "%s", s->id);
                snprintf(req.model, sizeof req.model, "%s", id_at(cat, LLMROOF_SECTION_MODELS, m));
                snprintf(req.quant, sizeof req.quant, "%s", quant_for(cat, eng));
                snprintf(req.engine, sizeof req.engine, "%s", eng->id);
                req.ctx = 4096;
                llmroof_result res;
                llmroof_result_init(&res);
                llmroof_error err;
                llmroof_error_init(&err);
                runs++;
                llmroof_status st = llmroof_estimate(cat, &req, &res, &err);
                if (st != LLMROOF_OK) {
                    add(&p, "estimate %s / %s / %s: %s", s->id, req.model, eng->id, err.message);
                    continue;
                }
                /* The total is the tiers' (issue 14: the host's copy of a
                 * tied embedding was in the host tier, not in the total;
                 * the storage tier's bytes are the host tier's overflow). */
                uint64_t tiers = 0;
                for (uint32_t t = 0; t < res.tier_count; t++)
                    if (res.tiers[t].kind != LLMROOF_TIER_STORAGE)
                        tiers += res.tiers[t].total;
                if (tiers != res.total)
                    add(&p, "estimate %s / %s / %s: total %llu, tiers %llu", s->id, req.model,
                        eng->id, (unsigned long long)res.total, (unsigned long long)tiers);
                if (res.fit == LLMROOF_FIT_NONE)
                    continue;
                if (!(res.decode_tps > 0 && isfinite(res.decode_tps) &&
                      res.decode_tps <= res.decode_bound_tps * 1.000001 && res.prefill_tps > 0 &&
                      isfinite(res.ttft) && res.total > 0))
                    add(&p, "estimate %s / %s / %s: decode %g (bound %g), prefill %g", s->id,
                        req.model, eng->id, res.decode_tps, res.decode_bound_tps,
                        res.prefill_tps);
            }
        }
    }
    ck_assert_uint_gt(runs, 0);
    ck_assert_msg(p.count == 0, "%u problem(s):\n%s", p.count, p.text);
    llmroof_catalog_free(cat);
}
END_TEST

static llmroof_result run(const llmroof_catalog *cat, const char *system, const char *engine,
                          const char *quant, int32_t split)
{
    llmroof_request req;
    llmroof_request_init(&req);
    snprintf(req.system, sizeof req.system, "%s", system);
    snprintf(req.model, sizeof req.model, "llama-3-70b");
    snprintf(req.quant, sizeof req.quant, "%s", quant);
    snprintf(req.engine, sizeof req.engine, "%s", engine);
    req.ctx = 8192;
    req.split = split;
    llmroof_result res;
    llmroof_result_init(&res);
    llmroof_error err;
    llmroof_error_init(&err);
    ck_assert_msg(llmroof_estimate(cat, &req, &res, &err) == LLMROOF_OK, "%s / %s: %s", system,
                  engine, err.message);
    ck_assert_int_eq(res.fit, LLMROOF_FIT_GPU);
    return res;
}

/* "Two 4090s over PCIe" per engine (docs/catalog.md, engines): llama.cpp's
 * default layer split runs the cards one after the other, so its bound is
 * one card's bandwidth over the whole model; a tensor-parallel engine reads
 * both halves at once and pays two all-reduces per layer, so it is faster,
 * and faster still over NVLink than over PCIe. */
START_TEST(split_modes_per_engine)
{
    llmroof_catalog *cat = builtin();
    llmroof_result layer = run(cat, "pc-2x-rtx-4090", "llama.cpp", "Q4_K_M", LLMROOF_SPLIT_AUTO);
    ck_assert_int_eq(layer.split, LLMROOF_SPLIT_LAYER);
    ck_assert(layer.decode_bound_tps < 1008e9 / (double)layer.weights * 1.02);
    llmroof_result tp = run(cat, "pc-2x-rtx-4090", "vllm", "AWQ-4bit", LLMROOF_SPLIT_AUTO);
    ck_assert_int_eq(tp.split, LLMROOF_SPLIT_TENSOR);
    ck_assert(tp.decode_tps > layer.decode_tps * 1.5);
    ck_assert(tp.decode_link_time > 0);
    llmroof_result nvlink = run(cat, "pc-2x-rtx-3090-nvlink", "vllm", "AWQ-4bit", LLMROOF_SPLIT_AUTO);
    llmroof_result pcie = run(cat, "pc-2x-rtx-3090", "vllm", "AWQ-4bit", LLMROOF_SPLIT_AUTO);
    ck_assert(nvlink.decode_link_time < pcie.decode_link_time);
    ck_assert(nvlink.decode_tps > pcie.decode_tps);
    llmroof_catalog_free(cat);
}
END_TEST

/* An engine loads only its weight formats: llama.cpp refuses an EXL2 file,
 * which ExLlamaV2 runs; F16 ("float") loads everywhere. */
START_TEST(engines_load_their_formats)
{
    llmroof_catalog *cat = builtin();
    const char *cases[][3] = {{"llama.cpp", "EXL2-4.0bpw", "no"}, {"exllamav2", "EXL2-4.0bpw", "yes"},
                              {"exllamav2", "Q4_K_M", "no"},      {"vllm", "AWQ-4bit", "yes"},
                              {"mlx", "Q4_K_M", "no"},            {"llama.cpp", "F16", "yes"},
                              {"vllm", "F16", "yes"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        llmroof_request req;
        llmroof_request_init(&req);
        strcpy(req.system, strcmp(cases[i][0], "mlx") == 0 ? "mac-studio-m3-ultra-96gb" : "pc-rtx-4090");
        strcpy(req.model, "llama-3.1-8b");
        strcpy(req.quant, cases[i][1]);
        strcpy(req.engine, cases[i][0]);
        llmroof_result res;
        llmroof_result_init(&res);
        llmroof_error err;
        llmroof_error_init(&err);
        llmroof_status st = llmroof_estimate(cat, &req, &res, &err);
        if (strcmp(cases[i][2], "yes") == 0) {
            ck_assert_msg(st == LLMROOF_OK, "%s %s: %s", cases[i][0], cases[i][1], err.message);
        } else {
            ck_assert_int_eq(st, LLMROOF_E_UNSUPPORTED);
            ck_assert_ptr_nonnull(strstr(err.message, "does not load"));
        }
    }
    llmroof_catalog_free(cat);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("bundled");
    TCase *tc = tcase_create("bundled");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, breadth);
    tcase_add_test(tc, model_params_match_shapes);
    tcase_add_test(tc, quantities_are_physical);
    tcase_add_test(tc, systems_resolve_and_estimate);
    tcase_add_test(tc, split_modes_per_engine);
    tcase_add_test(tc, engines_load_their_formats);
    suite_add_tcase(s, tc);
    return fx_run_main(s);
}
