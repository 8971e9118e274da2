/* Time per decode step and per prompt: a bandwidth/compute roofline per
 * tier, combined by the split mode, plus link transfers (docs/model.md
 * "Decode", "Prefill", "Links"). */
#include <math.h>
#include <string.h>

#include "model.h"

#define NRES 8

typedef struct step {
    double time;                      /* estimate, seconds */
    double bound;                     /* efficiency 1, no fixed overheads */
    double link;                      /* of time: link transfers and syncs */
    double tier[LLMROOF_MAX_TIERS];
    double tier_bound[LLMROOF_MAX_TIERS];
    double tier_bytes[LLMROOF_MAX_TIERS];
    int32_t tier_by[LLMROOF_MAX_TIERS];
    double res[NRES];                 /* time attributed to each llmroof_resource */
} step;

static double safe_div(double a, double b) { return b > 0 ? a / b : 0.0; }

/* Bandwidth a backend's kernels achieve on a device: min(eta x peak, cap)
 * (docs/model.md §5). */
static double achieved(const llmroof_engine_backend *b, double bw, double eta)
{
    double a = bw * eta;
    return b->bandwidth_cap > 0 && b->bandwidth_cap < a ? b->bandwidth_cap : a;
}

/* One tier's roofline: max(bytes / BW_achieved, FLOPs / (F_run eta_c)) +
 * fixed, F_run the compute rate the device's power sustains; the bound uses
 * the peaks. */
static void tier_time(double bytes, double flops, double bw, double bw_achieved, double f,
                      double f_run, double eta_f, double fixed, int32_t mem_res, double *t,
                      double *bound, int32_t *by)
{
    double tm = safe_div(bytes, bw_achieved), tc = safe_div(flops, f_run * eta_f);
    double bm = safe_div(bytes, bw), bc = safe_div(flops, f);
    /* A tiny peak times its efficiency can underflow to 0, which safe_div
     * takes for "unknown": no term is faster than at its peak. */
    if (tm < bm)
        tm = bm;
    if (tc < bc)
        tc = bc;
    *t = (tm > tc ? tm : tc) + fixed;
    *bound = bm > bc ? bm : bc;
    *by = tm >= tc ? mem_res : LLMROOF_RESOURCE_COMPUTE;
    if (fixed > (tm > tc ? tm : tc))
        *by = LLMROOF_RESOURCE_OVERHEAD;
}

/* Fixed cost of one transfer over a link: the link's latency, plus for a
 * hop between pipeline stages the engine's per-hop overhead (a graph split:
 * stream synchronisation and copy launch).  NULL link (unified memory): 0. */
static double per_transfer(const llmroof__placement *p, const llmroof_link *l)
{
    return l ? l->latency + p->hop_overhead : 0.0;
}

static double per_sync(const llmroof_link *l) { return l ? l->latency : 0.0; }

/* The fixed cost of one transfer: with the engine's hop overhead when it
 * passes work between two tiers that both compute layers (a graph split),
 * the link's latency alone for a copy of the input embeddings or of the
 * logits to or from a host that computes no layer (docs/model.md §5). */
static double transfer_fixed(const llmroof__placement *p, const llmroof_link *l, int hop)
{
    return hop ? per_transfer(p, l) : per_sync(l);
}

/* One transfer of `bytes` over a link, a hop or a copy (transfer_fixed);
 * NULL link (unified memory): free. */
static double xfer(const llmroof__placement *p, const llmroof_link *l, double bytes, int hop,
                   double *bound)
{
    if (!l)
        return 0.0;
    double t = safe_div(bytes, l->bandwidth);
    *bound += t;
    return t + transfer_fixed(p, l, hop);
}

/* Does the host tier compute any layer (a partial offload)? */
static int host_computes(const llmroof__placement *p)
{
    return p->host_tier >= 0 && p->work[p->host_tier].count > 0;
}

/* KV bytes read for `count` layers at context c, all sequences. */
static double kv_read(const llmroof__shape *s, double count, double c)
{
    double swa_c = s->sliding_window && s->sliding_window < c ? s->sliding_window : c;
    double eff = (1.0 - s->sliding_fraction) * c + s->sliding_fraction * swa_c;
    return (double)s->batch * count * s->kv_token_layer * eff;
}

