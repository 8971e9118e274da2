/* llmroof_pick(): the best quant and placement for a launcher (docs/pick.md).
 * Built on llmroof_estimate(); no allocation: everything lives in the
 * caller's result. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

#define GiB (1024.0 * 1024.0 * 1024.0)

void llmroof_pick_request_init(llmroof_pick_request *req)
{
    if (!req)
        return;
    memset(req, 0, sizeof *req);
    req->size = sizeof *req;
    llmroof_request_init(&req->base);
    req->kv_types = 1u << LLMROOF_KV_F16;
    req->flags = LLMROOF_PICK_NO_STORAGE;
}

void llmroof_pick_result_init(llmroof_pick_result *res)
{
    if (!res)
        return;
    memset(res, 0, sizeof *res);
    res->size = sizeof *res;
    res->chosen = -1;
    res->closest = -1;
    llmroof_request_init(&res->request);
    llmroof_result_init(&res->estimate);
}

static const char *const verdict_names[] = {"chosen",    "meets",        "not-tried",
                                            "no-fit",    "offload",      "headroom",
                                            "slow-decode", "slow-prefill", "slow-ttft",
                                            "unsupported"};

const char *llmroof_verdict_string(int32_t v)
{
    if (v < 0 || (size_t)v >= sizeof verdict_names / sizeof verdict_names[0])
        return "unknown";
    return verdict_names[v];
}

/* KV types from the most precise to the least (ggml block sizes, docs/model.md). */
static const int32_t kv_order[] = {LLMROOF_KV_F32,  LLMROOF_KV_F16,    LLMROOF_KV_BF16,
                                   LLMROOF_KV_Q8_0, LLMROOF_KV_Q5_1,   LLMROOF_KV_Q5_0,
                                   LLMROOF_KV_Q4_1, LLMROOF_KV_IQ4_NL, LLMROOF_KV_Q4_0};
#define KV_ORDER_N (sizeof kv_order / sizeof kv_order[0])

/* How bad a verdict is, for keeping a candidate's most promising attempt
 * and for the closest miss: lower is better. */
static int verdict_rank(int32_t v)
{
    switch (v) {
    case LLMROOF_VERDICT_MEETS: return 0;
    case LLMROOF_VERDICT_SLOW_TTFT:
    case LLMROOF_VERDICT_SLOW_PREFILL:
    case LLMROOF_VERDICT_SLOW_DECODE: return 1;
    case LLMROOF_VERDICT_HEADROOM: return 2;
    case LLMROOF_VERDICT_OFFLOAD: return 3;
    case LLMROOF_VERDICT_NO_FIT: return 4;
    default: return 5;
    }
}

/* Everything known about one tried configuration. */
typedef struct attempt {
    llmroof_request req;
    llmroof_result res;
    int32_t verdict;
    uint32_t flags;
    double miss;           /* worst target ratio (>= 1 misses), for the closest miss */
    int64_t shortfall;
    char short_device[LLMROOF_ID_MAX];
} attempt;

/* The tier with the least headroom, accelerators only unless none is short. */
static const llmroof_tier *tightest(const llmroof_result *r, int accel_only)
{
    const llmroof_tier *t = NULL;
    for (uint32_t i = 0; i < r->tier_count && i < LLMROOF_MAX_TIERS; i++) {
        const llmroof_tier *x = &r->tiers[i];
        if (accel_only && x->kind != LLMROOF_TIER_ACCELERATOR)
            continue;
        if (x->kind == LLMROOF_TIER_STORAGE)
            continue;
        if (!t || x->headroom < t->headroom)
            t = x;
    }
    return t;
}

static double ratio(double target, double got, int lower_is_better)
{
    if (!(target > 0))
        return 0.0;
    if (lower_is_better)
        return got / target;
    return got > 0 ? target / got : INFINITY;
}

