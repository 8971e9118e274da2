/* Fuzz target: descriptors built in code (llmroof_catalog_add_*), then
 * llmroof_estimate, llmroof_pick, llmroof_image_estimate and
 * llmroof_train_estimate on them.
 *
 * Every number comes raw from the input, so NaN, infinities, negatives,
 * subnormals and huge values all occur: the catalog must refuse what it
 * cannot model, and whatever it accepts must estimate to sane numbers or to
 * an error (fuzz_check_estimate, fuzz_check_pick,
 * fuzz_check_image, fuzz_check_train).
 *
 * Byte layout, in this order, little-endian; past the end of the input
 * every field reads as zero.  u8/u16/u32/u64 are unsigned integers, i8 and
 * i32 signed (enum fields take an i8, so negative values occur), f64 an
 * IEEE double's bits.  make_seeds.py writes inputs in this layout.
 *
 *   4 devices: "acc0", "acc1" (accelerators), "host" (the CPU), "disk":
 *     i8 kind, i8 backend, u64 memory, u64 reserved, f64 bandwidth,
 *     f64 compute_f16, f64 compute_int8, f64 gpu_share, f64 gpu_share_max,
 *     f64 power, f64 price, i8 bandwidth_kind                    (75 bytes)
 *   2 links: "glink" (between accelerators), "hlink" (to the host):
 *     f64 bandwidth, f64 latency                                 (16 bytes)
 *   system "sys":
 *     u8 accelerator_count (above 16 is refused), u16 slots (bit i set:
 *     accelerator i is acc1, else acc0), u8 refs (bit 0: gpu_link glink,
 *     bit 1: host_link hlink, bit 2: storage disk), u64 host_memory,
 *     f64 power, f64 price                                       (28 bytes)
 *   model "m":
 *     u32 layers, hidden, ffn, heads, kv_heads, head_dim, vocab, context,
 *     tied_embeddings, f64 params, u32 experts, experts_active, expert_ffn,
 *     shared_experts, dense_layers, i8 attention, u32 kv_lora_rank,
 *     rope_dim, q_lora_rank, sliding_window, sliding_layers      (85 bytes)
 *   quant "q":
 *     f64 bpw, embed_bpw, output_bpw, quality, u8 kernel, u8 format
 *     (indices into kernels[] and formats[] below, modulo)       (34 bytes)
 *   engine "e":
 *     u8 split_modes, i8 default_split, i8 offloaded_layers,
 *     u8 format_count, then min(format_count, 8) x u8 format index,
 *     u8 backend_count, then min(backend_count, 8) backends:
 *       i8 backend, f64 decode_efficiency, u8 kernel_count, then
 *       min(kernel_count, 16) x (u8 kernel index, f64 efficiency),
 *       f64 prefill_efficiency, u8 prefill_kernel_count, then as many
 *       (u8, f64), f64 per_layer_overhead, u64 runtime_overhead,
 *       f64 hop_overhead, f64 bandwidth_cap, f64 measured_efficiency
 *   request (system "sys", model "m", quant "q", engine "e"):
 *     u32 ctx, depth, prompt, gen, batch, ubatch, i8 kv_type,
 *     i32 gpu_layers, i8 split, u8 tensor_split_count, then
 *     min(tensor_split_count, 16) x f64, u8 flash_attention,
 *     f64 gpu_share, i8 backend
 *   pick (on the request):
 *     u8 quants (modulo 4: 0 every quant, 1 "q", 2 "q" and a missing one,
 *     3 more than LLMROOF_MAX_CANDIDATES), u32 kv_types, u32 min_ctx,
 *     f64 min_decode_tps, f64 min_prefill_tps, f64 max_ttft, u64 headroom,
 *     u8 flags
 *   then the fields added with image and train estimates (an input that
 *   ends before them gives what it gave before):
 *   4 devices, as above: f64 idle_power, f64 compute_f16_acc32  (64 bytes)
 *   system: f64 idle_power; engine: u32 tasks, XORed with LLMROOF_TASK_LLM
 *   (zero bytes: an LLM-only engine, as before); request: f64
 *   electricity_price                                           (20 bytes)
 *   image model "im":
 *     u32 width, height, steps, guidance, part denoiser, f64 attention_flops,
 *     u32 encoder_count, then min(encoder_count, 4) parts, part vae; a part
 *     is f64 params, bits, flops, activation
 *   image request (system "sys", model "im"):
 *     u8 engine (modulo 3: "e", "", "missing"), u32 width, height, steps,
 *     batch, f64 denoiser_bits, i8 offload, u8 reserved (bit i set: a u32
 *     follows for reserved_u32[i]), f64 electricity_price
 *   train request (system "sys", model "m"):
 *     u8 engine (as above), i8 method, u32 seq_len, micro_batch,
 *     checkpointing, flash_attention, lora_rank, i8 lora_targets,
 *     i8 optimizer, u32 gpus, u8 reserved (as above), f64 electricity_price
 *
 * Counts are stored as read (a raw format_count of 200 is refused by the
 * catalog, not clamped here); only the items read are bounded by the
 * arrays.  Every descriptor is read first and added once the whole input
 * is read. */
