/* llmroof_estimate(): resolves the request's ids against the catalog, then
 * runs memory -> placement -> roofline on plain structs. */
#include <math.h>
#include <string.h>

#include "model.h"

#define DEFAULT_ENGINE "llama.cpp"

void llmroof_request_init(llmroof_request *req)
{
    if (!req)
        return;
    memset(req, 0, sizeof *req);
    req->size = sizeof *req;
    req->prompt = 512; /* llama-bench defaults: -p 512 -n 128 -b 2048 -ub 512 */
    req->gen = 128;
    req->batch = 1;
    req->ubatch = 512;
    req->kv_type = LLMROOF_KV_F16;
    req->gpu_layers = -1;
    req->split = LLMROOF_SPLIT_AUTO;
    req->flash_attention = 1;
    req->backend = -1;
}

void llmroof_result_init(llmroof_result *res)
{
    if (!res)
        return;
    memset(res, 0, sizeof *res);
    res->size = sizeof *res;
    res->decode_bound_tier = -1;
    res->prefill_bound_tier = -1;
}

/* Largest context we accept: 2^26 tokens keeps every product below 2^63. */
#define MAX_TOKENS (1u << 26)

static llmroof_status check_request(const llmroof_request *r, llmroof_error *err)
{
    const char *bad = NULL;
    if (r->batch == 0 || r->batch > 4096)
        bad = "batch must be between 1 and 4096";
    else if (r->ubatch == 0 || r->ubatch > MAX_TOKENS)
        bad = "ubatch must be between 1 and 2^26";
    else if (r->ctx > MAX_TOKENS || r->depth > MAX_TOKENS || r->prompt > MAX_TOKENS ||
             r->gen > MAX_TOKENS)
        bad = "ctx, depth, prompt and gen must each be at most 2^26 tokens";
    else if (r->kv_type < 0 || r->kv_type >= LLMROOF_KV_TYPE_COUNT)
        bad = "kv_type is not a known KV cache type";
    else if (r->gpu_layers < -1)
        bad = "gpu_layers must be -1 (automatic) or >= 0";
    else if (r->split < LLMROOF_SPLIT_AUTO || r->split > LLMROOF_SPLIT_NONE)
        bad = "split is not a known split mode";
    else if (r->tensor_split_count > LLMROOF_MAX_DEVICES)
        bad = "tensor_split_count is larger than LLMROOF_MAX_DEVICES";
    else if (r->flash_attention > 1)
        bad = "flash_attention must be 0 or 1";
    else if (!(r->gpu_share >= 0 && r->gpu_share <= 1))
        bad = "gpu_share must be 0 (device default) or in (0, 1]";
    else if (!llmroof__valid_electricity_price(r->electricity_price))
        bad = LLMROOF__ELECTRICITY_PRICE_RULE;
    else if (r->threads > 65536)
        bad = "threads must be 0 (one per core) or at most 65536";
    else if (r->backend != -1 && (r->backend < LLMROOF_BACKEND_CUDA || r->backend >= LLMROOF_BACKEND_CPU))
        bad = "backend must be -1 (the device's own) or an accelerator backend (cuda, rocm, "
              "metal, vulkan, sycl)";
    if (bad)
        return llmroof__fail(err, LLMROOF_E_INVALID_ARGUMENT, NULL, 0, 0, "request: %s", bad);
    if (!LLMROOF__RESERVED_ZERO(r->reserved_u32))
        return llmroof__fail(err, LLMROOF_E_INVALID_ARGUMENT, NULL, 0, 0,
                             "request: reserved fields must be zero");
    return LLMROOF_OK;
}