static int32_t mem_resource(const llmroof_tier *tr)
{
    if (tr->kind == LLMROOF_TIER_HOST)
        return LLMROOF_RESOURCE_HOST_MEMORY;
    if (tr->kind == LLMROOF_TIER_STORAGE)
        return LLMROOF_RESOURCE_STORAGE;
    return LLMROOF_RESOURCE_DEVICE_MEMORY;
}

/* Link between two stages of a layer split; -1 is the host. */
static const llmroof_link *hop_link(const llmroof__machine *m, int a, int b)
{
    return (a < 0 || b < 0) ? m->host_link : m->gpu_link;
}

/* Per-layer synchronisation of row and tensor splits over the GPU link, for
 * `tokens` tokens (docs/model.md "Links"). */
static double split_syncs(const llmroof__placement *p, const llmroof__shape *s,
                          double tokens, double rounds,
                          double *bound)
{
    const llmroof_link *l = p->machine->gpu_link;
    const double G = p->gpus;
    if (!l || G < 2)
        return 0.0;
    const double layers = p->work[0].count;
    double t = 0, bytes = 0, transfers = 0;
    if (p->split == LLMROOF_SPLIT_ROW) {
        /* llama.cpp row split: for each split matrix product the main GPU
         * sends the f32 input to each other GPU and gathers each one's slice
         * of the output (ggml_cuda_op_mul_mat: one peer copy per device and
         * direction, each with its event synchronisation): (G-1) tokens 4
         * (in + out/G) bytes in 2 (G-1) transfers. */
        const double mm[7][2] = {{(double)s->hidden, s->q_width},   {(double)s->hidden, s->kv_width}, {(double)s->hidden, s->kv_width},
                                 {s->q_width, (double)s->hidden},   {(double)s->hidden, s->ffn_width},
                                 {(double)s->hidden, s->ffn_width}, {s->ffn_width, (double)s->hidden}};
        for (int i = 0; i < 7; i++)
            bytes += (G - 1) * tokens * 4.0 * (mm[i][0] + mm[i][1] / G);
        bytes *= layers;
        transfers = layers * 7 * 2 * (G - 1) * rounds;
    } else {
        /* Tensor parallel: two ring all-reduces of f16 activations per layer,
         * each 2 (G-1)/G of the data and 2 (G-1) steps. */
        bytes = layers * 2.0 * 2.0 * (G - 1) / G * tokens * (double)s->hidden * 2.0;
        transfers = layers * 2.0 * 2.0 * (G - 1) * rounds;
    }
    t = safe_div(bytes, l->bandwidth);
    *bound += t;
    return t + transfers * per_sync(l);
}

static void add_res(step *st, int32_t r, double t)
{
    if (r >= 0 && r < NRES)
        st->res[r] += t;
}

/* Shared by decode and prefill: combine tier times by split mode, add link
 * transfers of `act_bytes` per hop, and attribute the time. */