#include <stdio.h>
#include <string.h>

#include "fuzz.h"

static const char *const kernels[] = {"q4_k", "q8_0", "f16",        "q6_k", "mxfp4",
                                       "bad kernel", "", "bf16", "nf4", "fp8"};
static const char *const formats[] = {"", "gguf", "mlx", "awq", "exl2", "bad/format"};
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

typedef struct bytes {
    const uint8_t *p;
    size_t n;
} bytes;

/* The next k bytes (k <= 8) as a little-endian integer; zeros past the end. */
static uint64_t take(bytes *b, size_t k)
{
    uint64_t v = 0;
    for (size_t i = 0; i < k; i++) {
        uint64_t byte = 0;
        if (b->n) {
            byte = *b->p++;
            b->n--;
        }
        v |= byte << (8 * i);
    }
    return v;
}

static uint8_t u8(bytes *b) { return (uint8_t)take(b, 1); }
static uint16_t u16(bytes *b) { return (uint16_t)take(b, 2); }
static uint32_t u32(bytes *b) { return (uint32_t)take(b, 4); }
static uint64_t u64(bytes *b) { return take(b, 8); }
static int32_t i8(bytes *b) { return (int8_t)u8(b); }
static int32_t i32(bytes *b) { return (int32_t)u32(b); }