static int all_finite(const llmroof_result *r)
{
    const double v[] = {r->params, r->active_params, r->decode_tps, r->decode_bound_tps,
                        r->decode_step_time, r->decode_link_time, r->prefill_tps,
                        r->prefill_bound_tps, r->ttft, r->request_time, r->power,
                        r->joules_per_token, r->price, r->price_per_tps, r->idle_power,
                        r->cost_per_mtok, r->prefill_joules_per_token, r->decode_tps_lo,
                        r->decode_tps_hi, r->prefill_tps_lo, r->prefill_tps_hi};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        if (!isfinite(v[i]) || v[i] < 0)
            return 0;
    for (uint32_t i = 0; i < r->tier_count; i++) {
        const llmroof_tier *t = &r->tiers[i];
        if (!isfinite(t->decode_time) || !isfinite(t->decode_bytes) ||
            !isfinite(t->decode_bound_time) || !isfinite(t->prefill_time))
            return 0;
    }
    return 1;
}

/* Whether the engine loads the quant's weight format: an engine or a quant
 * that states none accepts any (descriptors written before formats). */
static int engine_loads(const llmroof_engine *e, const llmroof_quant *q)
{
    if (e->format_count == 0 || q->format[0] == '\0')
        return 1;
    for (uint32_t i = 0; i < e->format_count && i < LLMROOF_MAX_FORMATS; i++)
        if (strncmp(e->formats[i], q->format, LLMROOF_FORMAT_MAX) == 0)
            return 1;
    return 0;
}

/* The kind of placement the error band is chosen by (llmroof_placement_kind):
 * no repeating layer on an accelerator, some in host RAM, a unified-memory
 * accelerator, several accelerators, one. */
static int32_t placement_kind(const llmroof__placement *p)
{
    uint32_t busy = 0;
    int unified = 0;
    for (uint32_t g = 0; g < p->gpus && g < LLMROOF_MAX_DEVICES; g++) {
        if (p->work[g].count == 0)
            continue;
        busy++;
        unified |= p->work[g].dev->kind == LLMROOF_DEVICE_UNIFIED;
    }
    if (busy == 0)
        return LLMROOF_PLACEMENT_CPU;
    if (p->host_tier >= 0 && p->work[p->host_tier].count > 0)
        return LLMROOF_PLACEMENT_OFFLOAD;
    if (unified)
        return LLMROOF_PLACEMENT_UNIFIED;
    return busy > 1 ? LLMROOF_PLACEMENT_MULTI_GPU : LLMROOF_PLACEMENT_GPU;
}

/* Was the engine backend measured on device `id` (engine_backend
 * measured_devices)?  No backend: no. */
static int measured_on(const llmroof_engine_backend *be, const char *id)
{
    if (!be)
        return 0;
    for (uint32_t k = 0; k < be->measured_device_count && k < LLMROOF_MAX_MEASURED_DEVICES; k++)
        if (strncmp(be->measured_devices[k], id, LLMROOF_ID_MAX) == 0)
            return 1;
    return 0;
}

/* The wide default band where the engine backend has none for the
 * placement kind (docs/api.md, "Error band"). */
#define DEFAULT_DECODE_LO 0.5
#define DEFAULT_DECODE_HI 1.5
#define DEFAULT_PREFILL_LO 0.33
#define DEFAULT_PREFILL_HI 2.0
/* A band on fewer rows or sources than these is flagged thin (the rule
 * lib/catalog/calibration/fit.py widens such bands by). */
#define BAND_THIN_ROWS 20
#define BAND_THIN_SOURCES 3

/* One speed's range from a band's pair, or from the default pair when lo is
 * 0; *flags gets UNCALIBRATED for a default pair or one with no rows of its
 * own (borrowed by the fit). */
static void band_range(double tps, double lo, double hi, double dlo, double dhi, uint32_t rows,
                       double *out_lo, double *out_hi, uint32_t *flags)
{
    if (!(lo > 0)) {
        lo = dlo;
        hi = dhi;
        *flags |= LLMROOF_FLAG_UNCALIBRATED;
    } else if (rows == 0) {
        *flags |= LLMROOF_FLAG_UNCALIBRATED; /* the fit borrowed it from another kind */
    }
    *out_lo = tps > 0 ? tps * lo : 0.0;
    *out_hi = tps > 0 ? tps * hi : 0.0;
}

/* The likely range of the speeds: the band of the engine backend that ran
 * (the accelerators', or the cpu backend when no layer is on one) for the
 * placement's kind, and the calibration flags. */