/* Judges one estimate against the targets and the flags. */
static void judge(const llmroof_pick_request *pr, attempt *a)
{
    const llmroof_result *r = &a->res;
    a->shortfall = 0;
    a->short_device[0] = '\0';
    a->miss = INFINITY;
    const llmroof_tier *t = tightest(r, 0);
    if (r->fit == LLMROOF_FIT_NONE) {
        a->verdict = LLMROOF_VERDICT_NO_FIT;
        if (t && t->headroom < 0) {
            a->shortfall = t->headroom == INT64_MIN ? INT64_MAX : -t->headroom;
            snprintf(a->short_device, sizeof a->short_device, "%s", t->device);
        }
        return;
    }
    if ((r->fit == LLMROOF_FIT_STORAGE && (pr->flags & LLMROOF_PICK_NO_STORAGE)) ||
        (r->fit == LLMROOF_FIT_OFFLOAD && (pr->flags & LLMROOF_PICK_NO_OFFLOAD))) {
        a->verdict = LLMROOF_VERDICT_OFFLOAD;
        return;
    }
    const llmroof_tier *g = tightest(r, 1);
    /* Saturating: a headroom above INT64_MAX bytes is still a headroom. */
    int64_t want = pr->headroom > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)pr->headroom;
    if (g && want > 0 && g->headroom < want) {
        a->verdict = LLMROOF_VERDICT_HEADROOM;
        a->shortfall = g->headroom < 0 && want > INT64_MAX + g->headroom ? INT64_MAX
                                                                         : want - g->headroom;
        snprintf(a->short_device, sizeof a->short_device, "%s", g->device);
        return;
    }
    double rd = ratio(pr->min_decode_tps, r->decode_tps, 0);
    double rp = ratio(pr->min_prefill_tps, r->prefill_tps, 0);
    double rt = ratio(pr->max_ttft, r->ttft, 1);
    a->miss = rd > rp ? rd : rp;
    if (rt > a->miss)
        a->miss = rt;
    if (rd > 1)
        a->verdict = LLMROOF_VERDICT_SLOW_DECODE;
    else if (rp > 1)
        a->verdict = LLMROOF_VERDICT_SLOW_PREFILL;
    else if (rt > 1)
        a->verdict = LLMROOF_VERDICT_SLOW_TTFT;
    else
        a->verdict = LLMROOF_VERDICT_MEETS;
}

/* One estimate; an engine that cannot run the quant or split is a verdict,
 * not an error. */
static llmroof_status try_one(const llmroof_catalog *cat, const llmroof_pick_request *pr,
                              attempt *a, llmroof_error *err)
{
    llmroof_result_init(&a->res);
    llmroof_error e;
    llmroof_error_init(&e);
    llmroof_status st = llmroof_estimate(cat, &a->req, &a->res, &e);
    if (st == LLMROOF_E_UNSUPPORTED) {
        a->verdict = LLMROOF_VERDICT_UNSUPPORTED;
        a->miss = INFINITY;
        snprintf(a->short_device, sizeof a->short_device, "%s", "");
        return LLMROOF_OK;
    }
    if (st != LLMROOF_OK) {
        if (err && err->code == LLMROOF_OK)
            *err = e;
        return st;
    }
    judge(pr, a);
    return LLMROOF_OK;
}

/* Whether b is a better attempt than a for the same quant. */
static int better(const attempt *a, const attempt *b)
{
    int ra = verdict_rank(a->verdict), rb = verdict_rank(b->verdict);
    if (rb != ra)
        return rb < ra;
    if (b->miss != a->miss)
        return b->miss < a->miss;
    return b->res.decode_tps > a->res.decode_tps;
}

/* The largest context >= lo (a multiple of 256 above the workload) below
 * `hi` that keeps everything on the GPUs, or 0. */
