/* The checks every harness applies to what the library returns, and the
 * helpers they share (fuzz.h). */
#define _GNU_SOURCE /* memfd_create */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"

void fuzz_fail(const char *file, int line, const char *what)
{
    fprintf(stderr, "%s:%d: fuzz invariant failed: %s\n", file, line, what);
    fflush(stderr);
    __builtin_trap();
}

static int terminated(const char *s, size_t cap) { return memchr(s, '\0', cap) != NULL; }

#define TERMINATED(array) terminated((array), sizeof(array))

/* Finite and not negative. */
static int sane(double v) { return isfinite(v) && v >= 0; }

/* a <= b, allowing rounding: 1e-9 relative. */
static int at_most(double a, double b) { return a <= b + 1e-9 * fabs(b); }

/* a + b without wrapping, into *sum. */
static int add_u64(uint64_t a, uint64_t b, uint64_t *sum)
{
    *sum = a + b;
    return *sum >= a;
}

void fuzz_check_status(llmroof_status st, const llmroof_error *err)
{
#ifdef FUZZ_VERBOSE /* for writing seeds: what each call said */
    fprintf(stderr, "  %s: %s\n", llmroof_status_string(st), err->message);
#endif
    FUZZ_CHECK(err->size == sizeof *err);
    FUZZ_CHECK(TERMINATED(err->message));
    FUZZ_CHECK(TERMINATED(err->file));
    if (st == LLMROOF_OK) {
        FUZZ_CHECK(err->code == LLMROOF_OK);
        return;
    }
    FUZZ_CHECK(st > LLMROOF_OK && st <= LLMROOF_E_VERSION);
    FUZZ_CHECK(err->code == (int32_t)st);
    FUZZ_CHECK(err->message[0] != '\0');
    FUZZ_CHECK(strchr(err->message, '\n') == NULL);
}

static void check_tier(const llmroof_result *res, const llmroof_tier *t)
{
    FUZZ_CHECK(t->kind >= LLMROOF_TIER_ACCELERATOR && t->kind <= LLMROOF_TIER_STORAGE);
    FUZZ_CHECK(TERMINATED(t->device) && t->device[0]);
    FUZZ_CHECK(t->layers <= res->layers);
    FUZZ_CHECK(t->has_output <= 1);
    FUZZ_CHECK(sane(t->bandwidth));
    FUZZ_CHECK(sane(t->decode_bytes));
    FUZZ_CHECK(sane(t->decode_time));
    FUZZ_CHECK(sane(t->decode_bound_time));
    FUZZ_CHECK(sane(t->prefill_time));
    FUZZ_CHECK(t->decode_bound_by >= LLMROOF_RESOURCE_NONE &&
               t->decode_bound_by <= LLMROOF_RESOURCE_OVERHEAD);
    if (t->kind != LLMROOF_TIER_STORAGE) {
        uint64_t sum;
        FUZZ_CHECK(add_u64(t->weights, t->kv, &sum) && add_u64(sum, t->compute, &sum) &&
                   add_u64(sum, t->overhead, &sum));
        FUZZ_CHECK(t->total == sum);
        FUZZ_CHECK((t->headroom >= 0) == (t->capacity >= t->total) ||
                   fabs((double)t->capacity - (double)t->total) <= 1e-9 * (double)t->total);
    }
}