static void apply_band(const llmroof__placement *p, const llmroof_model *model,
                       llmroof_result *out)
{
    static const llmroof_band none;
    int32_t kind = placement_kind(p);
    out->band_kind = kind;
    if (out->fit == LLMROOF_FIT_NONE)
        return;
    const llmroof_engine_backend *be =
        kind == LLMROOF_PLACEMENT_CPU ? p->work[p->host_tier].backend : p->work[0].backend;
    const llmroof_band *b = be ? &be->bands[kind] : &none;
    uint32_t f = 0;
    band_range(out->decode_tps, b->decode_lo, b->decode_hi, DEFAULT_DECODE_LO, DEFAULT_DECODE_HI,
               b->decode_rows, &out->decode_tps_lo, &out->decode_tps_hi, &f);
    band_range(out->prefill_tps, b->prefill_lo, b->prefill_hi, DEFAULT_PREFILL_LO,
               DEFAULT_PREFILL_HI, b->prefill_rows, &out->prefill_tps_lo, &out->prefill_tps_hi,
               &f);
    int thin_decode = b->decode_lo > 0 && b->decode_rows > 0 && b->decode_rows < BAND_THIN_ROWS;
    int thin_prefill =
        b->prefill_lo > 0 && b->prefill_rows > 0 && b->prefill_rows < BAND_THIN_ROWS;
    int measured = (b->decode_lo > 0 && b->decode_rows > 0) ||
                   (b->prefill_lo > 0 && b->prefill_rows > 0);
    if (thin_decode || thin_prefill || (measured && b->sources < BAND_THIN_SOURCES))
        f |= LLMROOF_FLAG_BAND_THIN;
    if (model->experts > 0 && b->moe_rows == 0)
        f |= LLMROOF_FLAG_MOE_UNCALIBRATED;
    /* Every device the band's backend computes on must have been measured
     * with it: the accelerators, or the CPU when no layer is on one. */
    for (uint32_t i = 0; i < out->tier_count; i++) {
        const llmroof__tier_work *w = &p->work[i];
        int computes = w->count > 0 || w->has_output;
        int mine = kind == LLMROOF_PLACEMENT_CPU ? (int)i == p->host_tier
                                                 : out->tiers[i].kind == LLMROOF_TIER_ACCELERATOR;
        if (computes && mine && !measured_on(be, w->dev->id)) {
            f |= LLMROOF_FLAG_DEVICE_UNMEASURED;
            break;
        }
    }
    out->flags |= f;
}

