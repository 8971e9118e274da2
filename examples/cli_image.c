/* llmroof image: one machine, one diffusion image model -> fit and seconds
 * per image (docs/model.md §9). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

void cli_help_image(FILE *out)
{
    fputs("Usage: llmroof image --system S --model M [options]\n"
          "\n"
          "Predicts whether diffusion image model M (llmroof list image_models) fits on\n"
          "the first accelerator of system S and how many seconds one image takes\n"
          "(docs/model.md section 9).\n"
          "\n"
          "Required:\n"
          "  --system S                machine id (llmroof list systems)\n"
          "  --model M                 image model id (llmroof list image_models)\n"
          "\n"
          "Workload:\n"
          "  --width W --height H      pixels, multiples of 8 (default: the model's)\n"
          "  --steps N                 sampling steps (default: the model's)\n"
          "  --batch B                 images per run (default 1)\n"
          "  --fp8                     denoiser weights in 8 bits (= --denoiser-bits 8)\n"
          "  --denoiser-bits N         denoiser weight bits as loaded (default: the model's)\n"
          "  --offload MODE            auto (default), none, or model (one part on the GPU\n"
          "                            at a time, diffusers enable_model_cpu_offload)\n"
          "  --engine E                engine (default: the first with the image task and\n"
          "                            a backend for the device)\n"
          "  --electricity-price P     USD per kWh, for the cost per image\n"
          "\n"
          "Output and data:\n"
          "  --json                    one JSON object on stdout (fields: docs/cli.md)\n"
          "  --catalog FILE            load extra descriptors (repeatable)\n"
          "  --override                let --catalog files redefine existing ids\n"
          "  -h, --help                this help\n"
          "\n"
          "Exit status: 0 estimate printed (also when it does not fit), 1 unknown id or\n"
          "a request the model rejects, 2 bad command line.\n",
          out);
}

typedef struct image_opts {
    llmroof_image_request req;
    const char *system, *model, *engine;
    int json;
} image_opts;

static int bad_value(const char *opt, const char *value, const char *expected)
{
    cli_usage_error("image", "invalid value '%s' for %s: expected %s", value, opt, expected);
    return CLI_USAGE;
}

/* -1: go on; otherwise the exit code. */
static int parse_args(int argc, char **argv, cli_common *c, image_opts *o)
{
    llmroof_image_request *r = &o->req;
    for (int i = 0; i < argc; i++) {
        const char *v = NULL;
        int m;
        if (cli_is_help(argv[i])) {
            cli_help_image(stdout);
            return CLI_OK;
        }
        if ((m = cli_common_option("image", argc, argv, &i, c)) != 0) {
            if (m < 0)
                return CLI_USAGE;
        } else if ((m = cli_match("image", argc, argv, &i, "--system", &v)) != 0) {
            if (m < 0)
                return CLI_USAGE;
            o->system = v;
        } else if ((m = cli_match("image", argc, argv, &i, "--model", &v)) != 0) {
            if (m < 0)
                return CLI_USAGE;
            o->model = v;
        } else if ((m = cli_match("image", argc, argv, &i, "--engine", &v)) != 0) {
            if (m < 0)
                return CLI_USAGE;
            o->engine = v;
        } else if ((m = cli_match("image", argc, argv, &i, "--width", &v)) != 0) {
            if (m < 0 || cli_parse_u32(v, 8, 16384, &r->width) != 0)
                return m < 0 ? CLI_USAGE : bad_value("--width", v, "8 to 16384");
        } else if ((m = cli_match("image", argc, argv, &i, "--height", &v)) != 0) {
            if (m < 0 || cli_parse_u32(v, 8, 16384, &r->height) != 0)
                return m < 0 ? CLI_USAGE : bad_value("--height", v, "8 to 16384");
        } else if ((m = cli_match("image", argc, argv, &i, "--steps", &v)) != 0) {
            if (m < 0 || cli_parse_u32(v, 1, 10000, &r->steps) != 0)
                return m < 0 ? CLI_USAGE : bad_value("--steps", v, "1 to 10000");
        } else if ((m = cli_match("image", argc, argv, &i, "--batch", &v)) != 0) {
            if (m < 0 || cli_parse_u32(v, 1, 1024, &r->batch) != 0)
                return m < 0 ? CLI_USAGE : bad_value("--batch", v, "1 to 1024");
        } else if ((m = cli_match("image", argc, argv, &i, "--fp8", NULL)) != 0) {
            if (m < 0)
                return CLI_USAGE;
            r->denoiser_bits = 8;
        } else if ((m = cli_match("image", argc, argv, &i, "--denoiser-bits", &v)) != 0) {
            uint32_t bits = 0;
            if (m < 0 || cli_parse_u32(v, 1, 64, &bits) != 0)
                return m < 0 ? CLI_USAGE : bad_value("--denoiser-bits", v, "1 to 64");
            r->denoiser_bits = bits;
        } else if ((m = cli_match("image", argc, argv, &i, "--offload", &v)) != 0) {
            if (m < 0)
                return CLI_USAGE;
            int32_t k = LLMROOF_IMAGE_OFFLOAD_AUTO;
            for (; k <= LLMROOF_IMAGE_OFFLOAD_MODEL; k++)
                if (strcmp(v, llmroof_image_offload_string(k)) == 0)
                    break;
            if (k > LLMROOF_IMAGE_OFFLOAD_MODEL)
                return bad_value("--offload", v, "auto, none or model");
            r->offload = k;
        } else if ((m = cli_match("image", argc, argv, &i, "--electricity-price", &v)) != 0) {
            if (m < 0 || cli_parse_double(v, &r->electricity_price) != 0)
                return m < 0 ? CLI_USAGE : bad_value("--electricity-price", v, "USD per kWh");
        } else if ((m = cli_match("image", argc, argv, &i, "--json", NULL)) != 0) {
            if (m < 0)
                return CLI_USAGE;
            o->json = 1;
        } else {
            cli_usage_error("image", "unknown option '%s'", argv[i]);
            return CLI_USAGE;
        }
    }
    const char *missing = !o->system ? "--system" : !o->model ? "--model" : NULL;
    if (missing) {
        cli_usage_error("image", "missing required option %s", missing);
        return CLI_USAGE;
    }
    return -1;
}