void fuzz_check_estimate(llmroof_status st, const llmroof_error *err, const llmroof_result *res)
{
    fuzz_check_status(st, err);
    if (st != LLMROOF_OK)
        return;
    FUZZ_CHECK(res->size == sizeof *res);
    FUZZ_CHECK(res->fit >= LLMROOF_FIT_GPU && res->fit <= LLMROOF_FIT_NONE);
    FUZZ_CHECK(res->split >= LLMROOF_SPLIT_AUTO && res->split <= LLMROOF_SPLIT_NONE);
    FUZZ_CHECK(res->kv_type >= 0 && res->kv_type < LLMROOF_KV_TYPE_COUNT);
    FUZZ_CHECK(res->ctx >= 1 && res->batch >= 1 && res->layers >= 1);
    FUZZ_CHECK(res->gpu_layers >= 0 && (uint32_t)res->gpu_layers <= res->layers + 1);
    const double v[] = {res->params, res->active_params, res->decode_tps, res->decode_bound_tps,
                        res->decode_step_time, res->decode_link_time, res->prefill_tps,
                        res->prefill_bound_tps, res->ttft, res->request_time, res->power,
                        res->joules_per_token, res->price, res->price_per_tps,
                        res->idle_power, res->cost_per_mtok, res->prefill_joules_per_token};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        FUZZ_CHECK(sane(v[i]));
    FUZZ_CHECK(res->reserved_u32 == 0);
    /* The band is ordered (it need not hold the speed: a biased group's band
     * says measured 0.5-0.9 of the prediction), and is 0 with the speed. */
    FUZZ_CHECK(res->band_kind >= LLMROOF_PLACEMENT_GPU && res->band_kind < LLMROOF_PLACEMENT_COUNT);
    FUZZ_CHECK(at_most(res->decode_tps_lo, res->decode_tps_hi) && sane(res->decode_tps_hi));
    FUZZ_CHECK(at_most(res->prefill_tps_lo, res->prefill_tps_hi) && sane(res->prefill_tps_hi));
    FUZZ_CHECK((res->decode_tps_hi > 0) == (res->decode_tps > 0));
    FUZZ_CHECK(at_most(res->active_params, res->params));
    FUZZ_CHECK(at_most(res->decode_tps, res->decode_bound_tps));
    FUZZ_CHECK(at_most(res->prefill_tps, res->prefill_bound_tps));
    FUZZ_CHECK(at_most(res->decode_link_time, res->decode_step_time));
    FUZZ_CHECK(res->decode_bound_by >= LLMROOF_RESOURCE_NONE &&
               res->decode_bound_by <= LLMROOF_RESOURCE_OVERHEAD);
    FUZZ_CHECK(res->prefill_bound_by >= LLMROOF_RESOURCE_NONE &&
               res->prefill_bound_by <= LLMROOF_RESOURCE_OVERHEAD);

    /* Memory: the whole is the sum of its parts, tier by tier. */
    FUZZ_CHECK(res->tier_count >= 1 && res->tier_count <= LLMROOF_MAX_TIERS);
    FUZZ_CHECK(res->decode_bound_tier >= -1 && res->decode_bound_tier < (int32_t)res->tier_count);
    FUZZ_CHECK(res->prefill_bound_tier >= -1 &&
               res->prefill_bound_tier < (int32_t)res->tier_count);
    uint64_t kv = 0, compute = 0, overhead = 0;
    /* Each layer is in one place: on one accelerator (layer split), on all
     * of them at once (row and tensor split cut its matrices), or in host
     * RAM. */
    uint32_t accel_layers = 0, host_layers = 0, accels = 0;
    int cut = res->split == LLMROOF_SPLIT_ROW || res->split == LLMROOF_SPLIT_TENSOR;
    for (uint32_t i = 0; i < res->tier_count; i++) {
        const llmroof_tier *t = &res->tiers[i];
        check_tier(res, t);
        if (t->kind == LLMROOF_TIER_STORAGE)
            continue;
        FUZZ_CHECK(add_u64(kv, t->kv, &kv));
        FUZZ_CHECK(add_u64(compute, t->compute, &compute));
        FUZZ_CHECK(add_u64(overhead, t->overhead, &overhead));
        if (t->kind == LLMROOF_TIER_HOST) {
            host_layers += t->layers;
        } else if (cut) {
            FUZZ_CHECK(accels == 0 || t->layers == accel_layers);
            accel_layers = t->layers;
        } else {
            accel_layers += t->layers;
        }
        accels += t->kind == LLMROOF_TIER_ACCELERATOR;
    }
    FUZZ_CHECK(kv == res->kv && compute == res->compute && overhead == res->overhead);
    FUZZ_CHECK(accel_layers + host_layers == res->layers);
    /* The total is the tiers' (storage excepted: the host's overflow); it
     * holds the parts, and may hold more (the host's copy of a tied
     * embedding), less the rounding of each tier's bytes from a double (a
     * byte a tier, or a unit in the last place near 2^63). */
    uint64_t tiers = 0, parts;
    for (uint32_t i = 0; i < res->tier_count; i++)
        if (res->tiers[i].kind != LLMROOF_TIER_STORAGE)
            FUZZ_CHECK(add_u64(tiers, res->tiers[i].total, &tiers));
    FUZZ_CHECK(tiers == res->total);
    FUZZ_CHECK(add_u64(res->weights, res->kv, &parts) && add_u64(parts, res->compute, &parts) &&
               add_u64(parts, res->overhead, &parts));
    FUZZ_CHECK((double)res->total + res->tier_count + (double)parts * 0x1p-50 >= (double)parts);
}