static double f64(bytes *b)
{
    uint64_t u = take(b, 8);
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

static void pick_name(bytes *b, char *out, size_t cap, const char *const *names, size_t n)
{
    snprintf(out, cap, "%s", names[u8(b) % n]);
}

static void read_device(bytes *b, llmroof_device *d, const char *id)
{
    llmroof_device_init(d);
    snprintf(d->id, sizeof d->id, "%s", id);
    snprintf(d->name, sizeof d->name, "device %s", id);
    d->kind = i8(b);
    d->backend = i8(b);
    d->memory = u64(b);
    d->reserved = u64(b);
    d->bandwidth = f64(b);
    d->compute_f16 = f64(b);
    d->compute_int8 = f64(b);
    d->gpu_share = f64(b);
    d->gpu_share_max = f64(b);
    d->power = f64(b);
    d->price = f64(b);
    d->bandwidth_kind = i8(b);
}

static void add_link(llmroof_catalog *cat, bytes *b, const char *id)
{
    llmroof_link l;
    llmroof_link_init(&l);
    snprintf(l.id, sizeof l.id, "%s", id);
    l.bandwidth = f64(b);
    l.latency = f64(b);
    llmroof_error err;
    llmroof_error_init(&err);
    fuzz_check_status(llmroof_catalog_add_link(cat, &l, 0, &err), &err);
}

static void read_system(bytes *b, llmroof_system *sp)
{
    llmroof_system_init(sp);
    snprintf(sp->id, sizeof sp->id, "sys");
    snprintf(sp->name, sizeof sp->name, "System");
    sp->accelerator_count = u8(b);
    uint16_t slots = u16(b);
    for (uint32_t i = 0; i < sp->accelerator_count && i < LLMROOF_MAX_DEVICES; i++)
        snprintf(sp->accelerators[i], LLMROOF_ID_MAX, "%s", slots >> i & 1 ? "acc1" : "acc0");
    uint8_t refs = u8(b);
    if (refs & 1)
        snprintf(sp->gpu_link, sizeof sp->gpu_link, "glink");
    if (refs & 2)
        snprintf(sp->host_link, sizeof sp->host_link, "hlink");
    if (refs & 4)
        snprintf(sp->storage, sizeof sp->storage, "disk");
    snprintf(sp->host_device, sizeof sp->host_device, "host");
    sp->host_memory = u64(b);
    sp->power = f64(b);
    sp->price = f64(b);
}

static void add_model(llmroof_catalog *cat, bytes *b)
{
    llmroof_model m;
    llmroof_model_init(&m);
    snprintf(m.id, sizeof m.id, "m");
    snprintf(m.name, sizeof m.name, "Model");
    m.layers = u32(b);
    m.hidden = u32(b);
    m.ffn = u32(b);
    m.heads = u32(b);
    m.kv_heads = u32(b);
    m.head_dim = u32(b);
    m.vocab = u32(b);
    m.context = u32(b);
    m.tied_embeddings = u32(b);
    m.params = f64(b);
    m.experts = u32(b);
    m.experts_active = u32(b);
    m.expert_ffn = u32(b);
    m.shared_experts = u32(b);
    m.dense_layers = u32(b);
    m.attention = i8(b);
    m.kv_lora_rank = u32(b);
    m.rope_dim = u32(b);
    m.q_lora_rank = u32(b);
    m.sliding_window = u32(b);
    m.sliding_layers = u32(b);
    llmroof_error err;
    llmroof_error_init(&err);
    fuzz_check_status(llmroof_catalog_add_model(cat, &m, 0, &err), &err);
}

static void add_quant(llmroof_catalog *cat, bytes *b)
{
    llmroof_quant q;
    llmroof_quant_init(&q);
    snprintf(q.id, sizeof q.id, "q");
    q.bpw = f64(b);
    q.embed_bpw = f64(b);
    q.output_bpw = f64(b);
    q.quality = f64(b);
    pick_name(b, q.kernel, sizeof q.kernel, kernels, COUNT(kernels));
    pick_name(b, q.format, sizeof q.format, formats, COUNT(formats));
    llmroof_error err;
    llmroof_error_init(&err);
    fuzz_check_status(llmroof_catalog_add_quant(cat, &q, 0, &err), &err);
}

static uint32_t kernel_table(bytes *b, llmroof_kernel_efficiency *table)
{
    uint32_t count = u8(b);
    for (uint32_t k = 0; k < count && k < LLMROOF_MAX_KERNELS; k++) {
        pick_name(b, table[k].kernel, sizeof table[k].kernel, kernels, COUNT(kernels));
        table[k].efficiency = f64(b);
    }
    return count;
}

static void read_engine(bytes *b, llmroof_engine *ep)
{
    llmroof_engine_init(ep);
    snprintf(ep->id, sizeof ep->id, "e");
    ep->split_modes = u8(b);
    ep->default_split = i8(b);
    ep->offloaded_layers = i8(b);
    ep->format_count = u8(b);
    for (uint32_t i = 0; i < ep->format_count && i < LLMROOF_MAX_FORMATS; i++)
        pick_name(b, ep->formats[i], sizeof ep->formats[i], formats, COUNT(formats));
    ep->backend_count = u8(b);
    for (uint32_t i = 0; i < ep->backend_count && i < LLMROOF_MAX_BACKENDS; i++) {
        llmroof_engine_backend *be = &ep->backends[i];
        be->backend = i8(b);
        be->decode_efficiency = f64(b);
        be->kernel_count = kernel_table(b, be->kernels);
        be->prefill_efficiency = f64(b);
        be->prefill_kernel_count = kernel_table(b, be->prefill_kernels);
        be->per_layer_overhead = f64(b);
        be->runtime_overhead = u64(b);
        be->hop_overhead = f64(b);
        be->bandwidth_cap = f64(b);
        be->measured_efficiency = f64(b);
    }
}

static void read_request(bytes *b, llmroof_request *r)
{
    llmroof_request_init(r);
    snprintf(r->system, sizeof r->system, "sys");
    snprintf(r->model, sizeof r->model, "m");
    snprintf(r->quant, sizeof r->quant, "q");
    snprintf(r->engine, sizeof r->engine, "e");
    r->ctx = u32(b);
    r->depth = u32(b);
    r->prompt = u32(b);
    r->gen = u32(b);
    r->batch = u32(b);
    r->ubatch = u32(b);
    r->kv_type = i8(b);
    r->gpu_layers = i32(b);
    r->split = i8(b);
    r->tensor_split_count = u8(b);
    for (uint32_t i = 0; i < r->tensor_split_count && i < LLMROOF_MAX_DEVICES; i++)
        r->tensor_split[i] = f64(b);
    r->flash_attention = u8(b);
    r->gpu_share = f64(b);
    r->backend = i8(b);
}

static void read_pick(bytes *b, const llmroof_request *base, llmroof_pick_request *rp)
{
    llmroof_pick_request_init(rp);
    rp->base = *base;
    switch (u8(b) % 4) {
    case 0:
        break;
    case 1:
        rp->quant_count = 1;
        snprintf(rp->quants[0], LLMROOF_ID_MAX, "q");
        break;
    case 2:
        rp->quant_count = 2;
        snprintf(rp->quants[0], LLMROOF_ID_MAX, "q");
        snprintf(rp->quants[1], LLMROOF_ID_MAX, "missing");
        break;
    default:
        rp->quant_count = LLMROOF_MAX_CANDIDATES + 1;
        for (uint32_t i = 0; i < LLMROOF_MAX_CANDIDATES; i++)
            snprintf(rp->quants[i], LLMROOF_ID_MAX, "q");
        break;
    }
    rp->kv_types = u32(b);
    rp->min_ctx = u32(b);
    rp->min_decode_tps = f64(b);
    rp->min_prefill_tps = f64(b);
    rp->max_ttft = f64(b);
    rp->headroom = u64(b);
    rp->flags = u8(b);
}

static const char *const engine_ids[] = {"e", "", "missing"};

static void read_part(bytes *b, llmroof_image_part *p, const char *name)
{
    snprintf(p->name, sizeof p->name, "%s", name);
    p->params = f64(b);
    p->bits = f64(b);
    p->flops = f64(b);
    p->activation = f64(b);
}

static void add_image_model(llmroof_catalog *cat, bytes *b)
{
    llmroof_image_model m;
    llmroof_image_model_init(&m);
    snprintf(m.id, sizeof m.id, "im");
    snprintf(m.name, sizeof m.name, "Image model");
    m.width = u32(b);
    m.height = u32(b);
    m.steps = u32(b);
    m.guidance = u32(b);
    read_part(b, &m.denoiser, "denoiser");
    m.attention_flops = f64(b);
    m.encoder_count = u32(b);
    for (uint32_t i = 0; i < m.encoder_count && i < LLMROOF_MAX_ENCODERS; i++)
        read_part(b, &m.encoders[i], "encoder");
    read_part(b, &m.vae, "vae");
    llmroof_error err;
    llmroof_error_init(&err);
    fuzz_check_status(llmroof_catalog_add_image_model(cat, &m, 0, &err), &err);
}

/* reserved_u32[i] from the input where bit i of a mask byte is set. */
static void reserved(bytes *b, uint32_t *r, size_t n)
{
    uint8_t mask = u8(b);
    for (size_t i = 0; i < n && i < 8; i++)
        if (mask >> i & 1)
            r[i] = u32(b);
}

static void image(const llmroof_catalog *cat, bytes *b)
{
    llmroof_image_request req;
    llmroof_image_request_init(&req);
    snprintf(req.system, sizeof req.system, "sys");
    snprintf(req.model, sizeof req.model, "im");
    pick_name(b, req.engine, sizeof req.engine, engine_ids, COUNT(engine_ids));
    req.width = u32(b);
    req.height = u32(b);
    req.steps = u32(b);
    req.batch = u32(b);
    req.denoiser_bits = f64(b);
    req.offload = i8(b);
    reserved(b, req.reserved_u32, COUNT(req.reserved_u32));
    req.electricity_price = f64(b);
    fuzz_image_estimate(cat, &req);
}

static void train(const llmroof_catalog *cat, bytes *b)
{
    llmroof_train_request req;
    llmroof_train_request_init(&req);
    snprintf(req.system, sizeof req.system, "sys");
    snprintf(req.model, sizeof req.model, "m");
    pick_name(b, req.engine, sizeof req.engine, engine_ids, COUNT(engine_ids));
    req.method = i8(b);
    req.seq_len = u32(b);
    req.micro_batch = u32(b);
    req.checkpointing = u32(b);
    req.flash_attention = u32(b);
    req.lora_rank = u32(b);
    req.lora_targets = i8(b);
    req.optimizer = i8(b);
    req.gpus = u32(b);
    reserved(b, req.reserved_u32, COUNT(req.reserved_u32));
    req.electricity_price = f64(b);
    fuzz_train_estimate(cat, &req);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bytes b = {data, size};
    static const char *const device_ids[] = {"acc0", "acc1", "host", "disk"};
    llmroof_device devices[4];
    static llmroof_engine engine; /* 13 KiB */
    static llmroof_pick_request preq; /* large: not on the stack */
    static llmroof_pick_result pres;
    llmroof_system sys;
    llmroof_catalog *cat = NULL;
    llmroof_error err;
    llmroof_error_init(&err);
    FUZZ_CHECK(llmroof_catalog_new(&cat, &err) == LLMROOF_OK);
    for (size_t i = 0; i < COUNT(devices); i++)
        read_device(&b, &devices[i], device_ids[i]);
    add_link(cat, &b, "glink");
    add_link(cat, &b, "hlink");
    read_system(&b, &sys);
    add_model(cat, &b);
    add_quant(cat, &b);
    read_engine(&b, &engine);
    llmroof_request req;
    read_request(&b, &req);
    read_pick(&b, &req, &preq);

    for (size_t i = 0; i < COUNT(devices); i++) {
        devices[i].idle_power = f64(&b);
        devices[i].compute_f16_acc32 = f64(&b);
        llmroof_error_init(&err);
        fuzz_check_status(llmroof_catalog_add_device(cat, &devices[i], 0, &err), &err);
    }
    sys.idle_power = f64(&b);
    engine.tasks = u32(&b) ^ LLMROOF_TASK_LLM;
    req.electricity_price = f64(&b);
    preq.base.electricity_price = req.electricity_price;
    llmroof_error_init(&err);
    fuzz_check_status(llmroof_catalog_add_system(cat, &sys, 0, &err), &err);
    llmroof_error_init(&err);
    fuzz_check_status(llmroof_catalog_add_engine(cat, &engine, 0, &err), &err);
    add_image_model(cat, &b);

    llmroof_result res;
    llmroof_result_init(&res);
    llmroof_error_init(&err);
    fuzz_check_estimate(llmroof_estimate(cat, &req, &res, &err), &err, &res);
    llmroof_pick_result_init(&pres);
    llmroof_error_init(&err);
    fuzz_check_pick(cat, llmroof_pick(cat, &preq, &pres, &err), &err, &pres);
    image(cat, &b);
    train(cat, &b);
    llmroof_catalog_free(cat);
    return 0;
}