static void combine(const llmroof__placement *p, const llmroof__shape *s,
                    const llmroof_result *res, step *st,
                    double tokens, double act_bytes, double out_bytes, double rounds,
                    int pipeline_chunks)
{
    const llmroof__machine *m = p->machine;
    const uint32_t G = p->gpus;
    double link_bound = 0, link_gpu = 0, link_host = 0;

    /* Host, then storage pages, always run before the accelerators. */
    double seq = 0, seq_bound = 0;
    for (uint32_t i = G; i < res->tier_count; i++) {
        seq += st->tier[i];
        seq_bound += st->tier_bound[i];
        add_res(st, st->tier_by[i], st->tier[i]);
    }
    double gpu = 0, gpu_bound = 0;
    if (p->split == LLMROOF_SPLIT_LAYER) {
        double mx = 0;
        int32_t last = -1;
        int stages = 0;
        for (uint32_t g = 0; g < G; g++) {
            if (st->tier[g] <= 0 && p->work[g].count == 0 && !p->work[g].has_output)
                continue;
            gpu += st->tier[g];
            gpu_bound += st->tier_bound[g];
            add_res(st, st->tier_by[g], st->tier[g]);
            if (st->tier[g] > mx)
                mx = st->tier[g];
            /* Activations cross a link between consecutive stages. */
            const llmroof_link *l = hop_link(m, last, (int)g);
            const int hop = last >= 0 || host_computes(p);
            double t = xfer(p, l, act_bytes, hop, &link_bound) +
                       (rounds - 1) * transfer_fixed(p, l, hop);
            if (last < 0)
                link_host += t;
            else
                link_gpu += t;
            last = (int32_t)g;
            stages++;
        }
        /* llama.cpp pipelines ubatches across GPUs in prompt processing
         * (pipeline parallelism, n_copies): stages overlap after the first
         * chunk. */
        if (pipeline_chunks > 1 && stages > 1) {
            double k = pipeline_chunks;
            gpu = gpu / k + (k - 1) * mx / k;
            gpu_bound = gpu_bound / k + (k - 1) * gpu_bound / stages / k;
        }
    } else {
        int32_t mxg = 0;
        for (uint32_t g = 0; g < G; g++) {
            if (st->tier[g] > gpu)
                gpu = st->tier[g], mxg = (int32_t)g;
            if (st->tier_bound[g] > gpu_bound)
                gpu_bound = st->tier_bound[g];
        }
        if (G > 0)
            add_res(st, st->tier_by[mxg], gpu);
        link_host += xfer(p, m->host_link, act_bytes, host_computes(p), &link_bound);
        link_gpu += split_syncs(p, s, tokens, rounds, &link_bound);
    }
    /* Logits come back to the host when the output head is on a GPU; when
     * it is on the host after GPU layers, activations go back instead. */
    if (G > 0 && p->work[p->host_tier].has_output && p->gpu_layers > 0)
        link_host += xfer(p, m->host_link, act_bytes, 1, &link_bound);
    else if (G > 0 && !p->work[p->host_tier].has_output)
        link_host += xfer(p, m->host_link, out_bytes, 0, &link_bound);

    add_res(st, LLMROOF_RESOURCE_GPU_LINK, link_gpu);
    add_res(st, LLMROOF_RESOURCE_HOST_LINK, link_host);
    st->link = link_gpu + link_host;
    st->time = seq + gpu + st->link;
    st->bound = seq_bound + gpu_bound + link_bound;
}

/* Score-matrix traffic without flash attention: separate memory-bound
 * kernels (softmax, the KQ and KQV products' f32 operands), so their time
 * adds to the tier's matrix-product time rather than overlapping it. */
static void add_scores(step *st, uint32_t i, double bytes, double bw_peak, double bw)
{
    if (bytes <= 0)
        return;
    double t = safe_div(bytes, bw), bound = safe_div(bytes, bw_peak);
    st->tier[i] += t > bound ? t : bound; /* bw * eta may underflow to 0, as in tier_time */
    st->tier_bound[i] += bound;
    st->tier_bytes[i] += bytes;
}

/* Host-RAM layers of an engine that streams them (offloaded_layers:
 * stream-over-link) are copied to the main GPU and computed there every
 * pass: the tier runs at the host link's bandwidth with the GPU's backend. */
static int streams(const llmroof__placement *p, const llmroof_tier *tr)
{
    return tr->kind == LLMROOF_TIER_HOST && p->gpus > 0 && p->machine->host_link &&
           p->engine->offloaded_layers == LLMROOF_OFFLOAD_STREAM;
}

static int measured(const llmroof_device *d)
{
    return d->bandwidth_kind == LLMROOF_BANDWIDTH_MEASURED;
}

/* The fraction of the device's bandwidth the backend's kernels reach: the
 * peak-fitted eta of the quant's kernel class, or for a measured bandwidth
 * the backend's measured_efficiency; on HBM each byte costs the backend's
 * hbm_read_penalty more byte-times at peak, 1 / eta' = 1 / eta + penalty
 * (docs/model.md §5, "Memory technology"). */
static double memory_eta(const llmroof_engine_backend *be, const llmroof_device *d,
                         const llmroof_quant *q)
{
    double eta = measured(d) ? be->measured_efficiency : llmroof__decode_efficiency(be, q);
    if (d->memory_type == LLMROOF_MEMORY_HBM && be->hbm_read_penalty > 0 && eta > 0)
        eta = 1.0 / (1.0 / eta + be->hbm_read_penalty);
    return eta;
}