void fuzz_check_pick(const llmroof_catalog *cat, llmroof_status st, const llmroof_error *err,
                     const llmroof_pick_result *res)
{
    fuzz_check_status(st, err);
    if (st != LLMROOF_OK)
        return;
    FUZZ_CHECK(res->candidate_count <= LLMROOF_MAX_CANDIDATES);
    int32_t n = (int32_t)res->candidate_count;
    FUZZ_CHECK(res->chosen >= -1 && res->chosen < n);
    FUZZ_CHECK(res->closest >= -1 && res->closest < n);
    FUZZ_CHECK(res->chosen < 0 || res->closest == res->chosen);
    FUZZ_CHECK(TERMINATED(res->advice));
    FUZZ_CHECK(res->chosen < 0 || res->advice[0] == '\0');
    for (int32_t i = 0; i < n; i++) {
        const llmroof_candidate *c = &res->candidates[i];
        FUZZ_CHECK(TERMINATED(c->quant) && TERMINATED(c->short_device));
        FUZZ_CHECK(TERMINATED(c->reason) && !strchr(c->reason, '\n'));
        FUZZ_CHECK(c->verdict >= LLMROOF_VERDICT_CHOSEN &&
                   c->verdict <= LLMROOF_VERDICT_UNSUPPORTED);
        FUZZ_CHECK((c->verdict == LLMROOF_VERDICT_CHOSEN) == (i == res->chosen));
        FUZZ_CHECK(!isnan(c->quality) && isfinite(c->bpw) && c->bpw > 0);
        FUZZ_CHECK(sane(c->decode_tps) && sane(c->prefill_tps) && sane(c->ttft));
    }

    /* The configuration it reports estimates as it says, and its llama.cpp
     * arguments are a complete string. */
    char args[1024], small[8];
    size_t len = llmroof_pick_llama_args(res, args, sizeof args);
    FUZZ_CHECK(llmroof_pick_llama_args(res, small, sizeof small) == len);
    FUZZ_CHECK(strlen(small) == (len < sizeof small ? len : sizeof small - 1));
    if (res->closest < 0) {
        FUZZ_CHECK(len == 0);
        return;
    }
    FUZZ_CHECK(len > 0 && len < sizeof args && strlen(args) == len);
    llmroof_error e;
    llmroof_error_init(&e);
    fuzz_check_estimate(LLMROOF_OK, &e, &res->estimate);
    llmroof_result again;
    llmroof_result_init(&again);
    st = llmroof_estimate(cat, &res->request, &again, &e);
    fuzz_check_estimate(st, &e, &again);
    FUZZ_CHECK(st == LLMROOF_OK);
    FUZZ_CHECK(again.total == res->estimate.total && again.fit == res->estimate.fit);
    FUZZ_CHECK(again.decode_tps == res->estimate.decode_tps);
}

/* a == b within rounding: 1e-9 relative. */
static int near(double a, double b) { return fabs(a - b) <= 1e-9 * fmax(fabs(a), fabs(b)); }

/* What every estimate's energy figures share: joules = power x seconds per
 * unit, cost = joules / 3.6e6 x electricity_price (0 without a price). */
static void check_energy(double power, double seconds, double joules, double cost,
                         double electricity_price, double per)
{
    FUZZ_CHECK(near(joules, power * seconds));
    FUZZ_CHECK(near(cost, joules * per / 3.6e6 * electricity_price));
    if (electricity_price == 0)
        FUZZ_CHECK(cost == 0);
}

