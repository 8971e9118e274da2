/* llmroof_image_estimate(): a diffusion image pipeline on one accelerator
 * (docs/model.md §9).  Plain arithmetic on resolved descriptors; never
 * allocates. */
#include <math.h>
#include <string.h>

#include "model.h"

#define MAX_PIXELS 16384  /* width or height */
#define MAX_STEPS 10000
#define MAX_BATCH 1024

void llmroof_image_request_init(llmroof_image_request *req)
{
    if (!req)
        return;
    memset(req, 0, sizeof *req);
    req->size = sizeof *req;
    req->batch = 1;
    req->offload = LLMROOF_IMAGE_OFFLOAD_AUTO;
}

void llmroof_image_result_init(llmroof_image_result *res)
{
    if (!res)
        return;
    memset(res, 0, sizeof *res);
    res->size = sizeof *res;
    res->offload = LLMROOF_IMAGE_OFFLOAD_NONE;
    res->fit = LLMROOF_FIT_NONE;
}

static llmroof_status bad(llmroof_error *err, const char *what)
{
    return llmroof__fail(err, LLMROOF_E_INVALID_ARGUMENT, NULL, 0, 0, "image request: %s", what);
}

static llmroof_status check_request(const llmroof_image_request *r, llmroof_error *err)
{
    if (r->width > MAX_PIXELS || r->height > MAX_PIXELS || r->width % 8 || r->height % 8)
        return bad(err, "width and height must be multiples of 8 up to 16384 (0 = native)");
    if (r->steps > MAX_STEPS)
        return bad(err, "steps must be at most 10000 (0 = the model's default)");
    if (r->batch == 0 || r->batch > MAX_BATCH)
        return bad(err, "batch must be between 1 and 1024");
    if (!(r->denoiser_bits == 0 || (r->denoiser_bits >= 1 && r->denoiser_bits <= 64)))
        return bad(err, "denoiser_bits must be 0 (the descriptor's) or in [1, 64]");
    if (r->offload < LLMROOF_IMAGE_OFFLOAD_AUTO || r->offload > LLMROOF_IMAGE_OFFLOAD_MODEL)
        return bad(err, "offload must be auto (-1), none (0) or model (1)");
    if (!llmroof__valid_electricity_price(r->electricity_price))
        return bad(err, LLMROOF__ELECTRICITY_PRICE_RULE);
    if (!LLMROOF__RESERVED_ZERO(r->reserved_u32))
        return bad(err, "reserved fields must be zero");
    return LLMROOF_OK;
}

static int engine_does_images(const llmroof_engine *e)
{
    return (e->tasks & LLMROOF_TASK_IMAGE) != 0;
}


static double part_bytes(const llmroof_image_part *p, double bits)
{
    return p->params * bits / 8.0;
}