llmroof_status llmroof__check_bandwidth_kinds(const llmroof__placement *p,
                                              const llmroof_result *res, llmroof_error *err)
{
    for (uint32_t i = 0; i < res->tier_count; i++) {
        const llmroof__tier_work *w = &p->work[i];
        const llmroof_tier *tr = &res->tiers[i];
        if (tr->kind == LLMROOF_TIER_STORAGE || streams(p, tr) || !w->backend ||
            (w->count == 0 && !w->has_output) || !measured(w->dev) ||
            w->backend->measured_efficiency > 0)
            continue;
        return llmroof__fail(err, LLMROOF_E_UNSUPPORTED, NULL, 0, 0,
                             "device '%s' gives a measured bandwidth, and engine '%s' has no "
                             "measured_efficiency for its %s backend (docs/model.md §5): give "
                             "the device's spec-sheet peak instead",
                             w->dev->id, p->engine->id,
                             llmroof_backend_string(w->backend->backend));
    }
    return LLMROOF_OK;
}

/* What a decode step needs that does not depend on the context: the
 * weights read and multiplied, the efficiencies (a per-kernel table lookup)
 * and fixed costs of each tier.  Computed once per estimate; decode_step()
 * then only adds the context-dependent KV and score terms, with the same
 * arithmetic (in the same order) as computing everything per step. */
typedef struct decode_tier {
    int kind;                 /* 0: skip, 1: storage, 2: memory/compute roofline */
    int stream;
    double bytes_w;           /* fraction x (layer bytes + output) */
    double flops_w;           /* fraction x 2 b x (active params + output params) */
    double kv_flops;          /* kv_fraction b count attn_flops_pair: x c */
    double score_bytes;       /* kv_fraction b count score_bytes_pair: x c */
    double bw_peak, bw, compute, eta_f, fixed;
    double compute_run;       /* compute as the device's power sustains it (sustained()) */
    double score_peak;        /* the peak of what moves the scores in the time: the
                                 device, or the link of a streamed tier */
    int32_t mem_res;
} decode_tier;

typedef struct decode_prep {
    decode_tier t[LLMROOF_MAX_TIERS];
} decode_prep;

/* FLOPs charged per weight of a tier's matrix products, in units that the
 * tier's efficiency `eta` then divides (docs/model.md §5, §6): 2 (a
 * multiply-add), except on a CPU tier for a type whose every CPU matrix
 * product runs ggml's dot-product kernel (quant cpu_dot_cost): that
 * kernel's measured cost, which already holds its inefficiency, so it is
 * multiplied by `eta` to cancel the division. */
static double flops_per_weight(const llmroof__tier_work *w, int elsewhere, const llmroof_quant *q,
                               double eta)
{
    if (elsewhere || q->cpu_dot_cost <= 0 || w->dev->kind != LLMROOF_DEVICE_CPU)
        return 2.0;
    return q->cpu_dot_cost * eta;
}

/* Fixed cost per step of `count` layers from `first`: every layer's
 * per_layer_overhead, and each mixture-of-experts layer's extra
 * moe_layer_overhead (docs/model.md §5). */
static double layers_fixed(const llmroof_engine_backend *be, const llmroof__shape *s,
                           uint32_t first, uint32_t count)
{
    return count * be->per_layer_overhead +
           llmroof__layers_moe(s, first, count) * be->moe_layer_overhead;
}

/* How many times its useful FLOPs a MoE layer's routed-expert products cost
 * in a ubatch of u tokens (docs/model.md §6): each expert gets n ~ Poisson(λ),
 * λ = u k / E, tokens, multiplied in tiles of J = min(moe_token_tile, u)
 * tokens, so E[ceil(n/J)] J / λ; E[ceil(n/J)] = P(n > 0) + sum over m >= 1
 * of P(n > m J), the tail by the normal approximation. */
static double moe_padding(const llmroof_engine_backend *be, const llmroof__shape *s, double u)
{
    const double lambda = u * s->expert_share;
    double J = be ? be->moe_token_tile : 0.0;
    if (J > u)
        J = u;
    if (J <= 1.0 || !(lambda > 0.0))
        return 1.0;
    double tiles;
    if (lambda > 64.0 * J) {
        tiles = lambda / J + 0.5; /* many tiles an expert: half a tile wasted */
    } else {
        const double sd = sqrt(lambda);
        tiles = -expm1(-lambda);
        for (double m = 1.0; m * J < lambda + 8.0 * sd + 1.0; m += 1.0)
            tiles += 0.5 * erfc((m * J + 0.5 - lambda) / (sd * 1.4142135623730951));
    }
    const double pad = tiles * J / lambda;
    return pad > 1.0 ? pad : 1.0;
}