static void print_json(const llmroof_image_request *r, const llmroof_image_result *s)
{
    cli_json j;
    cli_json_init(&j, stdout);
    cli_json_begin_object(&j, NULL);
    cli_json_string(&j, "system", r->system);
    cli_json_string(&j, "model", r->model);
    cli_json_string(&j, "device", s->device);
    cli_json_string(&j, "fit", llmroof_fit_string(s->fit));
    cli_json_string(&j, "offload", llmroof_image_offload_string(s->offload));
    cli_json_u64(&j, "width", s->width);
    cli_json_u64(&j, "height", s->height);
    cli_json_u64(&j, "steps", s->steps);
    cli_json_u64(&j, "batch", s->batch);
    cli_json_begin_object(&j, "memory");
    cli_json_u64(&j, "weights", s->weights);
    cli_json_u64(&j, "activations", s->activations);
    cli_json_u64(&j, "overhead", s->overhead);
    cli_json_u64(&j, "peak", s->peak);
    cli_json_u64(&j, "capacity", s->capacity);
    cli_json_i64(&j, "headroom", s->headroom);
    cli_json_end_object(&j);
    cli_json_double(&j, "step_flops", s->step_flops);
    cli_json_double(&j, "step_time", s->step_time);
    cli_json_double(&j, "step_bound_time", s->step_bound_time);
    cli_json_string(&j, "step_bound_by", llmroof_resource_string(s->step_bound_by));
    cli_json_double(&j, "encode_time", s->encode_time);
    cli_json_double(&j, "vae_time", s->vae_time);
    cli_json_double(&j, "transfer_time", s->transfer_time);
    cli_json_double(&j, "run_time", s->run_time);
    cli_json_double(&j, "seconds_per_image", s->seconds_per_image);
    const cli_energy e = {"image",           "image",       "ipm",
                          s->power,          s->joules_per_image, s->idle_power,
                          s->cost_per_image, s->price,      s->price_per_ipm, -1};
    cli_json_energy(&j, &e);
    cli_json_end_object(&j);
    cli_json_finish(&j);
}