void fuzz_check_image(llmroof_status st, const llmroof_error *err,
                      const llmroof_image_request *req, const llmroof_image_result *res)
{
    fuzz_check_status(st, err);
    if (st != LLMROOF_OK)
        return;
    FUZZ_CHECK(res->size == sizeof *res);
    FUZZ_CHECK(res->fit == LLMROOF_FIT_GPU || res->fit == LLMROOF_FIT_OFFLOAD ||
               res->fit == LLMROOF_FIT_NONE);
    FUZZ_CHECK(res->offload == LLMROOF_IMAGE_OFFLOAD_NONE ||
               res->offload == LLMROOF_IMAGE_OFFLOAD_MODEL);
    FUZZ_CHECK(req->offload == LLMROOF_IMAGE_OFFLOAD_AUTO || res->offload == req->offload);
    FUZZ_CHECK(res->fit != LLMROOF_FIT_GPU || res->offload == LLMROOF_IMAGE_OFFLOAD_NONE);
    FUZZ_CHECK(res->fit != LLMROOF_FIT_OFFLOAD || res->offload == LLMROOF_IMAGE_OFFLOAD_MODEL);
    FUZZ_CHECK(res->width >= 1 && res->height >= 1 && res->batch == req->batch);
    FUZZ_CHECK(!req->width || res->width == req->width);
    FUZZ_CHECK(!req->height || res->height == req->height);
    FUZZ_CHECK(!req->steps || res->steps == req->steps);
    FUZZ_CHECK(TERMINATED(res->device) && res->device[0]);
    FUZZ_CHECK(res->step_bound_by == LLMROOF_RESOURCE_COMPUTE ||
               res->step_bound_by == LLMROOF_RESOURCE_DEVICE_MEMORY ||
               (res->fit == LLMROOF_FIT_NONE && res->step_bound_by == LLMROOF_RESOURCE_NONE));
    FUZZ_CHECK(res->reserved_u32a == 0);
    const double v[] = {res->step_flops,  res->step_time,        res->step_bound_time,
                        res->encode_time, res->vae_time,         res->transfer_time,
                        res->run_time,    res->seconds_per_image, res->power,
                        res->joules_per_image, res->cost_per_image, res->price,
                        res->price_per_ipm, res->idle_power};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        FUZZ_CHECK(sane(v[i]));
    for (size_t i = 0; i < sizeof res->reserved_f64 / sizeof res->reserved_f64[0]; i++)
        FUZZ_CHECK(res->reserved_f64[i] == 0);
    if (res->fit == LLMROOF_FIT_NONE) {
        FUZZ_CHECK(res->peak >= res->capacity && res->headroom <= 0);
        FUZZ_CHECK(res->run_time == 0 && res->seconds_per_image == 0);
        return;
    }
    FUZZ_CHECK(res->peak <= res->capacity && res->headroom >= 0);
    FUZZ_CHECK(res->seconds_per_image > 0 && res->step_time > 0);
    FUZZ_CHECK(at_most(res->step_bound_time, res->step_time));
    FUZZ_CHECK(at_most(res->transfer_time, res->run_time));
    FUZZ_CHECK(at_most(res->steps * res->step_time, res->run_time));
    FUZZ_CHECK(near(res->seconds_per_image * res->batch, res->run_time));
    FUZZ_CHECK(res->transfer_time == 0 || res->offload == LLMROOF_IMAGE_OFFLOAD_MODEL);
    check_energy(res->power, res->seconds_per_image, res->joules_per_image, res->cost_per_image,
                 req->electricity_price, 1);
    FUZZ_CHECK(near(res->price_per_ipm, res->price * res->seconds_per_image / 60));
}