static llmroof_status shrink_ctx(const llmroof_catalog *cat, const llmroof_pick_request *pr,
                                 attempt *a, uint32_t lo, uint32_t hi, int *found,
                                 llmroof_error *err)
{
    *found = 0;
    uint32_t need = a->req.depth + (a->req.prompt > a->req.gen ? a->req.prompt : a->req.gen);
    if (lo < need)
        lo = need;
    lo = (lo + 255) / 256 * 256;
    if (lo >= hi)
        return LLMROOF_OK;
    attempt t = *a;
    t.req.ctx = lo;
    llmroof_status st = try_one(cat, pr, &t, err);
    if (st != LLMROOF_OK || t.res.fit != LLMROOF_FIT_GPU)
        return st;
    /* Fit only shrinks with the context: binary search on 256-token steps. */
    uint32_t good = lo, bad = hi;
    attempt best = t;
    while (bad - good > 256) {
        uint32_t mid = good + (bad - good) / 2 / 256 * 256;
        if (mid <= good)
            mid = good + 256;
        t.req.ctx = mid;
        if ((st = try_one(cat, pr, &t, err)) != LLMROOF_OK)
            return st;
        if (t.res.fit == LLMROOF_FIT_GPU) {
            good = mid;
            best = t;
        } else {
            bad = mid;
        }
    }
    *a = best;
    a->flags |= LLMROOF_PICK_CTX_SHRUNK;
    *found = 1;
    return LLMROOF_OK;
}

/* Weighs one quant: for each KV type allowed, most precise first, all on
 * the GPUs at the context asked, then at a shrunk context, then with
 * offload; the first configuration that meets every target wins, else the
 * most promising miss is kept. */
static llmroof_status weigh(const llmroof_catalog *cat, const llmroof_pick_request *pr,
                            const char *quant, attempt *out, llmroof_error *err)
{
    int have = 0;
    uint32_t kv_mask = pr->kv_types ? pr->kv_types : 1u << LLMROOF_KV_F16;
    for (size_t k = 0; k < KV_ORDER_N; k++) {
        if (!(kv_mask & (1u << kv_order[k])))
            continue;
        attempt a;
        a.req = pr->base;
        snprintf(a.req.quant, sizeof a.req.quant, "%s", quant);
        a.req.kv_type = kv_order[k];
        a.req.gpu_layers = -1;
        a.flags = kv_order[k] == LLMROOF_KV_F16 || kv_order[k] == LLMROOF_KV_F32 ||
                          kv_order[k] == LLMROOF_KV_BF16
                      ? 0
                      : LLMROOF_PICK_KV_QUANTIZED;
        llmroof_status st = try_one(cat, pr, &a, err);
        if (st != LLMROOF_OK)
            return st;
        if (a.verdict == LLMROOF_VERDICT_UNSUPPORTED) {
            if (!have)
                *out = a, have = 1;
            break;
        }
        /* Not all on the GPUs: llama.cpp's --fit shrinks the context before
         * it offloads layers; so do we, down to min_ctx. */
        if (a.res.fit != LLMROOF_FIT_GPU && pr->min_ctx > 0 && a.res.ctx > pr->min_ctx) {
            attempt s = a;
            int found;
            if ((st = shrink_ctx(cat, pr, &s, pr->min_ctx, a.res.ctx, &found, err)) != LLMROOF_OK)
                return st;
            if (found && (s.verdict == LLMROOF_VERDICT_MEETS || better(&a, &s)))
                a = s;
        }
        if (!have || better(out, &a))
            *out = a, have = 1;
        if (out->verdict == LLMROOF_VERDICT_MEETS)
            break;
    }
    if (!have) { /* no KV type allowed: judged at f16 */
        out->req = pr->base;
        snprintf(out->req.quant, sizeof out->req.quant, "%s", quant);
        out->req.kv_type = LLMROOF_KV_F16;
        out->req.gpu_layers = -1;
        out->flags = 0;
        return try_one(cat, pr, out, err);
    }
    return LLMROOF_OK;
}

/* Ranking before any estimate: known quality first, lower loss first;
 * unknown quality after, more bits first; then the id (docs/pick.md). */
static int ranks_before(const llmroof_quant *a, const llmroof_quant *b)
{
    int ka = a->quality >= 0, kb = b->quality >= 0;
    if (ka != kb)
        return ka;
    if (ka && a->quality != b->quality)
        return a->quality < b->quality;
    if (a->bpw != b->bpw)
        return a->bpw > b->bpw;
    return strcmp(a->id, b->id) < 0;
}