static void print_human(const llmroof_image_request *r, const llmroof_image_result *s)
{
    char a[32], b[32], c[32];
    printf("%s on %s (%s), %ux%u, %u steps, batch %u\n", r->model, r->system, s->device,
           s->width, s->height, s->steps, s->batch);
    if (s->fit == LLMROOF_FIT_NONE)
        printf("Does not fit: needs %s, %s usable (short by %s) with offload %s\n",
               cli_gib(a, sizeof a, (double)s->peak), cli_gib(b, sizeof b, (double)s->capacity),
               cli_gib(c, sizeof c, -(double)s->headroom), llmroof_image_offload_string(s->offload));
    else
        printf("Fits (%s): peak %s of %s (weights %s), offload %s\n",
               s->fit == LLMROOF_FIT_GPU ? "all resident" : "with model offload",
               cli_gib(a, sizeof a, (double)s->peak), cli_gib(b, sizeof b, (double)s->capacity),
               cli_gib(c, sizeof c, (double)s->weights), llmroof_image_offload_string(s->offload));
    if (s->fit == LLMROOF_FIT_NONE)
        return;
    printf("Seconds per image: %s", cli_seconds(a, sizeof a, s->seconds_per_image));
    printf("  (step %s, bound by %s; text encoders %s;", cli_seconds(b, sizeof b, s->step_time),
           cli_resource_words(s->step_bound_by), cli_seconds(c, sizeof c, s->encode_time));
    printf(" VAE %s", cli_seconds(a, sizeof a, s->vae_time));
    if (s->transfer_time > 0)
        printf("; weight transfers %s", cli_seconds(b, sizeof b, s->transfer_time));
    printf(")\n");
    if (s->power > 0)
        printf("Energy: %.0f W, %.0f J per image", s->power, s->joules_per_image);
    if (s->power > 0 && r->electricity_price > 0)
        printf(", %.5f USD per image", s->cost_per_image);
    if (s->power > 0)
        printf("\n");
    if (s->price > 0)
        printf("Price: %.0f USD, %.0f USD per image-per-minute of throughput\n", s->price,
               s->price_per_ipm);
}

int cli_cmd_image(int argc, char **argv, cli_common *c)
{
    image_opts o;
    memset(&o, 0, sizeof o);
    llmroof_image_request_init(&o.req);
    int rc = parse_args(argc, argv, c, &o);
    if (rc >= 0)
        return rc;
    llmroof_image_request *r = &o.req;
    if (cli_set_id(r->system, o.system, "system") || cli_set_id(r->model, o.model, "image model") ||
        (o.engine && cli_set_id(r->engine, o.engine, "engine")))
        return CLI_DATA;
    llmroof_catalog *cat = cli_open_catalog(c);
    if (!cat)
        return CLI_DATA;
    llmroof_image_result res;
    llmroof_image_result_init(&res);
    llmroof_error err;
    llmroof_error_init(&err);
    /* Unknown ids get a "did you mean" (as estimate and train do); the
     * estimate's own errors are printed as the library gives them. */
    llmroof_system sys;
    llmroof_image_model im;
    llmroof_engine eng;
    llmroof_system_init(&sys);
    llmroof_image_model_init(&im);
    llmroof_engine_init(&eng);
    llmroof_status st;
    if ((st = llmroof_catalog_get_system(cat, r->system, &sys, &err)) != LLMROOF_OK)
        rc = cli_lookup_failed(cat, st, &err, LLMROOF_SECTION_SYSTEMS, "system", r->system);
    else if ((st = llmroof_catalog_get_image_model(cat, r->model, &im, &err)) != LLMROOF_OK)
        rc = cli_lookup_failed(cat, st, &err, LLMROOF_SECTION_IMAGE_MODELS, "image model",
                               r->model);
    else if (r->engine[0] &&
             (st = llmroof_catalog_get_engine(cat, r->engine, &eng, &err)) != LLMROOF_OK)
        rc = cli_lookup_failed(cat, st, &err, LLMROOF_SECTION_ENGINES, "engine", r->engine);
    else if ((st = llmroof_image_estimate(cat, r, &res, &err)) != LLMROOF_OK) {
        cli_lib_error(&err, st, NULL);
        rc = CLI_DATA;
    } else {
        if (o.json)
            print_json(r, &res);
        else
            print_human(r, &res);
        rc = fflush(stdout) == 0 ? CLI_OK : CLI_DATA;
    }
    llmroof_catalog_free(cat);
    return rc;
}