/* The compute rate an accelerator sustains under its board power
 * (docs/model.md §6, "Power-limited compute"): a peak above power ×
 * SUSTAINED_FLOPS_PER_WATT is reached only at clocks the board cannot
 * feed; dynamic power goes as f·V² with V tracking f, so as f³, and the
 * clock the power allows is the cube root of the shortfall. */
#define SUSTAINED_FLOPS_PER_WATT 0.15e12

static double sustained(const llmroof_device *dev, double peak)
{
    if (dev->kind == LLMROOF_DEVICE_CPU || dev->kind == LLMROOF_DEVICE_STORAGE ||
        !(dev->power > 0))
        return peak;
    const double budget = dev->power * SUSTAINED_FLOPS_PER_WATT;
    return peak > budget ? peak * cbrt(budget / peak) : peak;
}

/* The compute peak a tier has: a CPU device's whole peak, or with a
 * request for fewer threads than its cores, that share of it (one thread a
 * core; more threads than cores gain nothing: docs/model.md §5). */
static double tier_compute(const llmroof_device *dev, const llmroof_engine_backend *be,
                           uint32_t threads)
{
    /* A backend that does not drive the device's matrix units: the shader
     * cores' peak (docs/model.md §6). */
    if (be && (dev->vector_backends >> be->backend & 1u))
        return dev->compute_f16_vector;
    if (dev->kind != LLMROOF_DEVICE_CPU || !dev->cores || !threads || threads >= dev->cores)
        return dev->compute_f16;
    return dev->compute_f16 * threads / dev->cores;
}

static void decode_prepare(const llmroof__placement *p, const llmroof__shape *s,
                           const llmroof_quant *q, const llmroof_request *req,
                           const llmroof_result *res, decode_prep *dp)
{
    const double b = s->batch;
    for (uint32_t i = 0; i < res->tier_count; i++) {
        const llmroof__tier_work *w = &p->work[i];
        const llmroof_tier *tr = &res->tiers[i];
        decode_tier *d = &dp->t[i];
        memset(d, 0, sizeof *d);
        if (tr->kind == LLMROOF_TIER_STORAGE) {
            d->kind = 1;
            continue;
        }
        const int stream = streams(p, tr);
        const llmroof_engine_backend *be = stream ? p->work[0].backend : w->backend;
        if (!be || (w->count == 0 && !w->has_output))
            continue; /* only the embedding row lookup: b d bytes, negligible */
        d->kind = 2;
        d->stream = stream;
        d->bytes_w = w->fraction * (llmroof__layers_decode_bytes(s, w->first, w->count) +
                                    (w->has_output ? s->output : 0.0));
        d->eta_f = llmroof__prefill_efficiency(be, q);
        d->flops_w = w->fraction * b *
                     (flops_per_weight(w, stream, q, d->eta_f) *
                          llmroof__layers_active_params(s, w->first, w->count) +
                      (w->has_output ? 2.0 * s->output_params : 0.0));
        d->kv_flops = w->kv_fraction * b * w->count * s->attn_flops_pair;
        d->score_bytes = w->kv_fraction * b * w->count * s->score_bytes_pair;
        d->fixed = layers_fixed(be, s, w->first, w->count);
        if (stream) {
            const llmroof_link *l = p->machine->host_link;
            d->bw_peak = d->bw = d->score_peak = l->bandwidth;
            d->compute = tier_compute(p->work[0].dev, be, 0);
            d->compute_run = sustained(p->work[0].dev, d->compute);
            d->mem_res = LLMROOF_RESOURCE_HOST_LINK;
        } else {
            d->bw_peak = d->score_peak = w->dev->bandwidth;
            d->bw = achieved(be, w->dev->bandwidth, memory_eta(be, w->dev, q));
            d->compute = tier_compute(w->dev, be, req->threads);
            d->compute_run = sustained(w->dev, d->compute);
            d->mem_res = mem_resource(tr);
        }
    }
}