static int loads(const llmroof_engine *e, const llmroof_quant *q)
{
    if (!e || e->format_count == 0 || q->format[0] == '\0')
        return 1;
    for (uint32_t i = 0; i < e->format_count && i < LLMROOF_MAX_FORMATS; i++)
        if (strncmp(e->formats[i], q->format, LLMROOF_FORMAT_MAX) == 0)
            return 1;
    return 0;
}

static void describe(const llmroof_pick_request *pr, const attempt *a, const char *chosen,
                     llmroof_candidate *c)
{
    const llmroof_result *r = &a->res;
    char where[96] = "";
    if (r->fit == LLMROOF_FIT_GPU)
        snprintf(where, sizeof where, "all %d layers on the GPU", r->gpu_layers);
    else if (r->fit == LLMROOF_FIT_OFFLOAD)
        snprintf(where, sizeof where, "%d of %u layers on the GPU, the rest in host RAM",
                 r->gpu_layers, r->layers + 1);
    else if (r->fit == LLMROOF_FIT_STORAGE)
        snprintf(where, sizeof where, "weights partly paged from storage");
    char extra[96] = "";
    if (a->flags & LLMROOF_PICK_CTX_SHRUNK)
        snprintf(extra, sizeof extra, ", context shrunk to %u", r->ctx);
    if (a->flags & LLMROOF_PICK_KV_QUANTIZED)
        snprintf(extra + strlen(extra), sizeof extra - strlen(extra), ", KV cache %s",
                 llmroof_kv_type_string(r->kv_type));
    switch (c->verdict) {
    case LLMROOF_VERDICT_CHOSEN:
        snprintf(c->reason, sizeof c->reason, "best quality that meets every target: %.1f tok/s, %s%s",
                 r->decode_tps, where, extra);
        break;
    case LLMROOF_VERDICT_MEETS:
        snprintf(c->reason, sizeof c->reason, "meets every target (%.1f tok/s) but ranks below %s",
                 r->decode_tps, chosen);
        break;
    case LLMROOF_VERDICT_NOT_TRIED:
        snprintf(c->reason, sizeof c->reason, "lower quality than the chosen %s", chosen);
        break;
    case LLMROOF_VERDICT_NO_FIT:
        if (a->short_device[0])
            snprintf(c->reason, sizeof c->reason, "does not fit: short by %.1f GiB on %s",
                     (double)a->shortfall / GiB, a->short_device);
        else
            snprintf(c->reason, sizeof c->reason, "does not fit");
        break;
    case LLMROOF_VERDICT_OFFLOAD:
        snprintf(c->reason, sizeof c->reason, "fits only with %s, which the request refuses",
                 r->fit == LLMROOF_FIT_STORAGE ? "weights paged from storage"
                                               : "layers in host RAM");
        break;
    case LLMROOF_VERDICT_HEADROOM:
        snprintf(c->reason, sizeof c->reason, "leaves %.2f GiB less free than asked on %s",
                 (double)a->shortfall / GiB, a->short_device);
        break;
    case LLMROOF_VERDICT_SLOW_DECODE:
        snprintf(c->reason, sizeof c->reason, "decode %.1f tok/s < target %g (%s%s)",
                 r->decode_tps, pr->min_decode_tps, where, extra);
        break;
    case LLMROOF_VERDICT_SLOW_PREFILL:
        snprintf(c->reason, sizeof c->reason, "prefill %.0f tok/s < target %g", r->prefill_tps,
                 pr->min_prefill_tps);
        break;
    case LLMROOF_VERDICT_SLOW_TTFT:
        snprintf(c->reason, sizeof c->reason, "time to first token %.2f s > target %g s", r->ttft,
                 pr->max_ttft);
        break;
    default:
        snprintf(c->reason, sizeof c->reason, "the engine cannot run this quant");
        break;
    }
}