llmroof_status llmroof__estimate_plain(const llmroof__machine *m, const llmroof_model *model,
                                       const llmroof_quant *quant, const llmroof_engine *engine,
                                       const llmroof_request *req, llmroof_result *res,
                                       llmroof_error *err)
{
    llmroof_request r = *req;
    if (r.ctx == 0) {
        uint64_t c = (uint64_t)r.depth + r.prompt + r.gen;
        r.ctx = c > MAX_TOKENS ? MAX_TOKENS : (uint32_t)c;
        if (r.ctx == 0)
            r.ctx = 1;
    }
    llmroof_status st = check_request(&r, err);
    if (st)
        return st;
    if (!(engine->tasks & LLMROOF_TASK_LLM))
        return llmroof__fail(err, LLMROOF_E_UNSUPPORTED, NULL, 0, 0,
                             "engine '%s' does not run LLM inference (its tasks: %s)",
                             engine->id, llmroof__tasks_text(engine->tasks));
    if (!engine_loads(engine, quant))
        return llmroof__fail(err, LLMROOF_E_UNSUPPORTED, NULL, 0, 0,
                             "engine '%s' does not load %s weights (quant '%s')", engine->id,
                             quant->format, quant->id);
    if ((uint64_t)r.depth + r.prompt > r.ctx || (uint64_t)r.depth + r.gen > r.ctx)
        return llmroof__fail(err, LLMROOF_E_INVALID_ARGUMENT, NULL, 0, 0,
                             "request: depth + prompt (%u) and depth + gen (%u) must fit in "
                             "ctx (%u)",
                             r.depth + r.prompt, r.depth + r.gen, r.ctx);

    llmroof_result out;
    llmroof_result_init(&out);
    out.kv_type = r.kv_type;
    out.ctx = r.ctx;
    out.batch = r.batch;
    out.layers = model->layers;

    llmroof__shape s;
    if ((st = llmroof__shape_compute(model, quant, &r, &s, err)))
        return st;
    out.params = s.params;
    out.active_params = s.active_params;
    if (model->context && r.ctx > model->context)
        out.flags |= LLMROOF_FLAG_CTX_ABOVE_TRAINED;
    if (model->params > 0 && fabs(s.params - model->params) > 0.05 * model->params)
        out.flags |= LLMROOF_FLAG_PARAMS_MISMATCH;

    llmroof__placement p;
    if ((st = llmroof__place(m, engine, &s, &r, &p, &out, err)))
        return st;
    if (out.fit != LLMROOF_FIT_NONE && (st = llmroof__check_bandwidth_kinds(&p, &out, err)))
        return st;
    if (out.fit != LLMROOF_FIT_NONE)
        llmroof__roofline(&p, &s, quant, &r, &out);
    else
        out.decode_bound_tier = out.prefill_bound_tier = -1;

    /* Energy and cost (docs/model.md §7): the accelerators in use plus the
     * rest of the system, for the time of one step. */
    out.idle_power = llmroof__idle_power(m);
    out.price = m->system->price;
    if (out.fit != LLMROOF_FIT_NONE) {
        double power = llmroof__busy_power(m, p.gpus);
        out.power = power;
        out.joules_per_token = out.decode_tps > 0 ? power / out.decode_tps : 0.0;
        out.prefill_joules_per_token = out.prefill_tps > 0 ? power / out.prefill_tps : 0.0;
        out.cost_per_mtok = llmroof__energy_cost(out.joules_per_token * 1e6, r.electricity_price);
        out.price_per_tps = out.decode_tps > 0 ? out.price / out.decode_tps : 0.0;
    }
    apply_band(&p, model, &out);
    if (!all_finite(&out))
        return llmroof__fail(err, LLMROOF_E_RANGE, NULL, 0, 0,
                             "the estimate for model '%s' on system '%s' is not a finite "
                             "number (check the descriptors' bandwidth and compute)",
                             model->id, m->system->id);
    /* Copy only as much as the caller's struct holds. */
    LLMROOF__COPY_RESULT(res, out);
    return LLMROOF_OK;
}

#define REQUIRE(ptr, kind, id)                                                          \
    do {                                                                                     \
        if (!(ptr))                                                                          \
            return llmroof__fail(err, LLMROOF_E_NOT_FOUND, NULL, 0, 0,                       \
                                 "no " kind " '%s' in the catalog", (id));                   \
    } while (0)

llmroof_status llmroof__resolve_machine(const llmroof_catalog *cat, const llmroof_system *sys,
                                       llmroof__machine *m, llmroof_error *err)
{
    /* The catalog validated every reference on load; a miss here means a
     * descriptor was replaced by one of another kind. */
    memset(m, 0, sizeof *m);
    m->system = sys;
    m->accel_count = sys->accelerator_count;
    for (uint32_t i = 0; i < m->accel_count && i < LLMROOF_MAX_DEVICES; i++) {
        m->accel[i] = llmroof__find_device(cat, sys->accelerators[i]);
        REQUIRE(m->accel[i], "device", sys->accelerators[i]);
    }
    m->host = llmroof__find_device(cat, sys->host_device);
    REQUIRE(m->host, "device", sys->host_device);
    if (sys->gpu_link[0]) {
        m->gpu_link = llmroof__find_link(cat, sys->gpu_link);
        REQUIRE(m->gpu_link, "link", sys->gpu_link);
    }
    if (sys->host_link[0]) {
        m->host_link = llmroof__find_link(cat, sys->host_link);
        REQUIRE(m->host_link, "link", sys->host_link);
    }
    if (sys->storage[0]) {
        m->storage = llmroof__find_device(cat, sys->storage);
        REQUIRE(m->storage, "device", sys->storage);
    }
    return LLMROOF_OK;
}