void fuzz_check_train(llmroof_status st, const llmroof_error *err,
                      const llmroof_train_request *req, const llmroof_train_result *res)
{
    fuzz_check_status(st, err);
    if (st != LLMROOF_OK)
        return;
    FUZZ_CHECK(res->size == sizeof *res);
    FUZZ_CHECK(res->fit == LLMROOF_FIT_GPU || res->fit == LLMROOF_FIT_NONE);
    FUZZ_CHECK(res->gpus >= 1 && (!req->gpus || res->gpus == req->gpus));
    FUZZ_CHECK(res->reserved_u32a == 0);
    FUZZ_CHECK(TERMINATED(res->device) && res->device[0]);
    FUZZ_CHECK(TERMINATED(res->engine) && res->engine[0]);
    FUZZ_CHECK(!req->engine[0] || strcmp(res->engine, req->engine) == 0);
    const double v[] = {res->params,         res->trainable_params, res->step_flops,
                        res->step_time,      res->allreduce_time,   res->tokens_per_s,
                        res->power,          res->joules_per_token, res->cost_per_mtok,
                        res->price,          res->price_per_tps,    res->idle_power};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        FUZZ_CHECK(sane(v[i]));
    for (size_t i = 0; i < sizeof res->reserved_f64 / sizeof res->reserved_f64[0]; i++)
        FUZZ_CHECK(res->reserved_f64[i] == 0);
    /* (Adapters may outnumber the weights of a tiny model: no bound.) */
    FUZZ_CHECK(req->method != LLMROOF_TRAIN_FULL || res->trainable_params == res->params);
    FUZZ_CHECK(at_most(res->allreduce_time, res->step_time));
    /* The parts add up to the whole, within the rounding of each part to
     * whole bytes (each rounded up, so at most one byte each). */
    const uint64_t parts[] = {res->weights, res->gradients, res->optimizer_states,
                              res->master_weights, res->activations, res->logits,
                              res->overhead};
    uint64_t sum = 0;
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        FUZZ_CHECK(add_u64(sum, parts[i], &sum));
    FUZZ_CHECK(at_most((double)sum, (double)res->total + 8) &&
               at_most((double)res->total, (double)sum + 8));
    if (res->fit == LLMROOF_FIT_NONE) {
        FUZZ_CHECK(res->total >= res->capacity && res->headroom <= 0);
        return;
    }
    FUZZ_CHECK(res->total <= res->capacity && res->headroom >= 0);
    FUZZ_CHECK(res->tokens_per_s > 0 && res->step_time > 0);
    check_energy(res->power, 1 / res->tokens_per_s, res->joules_per_token, res->cost_per_mtok,
                 req->electricity_price, 1e6);
    FUZZ_CHECK(near(res->price_per_tps, res->price / res->tokens_per_s));
}

/* Runs a call twice (into result buffers that start the same): the same
 * status, the same bytes of result and error. */
#define TWICE(call, st, res, res2, err, err2)                                                    \
    do {                                                                                         \
        st = (call)(cat, req, &res, &err);                                                       \
        llmroof_status st2_ = (call)(cat, req, &res2, &err2);                                    \
        FUZZ_CHECK(st2_ == st);                                                                  \
        FUZZ_CHECK(memcmp(&res, &res2, sizeof res) == 0);                                        \
        FUZZ_CHECK(memcmp(&err, &err2, sizeof err) == 0);                                        \
    } while (0)

llmroof_status fuzz_image_estimate(const llmroof_catalog *cat, const llmroof_image_request *req)
{
    llmroof_image_result res, res2;
    llmroof_image_result_init(&res);
    llmroof_image_result_init(&res2);
    llmroof_error err, err2;
    llmroof_error_init(&err);
    llmroof_error_init(&err2);
    llmroof_status st;
    TWICE(llmroof_image_estimate, st, res, res2, err, err2);
    fuzz_check_image(st, &err, req, &res);
    return st;
}

llmroof_status fuzz_train_estimate(const llmroof_catalog *cat, const llmroof_train_request *req)
{
    llmroof_train_result res, res2;
    llmroof_train_result_init(&res);
    llmroof_train_result_init(&res2);
    llmroof_error err, err2;
    llmroof_error_init(&err);
    llmroof_error_init(&err2);
    llmroof_status st;
    TWICE(llmroof_train_estimate, st, res, res2, err, err2);
    fuzz_check_train(st, &err, req, &res);
    return st;
}

/* The ids of the last n entries of a section (at most 4). */
static uint32_t last_ids(const llmroof_catalog *cat, int32_t section, uint32_t n,
                         const char **ids)
{
    uint32_t count = llmroof_catalog_count(cat, section), k = 0;
    for (uint32_t i = count; i > 0 && k < n && k < 4; i--) {
        ids[k] = llmroof_catalog_id(cat, section, i - 1);
        FUZZ_CHECK(ids[k] != NULL && ids[k][0] && strlen(ids[k]) < LLMROOF_ID_MAX);
        k++;
    }
    FUZZ_CHECK(llmroof_catalog_id(cat, section, count) == NULL);
    return k;
}