static void fill(const llmroof_quant *q, const attempt *a, llmroof_candidate *c)
{
    memset(c, 0, sizeof *c);
    snprintf(c->quant, sizeof c->quant, "%s", q->id);
    c->quality = q->quality;
    c->bpw = q->bpw;
    if (!a) {
        c->verdict = LLMROOF_VERDICT_NOT_TRIED;
        c->kv_type = LLMROOF_KV_F16;
        c->fit = LLMROOF_FIT_NONE;
        return;
    }
    c->verdict = a->verdict;
    c->flags = a->flags;
    c->kv_type = a->req.kv_type;
    c->ctx = a->res.ctx ? a->res.ctx : a->req.ctx;
    c->split = a->res.split;
    c->gpu_layers = a->res.gpu_layers;
    c->fit = a->res.fit;
    c->decode_tps = a->res.decode_tps;
    c->prefill_tps = a->res.prefill_tps;
    c->ttft = a->res.ttft;
    c->total = a->res.total;
    c->shortfall = a->shortfall;
    snprintf(c->short_device, sizeof c->short_device, "%s", a->short_device);
}

/* What to relax when nothing meets the targets. */
static void advise(const llmroof_pick_request *pr, const attempt *near, const char *quant,
                   char *out, size_t n)
{
    size_t len = 0;
#define ADD(...)                                                                                \
    do {                                                                                        \
        if (len < n) {                                                                          \
            int w_ = snprintf(out + len, n - len, __VA_ARGS__);                                 \
            if (w_ > 0)                                                                         \
                len += (size_t)w_;                                                              \
        }                                                                                       \
    } while (0)
    if (!near) {
        ADD("nothing runs: the engine cannot run any quant asked for");
        return;
    }
    const llmroof_result *r = &near->res;
    switch (near->verdict) {
    case LLMROOF_VERDICT_NO_FIT:
        ADD("nothing fits; the nearest, %s, is short by %.1f GiB on %s", quant,
            (double)near->shortfall / GiB, near->short_device[0] ? near->short_device : "memory");
        break;
    case LLMROOF_VERDICT_OFFLOAD:
        ADD("nothing fits on the GPUs alone; %s needs %s", quant,
            r->fit == LLMROOF_FIT_STORAGE ? "weights paged from storage" : "layers in host RAM");
        break;
    case LLMROOF_VERDICT_HEADROOM:
        ADD("%s leaves %.2f GiB less free than asked on %s", quant,
            (double)near->shortfall / GiB, near->short_device);
        break;
    case LLMROOF_VERDICT_SLOW_DECODE:
        ADD("the closest, %s, decodes %.1f tok/s < %g", quant, r->decode_tps, pr->min_decode_tps);
        break;
    case LLMROOF_VERDICT_SLOW_PREFILL:
        ADD("the closest, %s, processes prompts at %.0f tok/s < %g", quant, r->prefill_tps,
            pr->min_prefill_tps);
        break;
    case LLMROOF_VERDICT_SLOW_TTFT:
        ADD("the closest, %s, starts answering after %.2f s > %g s", quant, r->ttft, pr->max_ttft);
        break;
    default: ADD("the engine cannot run the quants asked for"); break;
    }
    const char *tips[8];
    int nt = 0;
    if (near->verdict >= LLMROOF_VERDICT_SLOW_DECODE && near->verdict <= LLMROOF_VERDICT_SLOW_TTFT)
        tips[nt++] = "a lower target";
    if (pr->min_ctx == 0 && r->fit != LLMROOF_FIT_GPU)
        tips[nt++] = "a shorter context (min_ctx)";
    if (!(pr->kv_types & (1u << LLMROOF_KV_Q8_0)) && r->fit != LLMROOF_FIT_GPU)
        tips[nt++] = "a q8_0 KV cache";
    if ((pr->flags & LLMROOF_PICK_NO_OFFLOAD) &&
        (near->verdict == LLMROOF_VERDICT_OFFLOAD || near->verdict == LLMROOF_VERDICT_NO_FIT))
        tips[nt++] = "offload to host RAM";
    if (near->verdict == LLMROOF_VERDICT_HEADROOM)
        tips[nt++] = "less headroom";
    if ((pr->flags & LLMROOF_PICK_NO_STORAGE) && r->fit == LLMROOF_FIT_STORAGE)
        tips[nt++] = "paging weights from storage (very slow)";
    if (pr->quant_count > 0)
        tips[nt++] = "more quants to choose from";
    tips[nt++] = "a machine with more memory or bandwidth";
    ADD("; to relax: ");
    for (int i = 0; i < nt; i++)
        ADD("%s%s", i == 0 ? "" : i == nt - 1 ? " or " : ", ", tips[i]);
#undef ADD
}

