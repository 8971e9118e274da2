/* Layers onto devices and memory tiers, with llama.cpp's semantics by
 * default (docs/model.md "Placement"). */
#include <math.h>
#include <string.h>

#include "model.h"

const llmroof_engine_backend *llmroof__engine_backend(const llmroof_engine *e, int32_t backend)
{
    for (uint32_t i = 0; i < e->backend_count && i < LLMROOF_MAX_BACKENDS; i++)
        if (e->backends[i].backend == backend)
            return &e->backends[i];
    return NULL;
}

/* The entry of a per-kernel table for a kernel class, or dflt. */
double llmroof__kernel_efficiency(const llmroof_kernel_efficiency *table, uint32_t count,
                                  double dflt, const char *kernel)
{
    for (uint32_t i = 0; i < count && i < LLMROOF_MAX_KERNELS; i++)
        if (strcmp(table[i].kernel, kernel) == 0)
            return table[i].efficiency;
    return dflt;
}

double llmroof__decode_efficiency(const llmroof_engine_backend *b, const llmroof_quant *q)
{
    return llmroof__kernel_efficiency(b->kernels, b->kernel_count, b->decode_efficiency,
                                      q->kernel);
}

double llmroof__prefill_efficiency(const llmroof_engine_backend *b, const llmroof_quant *q)
{
    return llmroof__kernel_efficiency(b->prefill_kernels, b->prefill_kernel_count,
                                      b->prefill_efficiency, q->kernel);
}

static double clamp0(double v) { return v > 0 ? v : 0; }

/* Saturating: a KV cache near 2^64 bytes rounds up to 2^64 as a double. */
uint64_t llmroof__to_bytes(double v)
{
    return !(v > 0) ? 0 : v >= 18446744073709551616.0 ? UINT64_MAX : (uint64_t)ceil(v);
}

/* *acc += v; 0 when the sum does not fit in 64 bits. */
static int add_bytes(uint64_t *acc, uint64_t v)
{
    if (v > UINT64_MAX - *acc)
        return 0;
    *acc += v;
    return 1;
}

/* Usable bytes of accelerator i (DESIGN.md: device `reserved`; unified
 * devices get a share of the system's pool). */
double llmroof__accel_capacity(const llmroof__machine *m, uint32_t i, double share)
{
    const llmroof_device *d = m->accel[i];
    if (d->kind == LLMROOF_DEVICE_UNIFIED)
        return clamp0(floor((double)m->system->host_memory * share) - (double)d->reserved);
    return clamp0((double)d->memory - (double)d->reserved);
}

static double unified_share(const llmroof_device *d, const llmroof_request *req, int raised)
{
    if (raised)
        return d->gpu_share_max > 0 ? d->gpu_share_max : d->gpu_share;
    return req->gpu_share > 0 ? req->gpu_share : d->gpu_share;
}

/* Bytes that each accelerator and the host hold for a given -ngl. */
typedef struct usage {
    double gpu[LLMROOF_MAX_DEVICES][4]; /* weights, kv, compute, overhead */
    uint32_t first[LLMROOF_MAX_DEVICES], count[LLMROOF_MAX_DEVICES];
    int out_gpu;                        /* accelerator holding the output, or -1 */
    double host[4];
    uint32_t host_layers;
} usage;

enum { W = 0, KV = 1, CB = 2, OH = 3 };

static double kv_of(const llmroof__shape *s, uint32_t count)
{
    return s->layers ? (double)s->kv_total * count / s->layers : 0.0;
}

/* llama.cpp's layer assignment (llama-model.cpp, load_tensors): repeating
 * layer il >= start goes to the first device g whose cumulative split
 * fraction exceeds (il - start) / act, act = min(ngl, layers + 1); the output
 * head is "layer" n_layer. */
static uint32_t device_of(const double *cum, uint32_t gpus, double x)
{
    for (uint32_t g = 0; g < gpus; g++)
        if (x < cum[g])
            return g;
    return gpus - 1;
}