/* Every descriptor given back by id is the one asked for. */
static void check_gets(const llmroof_catalog *cat, uint32_t n)
{
    for (int32_t sec = 0; sec < LLMROOF_SECTION_COUNT; sec++) {
        const char *ids[4];
        uint32_t k = last_ids(cat, sec, n, ids);
        for (uint32_t i = 0; i < k; i++) {
            llmroof_error e;
            llmroof_error_init(&e);
            union {
                llmroof_device d;
                llmroof_link l;
                llmroof_system s;
                llmroof_model m;
                llmroof_quant q;
                llmroof_engine en;
                llmroof_image_model im;
            } u;
            llmroof_status st = LLMROOF_E_INVALID_ARGUMENT;
            const char *id = NULL;
            switch (sec) {
            case LLMROOF_SECTION_DEVICES:
                llmroof_device_init(&u.d);
                st = llmroof_catalog_get_device(cat, ids[i], &u.d, &e);
                id = u.d.id;
                break;
            case LLMROOF_SECTION_LINKS:
                llmroof_link_init(&u.l);
                st = llmroof_catalog_get_link(cat, ids[i], &u.l, &e);
                id = u.l.id;
                break;
            case LLMROOF_SECTION_SYSTEMS:
                llmroof_system_init(&u.s);
                st = llmroof_catalog_get_system(cat, ids[i], &u.s, &e);
                id = u.s.id;
                break;
            case LLMROOF_SECTION_MODELS:
                llmroof_model_init(&u.m);
                st = llmroof_catalog_get_model(cat, ids[i], &u.m, &e);
                id = u.m.id;
                break;
            case LLMROOF_SECTION_QUANTS:
                llmroof_quant_init(&u.q);
                st = llmroof_catalog_get_quant(cat, ids[i], &u.q, &e);
                id = u.q.id;
                break;
            case LLMROOF_SECTION_IMAGE_MODELS:
                llmroof_image_model_init(&u.im);
                st = llmroof_catalog_get_image_model(cat, ids[i], &u.im, &e);
                id = u.im.id;
                break;
            default:
                llmroof_engine_init(&u.en);
                st = llmroof_catalog_get_engine(cat, ids[i], &u.en, &e);
                id = u.en.id;
                break;
            }
            fuzz_check_status(st, &e);
            FUZZ_CHECK(st == LLMROOF_OK && strcmp(id, ids[i]) == 0);
        }
    }
}

unsigned fuzz_exercise_catalog(const llmroof_catalog *cat, uint32_t n)
{
    const char *systems[4], *models[4], *quants[4], *engines[5] = {""};
    uint32_t ns = last_ids(cat, LLMROOF_SECTION_SYSTEMS, n, systems);
    uint32_t nm = last_ids(cat, LLMROOF_SECTION_MODELS, n, models);
    uint32_t nq = last_ids(cat, LLMROOF_SECTION_QUANTS, n, quants);
    uint32_t ne = 1 + last_ids(cat, LLMROOF_SECTION_ENGINES, n, engines + 1);
    unsigned ok = 0;
    check_gets(cat, n);
    for (uint32_t s = 0; s < ns; s++)
        for (uint32_t m = 0; m < nm; m++)
            for (uint32_t q = 0; q < nq; q++)
                for (uint32_t e = 0; e < ne; e++) {
                    llmroof_request req;
                    llmroof_request_init(&req);
                    snprintf(req.system, sizeof req.system, "%s", systems[s]);
                    snprintf(req.model, sizeof req.model, "%s", models[m]);
                    snprintf(req.quant, sizeof req.quant, "%s", quants[q]);
                    snprintf(req.engine, sizeof req.engine, "%s", engines[e]);
                    req.ctx = 4096;
                    llmroof_result res;
                    llmroof_result_init(&res);
                    llmroof_error err;
                    llmroof_error_init(&err);
                    llmroof_status st = llmroof_estimate(cat, &req, &res, &err);
                    fuzz_check_estimate(st, &err, &res);
                    ok += st == LLMROOF_OK;
                }
    /* Image estimates: systems x image models x engines; train estimates:
     * systems x models x methods x engines ("" first: the default one). */
    const char *images[4];
    uint32_t ni = last_ids(cat, LLMROOF_SECTION_IMAGE_MODELS, n, images);
    for (uint32_t s = 0; s < ns; s++)
        for (uint32_t e = 0; e < ne; e++) {
            for (uint32_t i = 0; i < ni; i++) {
                llmroof_image_request req;
                llmroof_image_request_init(&req);
                snprintf(req.system, sizeof req.system, "%s", systems[s]);
                snprintf(req.model, sizeof req.model, "%s", images[i]);
                snprintf(req.engine, sizeof req.engine, "%s", engines[e]);
                req.electricity_price = e & 1 ? 0.25 : 0;
                ok += fuzz_image_estimate(cat, &req) == LLMROOF_OK;
            }
            for (uint32_t m = 0; m < nm; m++)
                for (int32_t method = LLMROOF_TRAIN_FULL; method <= LLMROOF_TRAIN_QLORA;
                     method++) {
                    llmroof_train_request req;
                    llmroof_train_request_init(&req);
                    snprintf(req.system, sizeof req.system, "%s", systems[s]);
                    snprintf(req.model, sizeof req.model, "%s", models[m]);
                    snprintf(req.engine, sizeof req.engine, "%s", engines[e]);
                    req.method = method;
                    req.electricity_price = e & 1 ? 0.25 : 0;
                    ok += fuzz_train_estimate(cat, &req) == LLMROOF_OK;
                }
        }
    if (ns && nm) {
        static llmroof_pick_request preq; /* large: not on the stack */
        static llmroof_pick_result pres;
        llmroof_pick_request_init(&preq);
        snprintf(preq.base.system, sizeof preq.base.system, "%s", systems[0]);
        snprintf(preq.base.model, sizeof preq.base.model, "%s", models[0]);
        preq.base.ctx = 8192;
        preq.kv_types = 1u << LLMROOF_KV_F16 | 1u << LLMROOF_KV_Q8_0;
        preq.min_ctx = 2048;
        llmroof_pick_result_init(&pres);
        llmroof_error err;
        llmroof_error_init(&err);
        llmroof_status st = llmroof_pick(cat, &preq, &pres, &err);
        fuzz_check_pick(cat, st, &err, &pres);
    }
    return ok;
}