static llmroof_status pick(const llmroof_catalog *cat, const llmroof_pick_request *req,
                           llmroof_pick_result *res, llmroof_error *err);

/* The reasons and the advice hold numbers: written the C way whatever the
 * process's LC_NUMERIC (issue 14). */
llmroof_status llmroof_pick(const llmroof_catalog *cat, const llmroof_pick_request *req,
                            llmroof_pick_result *res, llmroof_error *err)
{
    locale_t old = llmroof__c_numeric_begin();
    llmroof_status st = pick(cat, req, res, err);
    llmroof__c_numeric_end(old);
    return st;
}

static llmroof_status pick(const llmroof_catalog *cat, const llmroof_pick_request *req,
                           llmroof_pick_result *res, llmroof_error *err)
{
    if (!cat || !req || !res)
        return llmroof__fail(err, LLMROOF_E_INVALID_ARGUMENT, NULL, 0, 0,
                             "llmroof_pick: catalog, request and result must not be NULL");
    if (req->size != sizeof *req || res->size != sizeof *res || req->base.size != sizeof req->base)
        return llmroof__fail(err, LLMROOF_E_INVALID_ARGUMENT, NULL, 0, 0,
                             "llmroof_pick: bad size field (call llmroof_pick_request_init / "
                             "llmroof_pick_result_init)");
    if (!LLMROOF__RESERVED_ZERO(req->reserved_u32))
        return llmroof__fail(err, LLMROOF_E_INVALID_ARGUMENT, NULL, 0, 0,
                             "pick request: reserved fields must be zero");
    if (req->flags & ~(LLMROOF_PICK_NO_OFFLOAD | LLMROOF_PICK_NO_STORAGE))
        return llmroof__fail(err, LLMROOF_E_INVALID_ARGUMENT, NULL, 0, 0,
                             "pick request: unknown flag bits 0x%x", (unsigned)req->flags);
    if (req->quant_count > LLMROOF_MAX_CANDIDATES)
        return llmroof__fail(err, LLMROOF_E_INVALID_ARGUMENT, NULL, 0, 0,
                             "pick request: %u quants, at most %d", (unsigned)req->quant_count,
                             LLMROOF_MAX_CANDIDATES);
    if (req->kv_types >> LLMROOF_KV_TYPE_COUNT)
        return llmroof__fail(err, LLMROOF_E_INVALID_ARGUMENT, NULL, 0, 0,
                             "pick request: kv_types has bits beyond the known KV types");
    if (!(req->min_decode_tps >= 0) || !(req->min_prefill_tps >= 0) || !(req->max_ttft >= 0) ||
        !isfinite(req->min_decode_tps) || !isfinite(req->min_prefill_tps) ||
        !isfinite(req->max_ttft))
        return llmroof__fail(err, LLMROOF_E_INVALID_ARGUMENT, NULL, 0, 0,
                             "pick request: targets must be finite numbers >= 0");
    const char *eid = req->base.engine[0] ? req->base.engine : "llama.cpp";
    const llmroof_engine *engine = llmroof__find_engine(cat, eid);
    if (!engine)
        return llmroof__fail(err, LLMROOF_E_NOT_FOUND, NULL, 0, 0, "unknown engine '%.63s'", eid);
    if (!llmroof__find_system(cat, req->base.system))
        return llmroof__fail(err, LLMROOF_E_NOT_FOUND, NULL, 0, 0, "unknown system '%.63s'",
                             req->base.system);
    if (!llmroof__find_model(cat, req->base.model))
        return llmroof__fail(err, LLMROOF_E_NOT_FOUND, NULL, 0, 0, "unknown model '%.63s'",
                             req->base.model);

    /* The candidates, ranked before anything is estimated. */
    const llmroof_quant *qs[LLMROOF_MAX_CANDIDATES];
    uint32_t n = 0;
    if (req->quant_count > 0) {
        for (uint32_t i = 0; i < req->quant_count; i++) {
            char id[LLMROOF_ID_MAX];
            snprintf(id, sizeof id, "%.*s", LLMROOF_ID_MAX - 1, req->quants[i]);
            const llmroof_quant *q = llmroof__find_quant(cat, id);
            if (!q)
                return llmroof__fail(err, LLMROOF_E_NOT_FOUND, NULL, 0, 0,
                                     "unknown quant '%s'", id);
            int dup = 0;
            for (uint32_t j = 0; j < n; j++)
                dup |= qs[j] == q;
            if (!dup)
                qs[n++] = q;
        }
    } else {
        uint32_t total = llmroof_catalog_count(cat, LLMROOF_SECTION_QUANTS);
        for (uint32_t i = 0; i < total; i++) {
            const llmroof_quant *q =
                llmroof__find_quant(cat, llmroof_catalog_id(cat, LLMROOF_SECTION_QUANTS, i));
            if (!q || !loads(engine, q))
                continue;
            /* Keep the LLMROOF_MAX_CANDIDATES best-ranked. */
            if (n < LLMROOF_MAX_CANDIDATES) {
                qs[n++] = q;
            } else {
                uint32_t worst = 0;
                for (uint32_t j = 1; j < n; j++)
                    if (ranks_before(qs[worst], qs[j]))
                        worst = j;
                if (ranks_before(q, qs[worst]))
                    qs[worst] = q;
            }
        }
    }
    for (uint32_t i = 1; i < n; i++) { /* insertion sort: n <= 64 */
        const llmroof_quant *q = qs[i];
        uint32_t j = i;
        while (j > 0 && ranks_before(q, qs[j - 1])) {
            qs[j] = qs[j - 1];
            j--;
        }
        qs[j] = q;
    }

    llmroof_pick_result_init(res);
    res->candidate_count = n;
    /* Weigh in rank order until one meets every target; candidates of the
     * same quality are all weighed, and the fastest of them wins. */
    int32_t chosen = -1, near = -1;
    attempt best_near, best_chosen, a;
    memset(&best_near, 0, sizeof best_near);
    memset(&best_chosen, 0, sizeof best_chosen);
    for (uint32_t i = 0; i < n; i++) {
        if (chosen >= 0 && (qs[i]->quality != qs[chosen]->quality ||
                            (qs[i]->quality < 0 && qs[i]->bpw != qs[chosen]->bpw))) {
            fill(qs[i], NULL, &res->candidates[i]);
            continue;
        }
        llmroof_status st = weigh(cat, req, qs[i]->id, &a, err);
        if (st != LLMROOF_OK)
            return st;
        fill(qs[i], &a, &res->candidates[i]);
        if (a.verdict == LLMROOF_VERDICT_MEETS) {
            if (chosen < 0 || a.res.decode_tps > best_chosen.res.decode_tps) {
                if (chosen >= 0)
                    res->candidates[chosen].verdict = LLMROOF_VERDICT_MEETS;
                chosen = (int32_t)i;
                best_chosen = a;
            }
        } else if (a.verdict != LLMROOF_VERDICT_UNSUPPORTED &&
                   (near < 0 || better(&best_near, &a))) {
            near = (int32_t)i;
            best_near = a;
        }
    }
    const char *chosen_id = chosen >= 0 ? qs[chosen]->id : "";
    if (chosen >= 0)
        res->candidates[chosen].verdict = LLMROOF_VERDICT_CHOSEN;
    for (uint32_t i = 0; i < n; i++) {
        llmroof_candidate *c = &res->candidates[i];
        if (c->verdict == LLMROOF_VERDICT_NOT_TRIED) {
            snprintf(c->reason, sizeof c->reason, "lower quality than the chosen %s", chosen_id);
            continue;
        }
        /* Re-describe from the candidate's own figures. */
        attempt v;
        memset(&v, 0, sizeof v);
        v.verdict = c->verdict;
        v.flags = c->flags;
        v.shortfall = c->shortfall;
        snprintf(v.short_device, sizeof v.short_device, "%s", c->short_device);
        llmroof_result_init(&v.res);
        v.res.fit = c->fit;
        v.res.ctx = c->ctx;
        v.res.kv_type = c->kv_type;
        v.res.gpu_layers = c->gpu_layers;
        v.res.layers = llmroof__find_model(cat, req->base.model)->layers;
        v.res.decode_tps = c->decode_tps;
        v.res.prefill_tps = c->prefill_tps;
        v.res.ttft = c->ttft;
        describe(req, &v, chosen_id, c);
    }
    const attempt *pick = chosen >= 0 ? &best_chosen : near >= 0 ? &best_near : NULL;
    res->chosen = chosen;
    res->closest = chosen >= 0 ? chosen : near;
    if (pick) {
        res->flags = pick->flags;
        res->request = pick->req;
        res->estimate = pick->res;
    }
    if (chosen < 0)
        advise(req, near >= 0 ? &best_near : NULL, near >= 0 ? qs[near]->id : "", res->advice,
               sizeof res->advice);
    return LLMROOF_OK;
}