static void compute_usage(const llmroof__placement *p, const llmroof__shape *s,
                          const double *cum, const double *ratio,
                          int32_t ngl, usage *u)
{
    const uint32_t L = s->layers, G = p->gpus;
    memset(u, 0, sizeof *u);
    uint32_t rep = (uint32_t)ngl < L ? (uint32_t)ngl : L;
    uint32_t start = L - rep;
    int out_on_gpu = (uint32_t)ngl > L && G > 0;
    u->host_layers = start;
    u->out_gpu = -1;
    const uint32_t act = (uint32_t)ngl < L + 1 ? (uint32_t)ngl : L + 1;

    if (G > 0 && rep > 0 && p->split == LLMROOF_SPLIT_LAYER) {
        /* Layer k = il - start goes to device_of(cum, G, k / act).  k / act
         * grows with k and cum with g, so device g takes the layers k with
         * k / act < cum[g] not taken before: a prefix boundary per device,
         * found from cum[g] act and settled with the same comparison. */
        uint32_t taken = 0;
        for (uint32_t g = 0; g < G; g++) {
            uint32_t end = rep;
            if (g + 1 < G) {
                double guess = floor(cum[g] * act);
                end = guess <= 0 ? 0 : guess >= rep ? rep : (uint32_t)guess;
                while (end > 0 && !((double)(end - 1) / act < cum[g]))
                    end--;
                while (end < rep && (double)end / act < cum[g])
                    end++;
                if (end < taken)
                    end = taken;
            }
            if (end > taken)
                u->first[g] = start + taken;
            u->count[g] = end - taken;
            taken = end;
        }
        for (uint32_t g = 0; g < G; g++) {
            u->gpu[g][W] = llmroof__layers_weights(s, u->first[g], u->count[g]);
            u->gpu[g][KV] = kv_of(s, u->count[g]);
        }
    } else if (G > 0 && rep > 0) {
        /* Row split: each matrix cut by the ratios, the KV cache and the
         * rest on the main GPU (llama.cpp LLAMA_SPLIT_MODE_ROW).  Tensor
         * parallel: everything, KV included, cut by the ratios. */
        double w = llmroof__layers_weights(s, start, rep);
        for (uint32_t g = 0; g < G; g++) {
            u->first[g] = start;
            u->count[g] = rep;
            u->gpu[g][W] = w * ratio[g];
            if (p->split == LLMROOF_SPLIT_TENSOR)
                u->gpu[g][KV] = kv_of(s, rep) * ratio[g];
        }
        if (p->split != LLMROOF_SPLIT_TENSOR)
            u->gpu[0][KV] = kv_of(s, rep);
    }
    if (out_on_gpu) {
        if (p->split == LLMROOF_SPLIT_LAYER)
            u->out_gpu = (int)device_of(cum, G, (double)(L - start) / act);
        else
            u->out_gpu = 0;
        if (p->split == LLMROOF_SPLIT_TENSOR)
            for (uint32_t g = 0; g < G; g++)
                u->gpu[g][W] += s->output * ratio[g];
        else
            u->gpu[u->out_gpu][W] += s->output;
    }
    for (uint32_t g = 0; g < G; g++) {
        const llmroof_engine_backend *b = p->work[g].backend;
        u->gpu[g][OH] = b ? (double)b->runtime_overhead : 0.0;
        int holds = u->count[g] > 0 || (int)g == u->out_gpu ||
                    (p->split == LLMROOF_SPLIT_TENSOR && out_on_gpu);
        if (holds)
            u->gpu[g][CB] = ((int)g == u->out_gpu || p->split == LLMROOF_SPLIT_TENSOR)
                                ? s->compute_output
                                : s->compute_layers;
    }
    /* The host keeps the token embedding (llama.cpp never offloads it: it is
     * a row lookup), the layers not offloaded and, unless offloaded, the
     * output head (a tied head is then the embedding itself). */
    u->host[W] = s->embedding + llmroof__layers_weights(s, 0, start);
    if (!out_on_gpu)
        u->host[W] += s->tied ? s->hidden * 4.0 : s->output;
    u->host[KV] = kv_of(s, start);
    if (G == 0 || (start == 0 && out_on_gpu))
        u->host[CB] = G == 0 ? s->compute_output : s->compute_host;
    else
        u->host[CB] = out_on_gpu ? s->compute_layers : s->compute_output;
}