const llmroof_engine *llmroof__default_engine(const llmroof_catalog *cat, uint32_t task,
                                              int32_t backend)
{
    uint32_t n = llmroof_catalog_count(cat, LLMROOF_SECTION_ENGINES);
    for (uint32_t i = 0; i < n; i++) {
        const llmroof_engine *e =
            llmroof__find_engine(cat, llmroof_catalog_id(cat, LLMROOF_SECTION_ENGINES, i));
        if (e && (e->tasks & task) && llmroof__engine_backend(e, backend))
            return e;
    }
    return NULL;
}

double llmroof__busy_power(const llmroof__machine *m, uint32_t gpus)
{
    double power = m->system->power;
    for (uint32_t g = 0; g < gpus && g < m->accel_count; g++)
        power += m->accel[g]->power;
    if (gpus == 0 || m->accel[0]->kind != LLMROOF_DEVICE_UNIFIED)
        power += m->host->power; /* a unified device's power is the whole SoC */
    return power;
}

double llmroof__idle_power(const llmroof__machine *m)
{
    if (m->system->idle_power > 0)
        return m->system->idle_power;
    /* Summed only when every device in the system states its idle power. */
    double power = 0;
    for (uint32_t g = 0; g < m->accel_count; g++) {
        if (!(m->accel[g]->idle_power > 0))
            return 0;
        power += m->accel[g]->idle_power;
    }
    if (m->accel_count == 0 || m->accel[0]->kind != LLMROOF_DEVICE_UNIFIED) {
        if (!(m->host->idle_power > 0))
            return 0;
        power += m->host->idle_power;
    }
    return power;
}

double llmroof__acc32_compute(const llmroof_device *d)
{
    return d->compute_f16_acc32 > 0 ? d->compute_f16_acc32 : d->compute_f16;
}

int llmroof__valid_electricity_price(double usd_per_kwh)
{
    return usd_per_kwh >= 0 && usd_per_kwh <= 100; /* false for NaN */
}

int64_t llmroof__headroom(double capacity, double need)
{
    double h = capacity - need;
    return h >= 9.2e18 ? INT64_MAX : h <= -9.2e18 ? INT64_MIN : (int64_t)h;
}

double llmroof__energy_cost(double joules, double usd_per_kwh)
{
    return joules / 3.6e6 * usd_per_kwh; /* 1 kWh = 3.6 MJ */
}

llmroof_status llmroof_estimate(const llmroof_catalog *cat, const llmroof_request *req,
                                llmroof_result *res, llmroof_error *err)
{
    if (!cat || !req || !res)
        return llmroof__fail(err, LLMROOF_E_INVALID_ARGUMENT, NULL, 0, 0,
                             "llmroof_estimate: catalog, request and result must not be NULL");
    if (req->size < sizeof *req || res->size < offsetof(llmroof_result, decode_tps_lo))
        return llmroof__fail(err, LLMROOF_E_INVALID_ARGUMENT, NULL, 0, 0,
                             "llmroof_estimate: request or result size field is too small "
                             "(call llmroof_request_init / llmroof_result_init)");
    llmroof__machine m;
    const llmroof_system *sys = llmroof__find_system(cat, req->system);
    REQUIRE(sys, "system", req->system);
    const llmroof_model *model = llmroof__find_model(cat, req->model);
    REQUIRE(model, "model", req->model);
    const llmroof_quant *quant = llmroof__find_quant(cat, req->quant);
    REQUIRE(quant, "quant", req->quant);
    const char *engine_id = req->engine[0] ? req->engine : DEFAULT_ENGINE;
    const llmroof_engine *engine = llmroof__find_engine(cat, engine_id);
    REQUIRE(engine, "engine", engine_id);

    TRY(llmroof__resolve_machine(cat, sys, &m, err));
    return llmroof__estimate_plain(&m, model, quant, engine, req, res, err);
}