static size_t llama_args(const llmroof_pick_result *res, char *buf, size_t size);

size_t llmroof_pick_llama_args(const llmroof_pick_result *res, char *buf, size_t size)
{
    locale_t old = llmroof__c_numeric_begin();
    size_t n = llama_args(res, buf, size);
    llmroof__c_numeric_end(old);
    return n;
}

static size_t llama_args(const llmroof_pick_result *res, char *buf, size_t size)
{
    if (buf && size)
        buf[0] = '\0';
    if (!res || res->size != sizeof *res || res->closest < 0)
        return 0;
    const llmroof_request *q = &res->request;
    const llmroof_result *r = &res->estimate;
    char text[512];
    size_t len = 0;
#define PUT(...)                                                                                \
    do {                                                                                        \
        int w_ = snprintf(text + len, sizeof text - len, __VA_ARGS__);                          \
        if (w_ > 0)                                                                             \
            len = len + (size_t)w_ < sizeof text ? len + (size_t)w_ : sizeof text - 1;          \
    } while (0)
    const char *kv = llmroof_kv_type_string(r->kv_type);
    PUT("-ngl %d -c %u -ctk %s -ctv %s -fa %s", r->gpu_layers, r->ctx, kv, kv,
        q->flash_attention ? "on" : "off");
    uint32_t gpus = 0;
    for (uint32_t i = 0; i < r->tier_count && i < LLMROOF_MAX_TIERS; i++)
        if (r->tiers[i].kind == LLMROOF_TIER_ACCELERATOR)
            gpus++;
    if (gpus > 1) {
        PUT(" --split-mode %s -ts ", llmroof_split_string(r->split));
        uint32_t k = 0;
        for (uint32_t i = 0; i < r->tier_count && i < LLMROOF_MAX_TIERS; i++) {
            const llmroof_tier *t = &r->tiers[i];
            if (t->kind != LLMROOF_TIER_ACCELERATOR)
                continue;
            /* Layer split: the layers each GPU holds; row split: its share
             * of the weights. */
            double v = r->split == LLMROOF_SPLIT_LAYER ? (double)t->layers
                                                        : (double)t->weights / (1024.0 * 1024.0);
            PUT("%s%.0f", k++ ? "," : "", v);
        }
    }
    if (q->ubatch != 512)
        PUT(" -ub %u", q->ubatch);
    if (q->batch > 1)
        PUT(" -np %u", q->batch);
#undef PUT
    if (buf && size) {
        size_t c = len < size - 1 ? len : size - 1;
        memcpy(buf, text, c);
        buf[c] = '\0';
    }
    return len;
}