/* The whole estimate from resolved descriptors (docs/model.md §9). */
static llmroof_status image_plain(const llmroof__machine *m, const llmroof_image_model *im,
                                  const llmroof_engine *e, const llmroof_engine_backend *b,
                                  const llmroof_image_request *r, llmroof_image_result *out,
                                  llmroof_error *err)
{
    const llmroof_device *d = m->accel[0];
    int unified = d->kind == LLMROOF_DEVICE_UNIFIED;
    uint32_t W = r->width ? r->width : im->width;
    uint32_t H = r->height ? r->height : im->height;
    uint32_t n = r->steps ? r->steps : im->steps;
    double B = r->batch, g = im->guidance;
    double rho = (double)W * H / ((double)im->width * im->height);
    double dbits = r->denoiser_bits > 0 ? r->denoiser_bits : im->denoiser.bits;

    int32_t offload = r->offload;
    if (unified && offload == LLMROOF_IMAGE_OFFLOAD_MODEL)
        return llmroof__fail(err, LLMROOF_E_UNSUPPORTED, NULL, 0, 0,
                             "image request: model offload needs a discrete GPU; '%s' is "
                             "unified memory, with no separate host RAM to offload to",
                             d->id);

    out->width = W;
    out->height = H;
    out->steps = n;
    out->batch = r->batch;
    llmroof__strlcpy(out->device, d->id, sizeof out->device);

    /* Memory: weights, activations (linear in samples and pixels), overhead. */
    double w_den = part_bytes(&im->denoiser, dbits);
    double w_vae = part_bytes(&im->vae, im->vae.bits);
    double a_den = im->denoiser.activation * g * B * rho;
    double a_vae = im->vae.activation * B * rho;
    double weights = w_den + w_vae, act = a_den > a_vae ? a_den : a_vae;
    double part_peak = w_den + a_den > w_vae + a_vae ? w_den + a_den : w_vae + a_vae;
    double enc_flops = 0;
    for (uint32_t i = 0; i < im->encoder_count && i < LLMROOF_MAX_ENCODERS; i++) {
        const llmroof_image_part *p = &im->encoders[i];
        double w = part_bytes(p, p->bits), a = p->activation * g;
        weights += w;
        if (a > act)
            act = a;
        if (w + a > part_peak)
            part_peak = w + a;
        enc_flops += p->flops;
    }
    double overhead = (double)b->runtime_overhead;
    double cap = llmroof__accel_capacity(m, 0, unified ? d->gpu_share : 0);
    double peak_none = weights + act + overhead, peak_model = part_peak + overhead;
    if (offload == LLMROOF_IMAGE_OFFLOAD_AUTO)
        offload = peak_none <= cap || unified ? LLMROOF_IMAGE_OFFLOAD_NONE
                                              : LLMROOF_IMAGE_OFFLOAD_MODEL;
    double peak = offload == LLMROOF_IMAGE_OFFLOAD_NONE ? peak_none : peak_model;
    out->offload = offload;
    out->weights = llmroof__to_bytes(weights);
    out->activations = llmroof__to_bytes(act);
    out->overhead = b->runtime_overhead;
    out->idle_power = llmroof__idle_power(m);
    out->peak = llmroof__to_bytes(peak);
    out->capacity = llmroof__to_bytes(cap);
    out->headroom = llmroof__headroom(cap, peak);
    if (peak > cap) {
        out->fit = LLMROOF_FIT_NONE;
        return LLMROOF_OK; /* a result, not an error: times stay 0 */
    }
    out->fit = offload == LLMROOF_IMAGE_OFFLOAD_NONE ? LLMROOF_FIT_GPU : LLMROOF_FIT_OFFLOAD;

    /* Time (docs/model.md §9). */
    const char *kernel = dbits <= 8 ? "fp8" : "f16";
    double eta_c = llmroof__kernel_efficiency(b->prefill_kernels, b->prefill_kernel_count,
                                              b->prefill_efficiency, kernel);
    double eta_bw = b->decode_efficiency;
    double C = llmroof__acc32_compute(d), BW = d->bandwidth;
    double F = (im->denoiser.flops - im->attention_flops) * rho + im->attention_flops * rho * rho;
    double S = g * B * F;
    /* Divided by the peak first: a tiny peak times its efficiency can
     * underflow to 0 (roofline.c), and no time is below its bound. */
    double tc = S / C / eta_c, tm = w_den / BW / eta_bw;
    out->step_flops = S;
    out->step_time = (tc >= tm ? tc : tm) + b->per_layer_overhead;
    out->step_bound_time = S / C > w_den / BW ? S / C : w_den / BW;
    out->step_bound_by = tc >= tm ? LLMROOF_RESOURCE_COMPUTE : LLMROOF_RESOURCE_DEVICE_MEMORY;
    out->encode_time = g * enc_flops / C / eta_c;
    out->vae_time = B * rho * im->vae.flops / C / eta_c;
    if (offload == LLMROOF_IMAGE_OFFLOAD_MODEL)
        out->transfer_time = weights / m->host_link->bandwidth;
    out->run_time = out->encode_time + n * out->step_time + out->vae_time + out->transfer_time;
    out->seconds_per_image = out->run_time / B;

    /* Energy and cost (docs/model.md §7, §9). */
    out->power = llmroof__busy_power(m, 1);
    out->joules_per_image = out->power * out->seconds_per_image;
    out->cost_per_image = llmroof__energy_cost(out->joules_per_image, r->electricity_price);
    out->price = m->system->price;
    out->price_per_ipm = out->price * out->seconds_per_image / 60.0;
    (void)e;
    const double v[] = {out->step_time, out->run_time, out->seconds_per_image,
                        out->joules_per_image, out->cost_per_image, out->price_per_ipm};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        if (!isfinite(v[i]) || v[i] < 0)
            return llmroof__fail(err, LLMROOF_E_RANGE, NULL, 0, 0,
                                 "the image estimate for '%s' on '%s' is not a finite number",
                                 im->id, m->system->id);
    return LLMROOF_OK;
}