int fuzz_memfd(const uint8_t *data, size_t size, char *path, size_t cap)
{
    int fd = memfd_create("llmroof-fuzz", MFD_CLOEXEC);
    if (fd < 0)
        return -1;
    for (size_t off = 0; off < size;) {
        ssize_t w = write(fd, data + off, size - off);
        if (w <= 0) {
            close(fd);
            return -1;
        }
        off += (size_t)w;
    }
    snprintf(path, cap, "/proc/self/fd/%d", fd);
    return fd;
}

void fuzz_estimate_on(const llmroof_catalog *cat, const char *system, const char *model,
                      const char *quant)
{
    llmroof_request req;
    llmroof_request_init(&req);
    snprintf(req.system, sizeof req.system, "%s", system);
    snprintf(req.model, sizeof req.model, "%s", model);
    snprintf(req.quant, sizeof req.quant, "%s", quant);
    req.ctx = 8192;
    llmroof_result res;
    llmroof_result_init(&res);
    llmroof_error err;
    llmroof_error_init(&err);
    llmroof_status st = llmroof_estimate(cat, &req, &res, &err);
    fuzz_check_estimate(st, &err, &res);
    /* And fine-tuning it, every method, with the default train engine. */
    for (int32_t method = LLMROOF_TRAIN_FULL; method <= LLMROOF_TRAIN_QLORA; method++) {
        llmroof_train_request treq;
        llmroof_train_request_init(&treq);
        snprintf(treq.system, sizeof treq.system, "%s", system);
        snprintf(treq.model, sizeof treq.model, "%s", model);
        treq.method = method;
        fuzz_train_estimate(cat, &treq);
    }
}

llmroof_catalog *fuzz_builtin_with(const llmroof_model *model, const llmroof_quant *quant)
{
    llmroof_catalog *cat = NULL;
    llmroof_error err;
    llmroof_error_init(&err);
    FUZZ_CHECK(llmroof_catalog_new(&cat, &err) == LLMROOF_OK);
    FUZZ_CHECK(llmroof_catalog_load_builtin(cat, 0, &err) == LLMROOF_OK);
    llmroof_status st = llmroof_catalog_add_model(cat, model, LLMROOF_LOAD_OVERRIDE, &err);
    fuzz_check_status(st, &err);
    if (st == LLMROOF_OK && quant) {
        st = llmroof_catalog_add_quant(cat, quant, LLMROOF_LOAD_OVERRIDE, &err);
        fuzz_check_status(st, &err);
    }
    if (st != LLMROOF_OK) {
        llmroof_catalog_free(cat);
        return NULL;
    }
    return cat;
}