static void decode_step(const llmroof__placement *p, const llmroof__shape *s,
                        const decode_prep *dp, const llmroof_result *res, double c, step *st)
{
    memset(st, 0, sizeof *st);
    const double b = s->batch;
    for (uint32_t i = 0; i < res->tier_count; i++) {
        const llmroof__tier_work *w = &p->work[i];
        const decode_tier *d = &dp->t[i];
        if (d->kind == 1) {
            st->tier_bytes[i] = w->paged;
            st->tier[i] = st->tier_bound[i] = safe_div(w->paged, w->dev->bandwidth);
            st->tier_by[i] = LLMROOF_RESOURCE_STORAGE;
            continue;
        }
        if (d->kind == 0)
            continue;
        double bytes = d->bytes_w + w->kv_fraction * kv_read(s, w->count, c);
        double flops = d->flops_w + d->kv_flops * c;
        st->tier_bytes[i] = bytes;
        tier_time(bytes, flops, d->bw_peak, d->bw, d->compute, d->compute_run, d->eta_f,
                  d->fixed, d->mem_res, &st->tier[i], &st->tier_bound[i], &st->tier_by[i]);
        add_scores(st, i, d->score_bytes * c, d->score_peak, d->bw);
    }
    combine(p, s, res, st, b, b * s->hidden * 4.0, b * s->vocab * 4.0, 1.0, 0);
}

static void prefill(const llmroof__placement *p, const llmroof__shape *s, const llmroof_quant *q,
                    const llmroof_request *req,
                    const llmroof_result *res, step *st)
{
    memset(st, 0, sizeof *st);
    const llmroof__machine *m = p->machine;
    const double b = s->batch, pl = req->prompt, depth = req->depth;
    const double T = b * pl;
    const double chunks = ceil(T / req->ubatch);
    /* Causal attention over the prompt: p d + p^2 / 2 (query, key) pairs. */
    const double pairs = b * (pl * depth + pl * pl / 2.0);
    /* Without flash attention each ubatch scores its queries against every
     * cell used so far, masked or not: sum over ubatches of u_j (D + end_j),
     * k - 1 full ubatches of u and a last one of r = p - (k - 1) u. */
    const double u = req->ubatch, k = ceil(pl / u), r = pl - (k - 1) * u;
    const double cells = b * ((k - 1) * u * depth + u * u * (k - 1) * k / 2.0 + r * (depth + pl));
    const llmroof__tier_work *gpu0 = p->gpus > 0 ? &p->work[0] : NULL;
    for (uint32_t i = 0; i < res->tier_count; i++) {
        const llmroof__tier_work *w = &p->work[i];
        const llmroof_tier *tr = &res->tiers[i];
        if (tr->kind == LLMROOF_TIER_STORAGE) {
            st->tier[i] = st->tier_bound[i] = safe_div(w->paged * chunks, w->dev->bandwidth);
            st->tier_by[i] = LLMROOF_RESOURCE_STORAGE;
            continue;
        }
        /* llama.cpp: for batches of 32+ tokens the GPU computes the host
         * layers, copying their weights over the host link each ubatch
         * (ggml-backend offload_op); streaming engines always do. */
        const int on_gpu = streams(p, tr) ||
                           (tr->kind == LLMROOF_TIER_HOST && gpu0 && m->host_link &&
                            p->engine->offloaded_layers == LLMROOF_OFFLOAD_HOST_COMPUTE &&
                            req->ubatch >= 32);
        const llmroof_engine_backend *be = streams(p, tr) ? gpu0->backend : w->backend;
        if (!be || (w->count == 0 && !w->has_output))
            continue;
        /* llama-bench's pp test needs the logits of each sequence's last
         * token only. */
        const llmroof_engine_backend *be_c = on_gpu ? gpu0->backend : be;
        const double eta_p = llmroof__prefill_efficiency(be_c, q);
        const double padded = llmroof__layers_moe(s, w->first, w->count) *
                              s->layer_expert_routed * (moe_padding(be_c, s, T / chunks) - 1.0);
        double flops = w->fraction * (flops_per_weight(w, on_gpu, q, eta_p) * T *
                                          (llmroof__layers_active_params(s, w->first, w->count) +
                                           padded) +
                                      (w->has_output ? 2.0 * b * s->output_params : 0.0)) +
                       w->kv_fraction * w->count * s->attn_flops_pair * pairs;
        double bytes = w->fraction * chunks *
                       (llmroof__layers_weights(s, w->first, w->count) +
                        (w->has_output ? s->output : 0.0));
        double fixed = chunks * layers_fixed(be, s, w->first, w->count);
        double bw = achieved(be, w->dev->bandwidth, memory_eta(be, w->dev, q));
        const llmroof_device *cdev = on_gpu ? gpu0->dev : w->dev;
        const double f = tier_compute(cdev, on_gpu ? gpu0->backend : be, on_gpu ? 0 : req->threads);
        const double f_run = sustained(cdev, f);
        if (on_gpu)
            tier_time(bytes, flops, m->host_link->bandwidth, m->host_link->bandwidth, f, f_run,
                      eta_p, fixed, LLMROOF_RESOURCE_HOST_LINK, &st->tier[i], &st->tier_bound[i],
                      &st->tier_by[i]);
        else
            tier_time(bytes, flops, w->dev->bandwidth, bw, f, f_run, eta_p, fixed,
                      mem_resource(tr), &st->tier[i], &st->tier_bound[i], &st->tier_by[i]);
        add_scores(st, i, w->kv_fraction * w->count * s->score_bytes_pair * cells,
                   w->dev->bandwidth, bw);
    }
    combine(p, s, res, st, T, T * s->hidden * 4.0, b * s->vocab * 4.0, chunks,
            (int)chunks);
}