llmroof_status llmroof_image_estimate(const llmroof_catalog *cat,
                                      const llmroof_image_request *req,
                                      llmroof_image_result *res, llmroof_error *err)
{
    if (!cat || !req || !res)
        return llmroof__fail(err, LLMROOF_E_INVALID_ARGUMENT, NULL, 0, 0,
                             "llmroof_image_estimate: catalog, request and result must not be "
                             "NULL");
    if (req->size < sizeof *req || res->size < offsetof(llmroof_image_result, reserved_f64))
        return llmroof__fail(err, LLMROOF_E_INVALID_ARGUMENT, NULL, 0, 0,
                             "llmroof_image_estimate: request or result size field is too "
                             "small (call llmroof_image_request_init / _result_init)");
    TRY(check_request(req, err));
    const llmroof_system *sys = llmroof__find_system(cat, req->system);
    if (!sys)
        return llmroof__fail(err, LLMROOF_E_NOT_FOUND, NULL, 0, 0,
                             "no system '%.64s' in the catalog", req->system);
    llmroof__machine m;
    TRY(llmroof__resolve_machine(cat, sys, &m, err));
    if (m.accel_count == 0)
        return llmroof__fail(err, LLMROOF_E_UNSUPPORTED, NULL, 0, 0,
                             "system '%s' has no accelerator to run an image pipeline on",
                             m.system->id);
    const llmroof_image_model *im = llmroof__find_image_model(cat, req->model);
    if (!im)
        return llmroof__fail(err, LLMROOF_E_NOT_FOUND, NULL, 0, 0,
                             "no image model '%.64s' in the catalog", req->model);
    const llmroof_device *d = m.accel[0];
    const llmroof_engine *e = NULL;
    const llmroof_engine_backend *b = NULL;
    if (req->engine[0]) {
        e = llmroof__find_engine(cat, req->engine);
        if (!e)
            return llmroof__fail(err, LLMROOF_E_NOT_FOUND, NULL, 0, 0,
                                 "no engine '%.64s' in the catalog", req->engine);
        if (!engine_does_images(e))
            return llmroof__fail(err, LLMROOF_E_UNSUPPORTED, NULL, 0, 0,
                                 "engine '%s' does not generate images (no image task)", e->id);
        b = llmroof__engine_backend(e, d->backend);
        if (!b)
            return llmroof__fail(err, LLMROOF_E_UNSUPPORTED, NULL, 0, 0,
                                 "engine '%s' has no %s backend for device '%s'", e->id,
                                 llmroof_backend_string(d->backend), d->id);
    } else {
        e = llmroof__default_engine(cat, LLMROOF_TASK_IMAGE, d->backend);
        b = e ? llmroof__engine_backend(e, d->backend) : NULL;
        if (!b)
            return llmroof__fail(err, LLMROOF_E_UNSUPPORTED, NULL, 0, 0,
                                 "no engine with the image task has a %s backend for device "
                                 "'%s'",
                                 llmroof_backend_string(d->backend), d->id);
    }
    llmroof_image_result out;
    llmroof_image_result_init(&out);
    TRY(image_plain(&m, im, e, b, req, &out, err));
    LLMROOF__COPY_RESULT(res, out);
    return LLMROOF_OK;
}