static double sum4(const double *v) { return v[0] + v[1] + v[2] + v[3]; }

static int gpus_fit(const usage *u, uint32_t G, const double *cap)
{
    for (uint32_t g = 0; g < G; g++)
        if (sum4(u->gpu[g]) > cap[g])
            return 0;
    return 1;
}

llmroof_status llmroof__place(const llmroof__machine *m, const llmroof_engine *e,
                              const llmroof__shape *s,
                              const llmroof_request *req, llmroof__placement *p,
                              llmroof_result *res, llmroof_error *err)
{
    memset(p, 0, sizeof *p);
    p->machine = m;
    p->engine = e;
    p->host_tier = p->storage_tier = -1;
    const uint32_t L = s->layers;

    /* Split mode: the engine's default for AUTO; it must be one the engine has. */
    int32_t split = req->split == LLMROOF_SPLIT_AUTO ? e->default_split : req->split;
    if (split < LLMROOF_SPLIT_LAYER || split > LLMROOF_SPLIT_NONE)
        return llmroof__fail(err, LLMROOF_E_INVALID_ARGUMENT, NULL, 0, 0,
                             "split mode %d is not valid", (int)split);
    if (!(e->split_modes & LLMROOF_SPLIT_BIT(split)) &&
        !(m->accel_count <= 1 && (e->split_modes & LLMROOF_SPLIT_BIT(LLMROOF_SPLIT_NONE))))
        return llmroof__fail(err, LLMROOF_E_UNSUPPORTED, NULL, 0, 0,
                             "engine '%s' does not support split mode '%s'", e->id,
                             llmroof_split_string(split));
    uint32_t G = m->accel_count;
    if (split == LLMROOF_SPLIT_NONE && G > 1)
        G = 1;
    if (G <= 1 && split != LLMROOF_SPLIT_NONE) {
        if (req->split != LLMROOF_SPLIT_AUTO && m->accel_count == 1)
            res->flags |= LLMROOF_FLAG_SINGLE_GPU;
        split = LLMROOF_SPLIT_LAYER;
    }
    if (split == LLMROOF_SPLIT_NONE)
        split = LLMROOF_SPLIT_LAYER; /* one GPU: a layer split with one device */
    p->split = split;
    p->gpus = G;
    res->split = G > 1 ? split : (req->split == LLMROOF_SPLIT_NONE ? LLMROOF_SPLIT_NONE : split);

    /* Backends: every accelerator needs one, the host needs "cpu" if it
     * computes layers (checked once the layer count is known). */
    for (uint32_t g = 0; g < G; g++) {
        p->work[g].dev = m->accel[g];
        /* A backend other than the device's own can only be Vulkan, the one
         * llama.cpp backend that drives every vendor's GPUs. */
        int32_t be = req->backend >= 0 ? req->backend : m->accel[g]->backend;
        if (be != m->accel[g]->backend && be != LLMROOF_BACKEND_VULKAN)
            return llmroof__fail(err, LLMROOF_E_UNSUPPORTED, NULL, 0, 0,
                                 "device '%s' runs %s or vulkan, not %s", m->accel[g]->id,
                                 llmroof_backend_string(m->accel[g]->backend),
                                 llmroof_backend_string(be));
        p->work[g].backend = llmroof__engine_backend(e, be);
        if (!p->work[g].backend)
            return llmroof__fail(err, LLMROOF_E_UNSUPPORTED, NULL, 0, 0,
                                 "engine '%s' has no '%s' backend for device '%s'", e->id,
                                 llmroof_backend_string(be), m->accel[g]->id);
    }
    const llmroof_engine_backend *host_be = llmroof__engine_backend(e, LLMROOF_BACKEND_CPU);
    /* Transfers are driven by the accelerators' backend (the main GPU's). */
    p->hop_overhead = G > 0 ? p->work[0].backend->hop_overhead : 0.0;

    /* Capacities and split ratios (default: by free memory, as llama.cpp). */
    double cap[LLMROOF_MAX_DEVICES] = {0}, cum[LLMROOF_MAX_DEVICES] = {0},
           ratio[LLMROOF_MAX_DEVICES] = {0};
    double total_ratio = 0;
    for (uint32_t g = 0; g < G; g++) {
        cap[g] = llmroof__accel_capacity(m, g, unified_share(m->accel[g], req, 0));
        ratio[g] = clamp0(cap[g] - (double)p->work[g].backend->runtime_overhead);
    }
    if (req->tensor_split_count > 0) {
        if (req->tensor_split_count != G)
            return llmroof__fail(err, LLMROOF_E_INVALID_ARGUMENT, NULL, 0, 0,
                                 "tensor split has %u values but %u accelerators are in use",
                                 req->tensor_split_count, G);
        for (uint32_t g = 0; g < G; g++) {
            double v = req->tensor_split[g];
            if (!(v >= 0) || !isfinite(v))
                return llmroof__fail(err, LLMROOF_E_RANGE, NULL, 0, 0,
                                     "tensor split value %u is not a finite number >= 0", g + 1);
            ratio[g] = v;
        }
    }
    /* Relative to the largest first: values near DBL_MAX would add up to
     * infinity and leave every ratio 0 (issue 14). */
    double top = 0;
    for (uint32_t g = 0; g < G; g++)
        top = ratio[g] > top ? ratio[g] : top;
    for (uint32_t g = 0; g < G; g++) {
        ratio[g] = top > 0 ? ratio[g] / top : ratio[g];
        total_ratio += ratio[g];
    }
    if (G > 0 && !(total_ratio > 0)) {
        if (req->tensor_split_count > 0)
            return llmroof__fail(err, LLMROOF_E_RANGE, NULL, 0, 0,
                                 "tensor split values add up to zero");
        for (uint32_t g = 0; g < G; g++)
            ratio[g] = 1.0;
        total_ratio = G;
    }
    double acc = 0;
    for (uint32_t g = 0; g < G; g++) {
        ratio[g] /= total_ratio;
        acc += ratio[g];
        cum[g] = acc;
    }
    if (G > 0)
        cum[G - 1] = 1.0 + 1e-9;

    /* -ngl: explicit (clamped to layers + 1, as llama.cpp accepts 99), or the
     * most that fit.  Usage only grows with ngl, so a binary search works. */
    usage u;
    int32_t ngl;
    const int32_t max_ngl = G > 0 ? (int32_t)L + 1 : 0;
    int gpu_short = 0;
    if (req->gpu_layers >= 0) {
        ngl = req->gpu_layers > max_ngl ? max_ngl : req->gpu_layers;
        compute_usage(p, s, cum, ratio, ngl, &u);
        gpu_short = !gpus_fit(&u, G, cap);
    } else if (e->offloaded_layers == LLMROOF_OFFLOAD_NONE) {
        ngl = max_ngl;
        compute_usage(p, s, cum, ratio, ngl, &u);
        gpu_short = !gpus_fit(&u, G, cap);
    } else {
        ngl = max_ngl;
        compute_usage(p, s, cum, ratio, ngl, &u);
        if (!gpus_fit(&u, G, cap)) {
            ngl = 0;
            compute_usage(p, s, cum, ratio, 0, &u);
            if (!gpus_fit(&u, G, cap)) {
                gpu_short = 1;
            } else {
                int32_t lo = 0, hi = max_ngl; /* lo fits, hi does not */
                while (hi - lo > 1) {
                    int32_t mid = lo + (hi - lo) / 2;
                    compute_usage(p, s, cum, ratio, mid, &u);
                    if (gpus_fit(&u, G, cap))
                        lo = mid;
                    else
                        hi = mid;
                }
                ngl = lo;
                compute_usage(p, s, cum, ratio, ngl, &u);
            }
        }
    }
    p->gpu_layers = ngl;
    res->gpu_layers = ngl;
    if (e->offloaded_layers == LLMROOF_OFFLOAD_NONE && u.host_layers > 0 && G > 0)
        gpu_short = 1;

    /* Unified memory: would it fit on the GPU with the wired limit raised? */
    int unified = 0;
    double gpu_used = 0;
    for (uint32_t g = 0; g < G; g++) {
        unified |= m->accel[g]->kind == LLMROOF_DEVICE_UNIFIED;
        gpu_used += sum4(u.gpu[g]);
    }
    if (unified && req->gpu_share <= 0 && ngl < max_ngl) {
        double capr[LLMROOF_MAX_DEVICES];
        usage full;
        for (uint32_t g = 0; g < G; g++)
            capr[g] = llmroof__accel_capacity(m, g, unified_share(m->accel[g], req, 1));
        compute_usage(p, s, cum, ratio, max_ngl, &full);
        if (gpus_fit(&full, G, capr))
            res->flags |= LLMROOF_FLAG_NEEDS_WIRED_LIMIT;
    }

    /* Tiers: accelerators, then host RAM, then storage if needed. */
    uint32_t t = 0;
    for (uint32_t g = 0; g < G; g++, t++) {
        llmroof_tier *tr = &res->tiers[t];
        llmroof__tier_work *w = &p->work[g];
        tr->kind = LLMROOF_TIER_ACCELERATOR;
        llmroof__strlcpy(tr->device, m->accel[g]->id, sizeof tr->device);
        tr->layers = u.count[g];
        tr->has_output = (int)g == u.out_gpu || (split == LLMROOF_SPLIT_TENSOR && u.out_gpu >= 0);
        tr->capacity = llmroof__to_bytes(cap[g]);
        tr->weights = llmroof__to_bytes(u.gpu[g][W]);
        tr->kv = llmroof__to_bytes(u.gpu[g][KV]);
        tr->compute = llmroof__to_bytes(u.gpu[g][CB]);
        tr->overhead = llmroof__to_bytes(u.gpu[g][OH]);
        tr->bandwidth = m->accel[g]->bandwidth;
        w->first = u.first[g];
        w->count = u.count[g];
        w->fraction = split == LLMROOF_SPLIT_LAYER ? 1.0 : ratio[g];
        w->kv_fraction = split == LLMROOF_SPLIT_TENSOR ? ratio[g]
                         : (split == LLMROOF_SPLIT_ROW && g > 0) ? 0.0 : 1.0;
        w->has_output = tr->has_output;
    }
    double host_cap = (double)m->system->host_memory - (double)m->host->reserved;
    if (unified)
        host_cap -= gpu_used;
    host_cap = clamp0(host_cap);
    double host_total = sum4(u.host);
    double host_weights = u.host[W];
    double paged = 0;
    {
        llmroof_tier *tr = &res->tiers[t];
        llmroof__tier_work *w = &p->work[t];
        p->host_tier = (int)t;
        tr->kind = LLMROOF_TIER_HOST;
        llmroof__strlcpy(tr->device, m->host->id, sizeof tr->device);
        tr->layers = u.host_layers;
        tr->has_output = u.out_gpu < 0;
        tr->capacity = llmroof__to_bytes(host_cap);
        tr->weights = llmroof__to_bytes(u.host[W]);
        tr->kv = llmroof__to_bytes(u.host[KV]);
        tr->compute = llmroof__to_bytes(u.host[CB]);
        tr->bandwidth = m->host->bandwidth;
        w->dev = m->host;
        w->backend = host_be;
        w->first = 0;
        w->count = u.host_layers;
        w->fraction = 1.0;
        w->kv_fraction = 1.0;
        w->has_output = tr->has_output;
        w->has_embedding = 1;
        t++;
    }
    if (host_total > host_cap) {
        /* mmap: weights that do not fit in RAM are paged in from storage on
         * every pass (docs/model.md "Storage tier"). */
        double excess = host_total - host_cap;
        if (m->storage && excess <= host_weights) {
            paged = excess;
            llmroof_tier *tr = &res->tiers[t];
            p->storage_tier = (int)t;
            tr->kind = LLMROOF_TIER_STORAGE;
            llmroof__strlcpy(tr->device, m->storage->id, sizeof tr->device);
            tr->weights = llmroof__to_bytes(paged);
            tr->total = tr->weights;
            tr->bandwidth = m->storage->bandwidth;
            p->work[t].dev = m->storage;
            p->work[t].paged = paged;
            t++;
        }
        res->flags |= LLMROOF_FLAG_HOST_SHORT;
    }
    res->tier_count = t;

    /* Totals and headroom; each part is below 2^64, their sums need not be. */
    int fits64 = 1;
    for (uint32_t i = 0; i < t; i++) {
        llmroof_tier *tr = &res->tiers[i];
        if (tr->kind == LLMROOF_TIER_STORAGE) {
            tr->headroom = 0;
            continue;
        }
        tr->total = tr->weights;
        fits64 &= add_bytes(&tr->total, tr->kv) && add_bytes(&tr->total, tr->compute) &&
                  add_bytes(&tr->total, tr->overhead);
        double hr = (double)tr->capacity - (double)tr->total;
        tr->headroom = hr >= 9.2e18 ? INT64_MAX : hr <= -9.2e18 ? INT64_MIN : (int64_t)hr;
        fits64 &= add_bytes(&res->kv, tr->kv) && add_bytes(&res->compute, tr->compute) &&
                  add_bytes(&res->overhead, tr->overhead);
    }
    /* The model's weights are the file's; the total is what the tiers hold
     * (with the host's copy of a tied embedding, docs/model.md §4; the
     * storage tier's bytes are the host tier's overflow, counted there). */
    res->weights = llmroof__to_bytes(s->weights_total);
    res->total = 0;
    for (uint32_t i = 0; i < t; i++)
        if (res->tiers[i].kind != LLMROOF_TIER_STORAGE)
            fits64 &= add_bytes(&res->total, res->tiers[i].total);
    if (!fits64)
        return llmroof__fail(err, LLMROOF_E_RANGE, NULL, 0, 0,
                             "the memory this model needs on system '%s' overflows 64 bits "
                             "(check its shapes and the runtime_overhead of engine '%s')",
                             m->system->id, e->id);

    int host_has_layers = u.host_layers > 0 || (u.out_gpu < 0);
    if (G > 0 && host_has_layers && !host_be && e->offloaded_layers == LLMROOF_OFFLOAD_HOST_COMPUTE)
        return llmroof__fail(err, LLMROOF_E_UNSUPPORTED, NULL, 0, 0,
                             "engine '%s' has no cpu backend for layers left in host RAM", e->id);
    if (G == 0 && !host_be)
        return llmroof__fail(err, LLMROOF_E_UNSUPPORTED, NULL, 0, 0,
                             "engine '%s' has no cpu backend and system '%s' has no accelerator",
                             e->id, m->system->id);

    if (gpu_short)
        res->fit = LLMROOF_FIT_NONE;
    else if (host_total > host_cap)
        res->fit = p->storage_tier >= 0 ? LLMROOF_FIT_STORAGE : LLMROOF_FIT_NONE;
    else if (G > 0 && ngl == max_ngl)
        res->fit = LLMROOF_FIT_GPU;
    else
        res->fit = LLMROOF_FIT_OFFLOAD;
    return LLMROOF_OK;
}