static void attribute(const step *st, const llmroof_result *res, int32_t *by, int32_t *tier)
{
    int32_t best = LLMROOF_RESOURCE_NONE;
    for (int32_t r = 1; r < NRES; r++)
        if (st->res[r] > st->res[best])
            best = r;
    *by = best;
    *tier = -1;
    if (best == LLMROOF_RESOURCE_GPU_LINK || best == LLMROOF_RESOURCE_HOST_LINK)
        return;
    double mx = -1;
    for (uint32_t i = 0; i < res->tier_count; i++)
        if (st->tier[i] > mx)
            mx = st->tier[i], *tier = (int32_t)i;
}

void llmroof__roofline(const llmroof__placement *p, const llmroof__shape *s,
                       const llmroof_quant *q, const llmroof_request *req, llmroof_result *res)
{
    step st;
    decode_prep dp;
    decode_prepare(p, s, q, req, res, &dp);

    /* Decode: gen tokens, token i sees depth + i + 1 cached tokens.  The
     * step time is piecewise linear in the context, so the mean over the run
     * is exact for short runs and a 16-segment midpoint sum otherwise. */
    const uint32_t gen = req->gen ? req->gen : 1;
    const uint32_t segs = gen <= 32 ? gen : 16;
    double total = 0, total_bound = 0;
    for (uint32_t j = 0; j < segs; j++) {
        double lo = (double)gen * j / segs, hi = (double)gen * (j + 1) / segs;
        double c = req->depth + (lo + hi) / 2.0 + 0.5;
        decode_step(p, s, &dp, res, c, &st);
        total += st.time * (hi - lo);
        total_bound += st.bound * (hi - lo);
    }
    decode_step(p, s, &dp, res, req->depth + gen / 2.0 + 0.5, &st);
    for (uint32_t i = 0; i < res->tier_count; i++) {
        res->tiers[i].decode_bytes = st.tier_bytes[i];
        res->tiers[i].decode_time = st.tier[i];
        res->tiers[i].decode_bound_time = st.tier_bound[i];
        res->tiers[i].decode_bound_by = st.tier_by[i];
    }
    res->decode_step_time = st.time;
    res->decode_link_time = st.link;
    res->decode_tps = safe_div((double)s->batch * gen, total);
    res->decode_bound_tps = safe_div((double)s->batch * gen, total_bound);
    attribute(&st, res, &res->decode_bound_by, &res->decode_bound_tier);

    /* Prefill: the prompt from depth, in ubatches. */
    if (req->prompt > 0) {
        prefill(p, s, q, req, res, &st);
        for (uint32_t i = 0; i < res->tier_count; i++)
            res->tiers[i].prefill_time = st.tier[i];
        res->ttft = st.time;
        res->prefill_tps = safe_div((double)s->batch * req->prompt, st.time);
        res->prefill_bound_tps = safe_div((double)s->batch * req->prompt, st.bound);
        attribute(&st, res, &res->prefill_bound_by, &res->prefill_bound_tier);
    } else {
        res->prefill_bound_tier = -1;
    }
    res->request_time = res->ttft + safe_div((double)s->batch * gen, res->decode_tps);
}
