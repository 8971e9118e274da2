/* llmroof pick: the best quant and placement for a machine, a model and
 * targets, with every rejected candidate and why (docs/pick.md). */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

void cli_help_pick(FILE *out)
{
    fputs("Usage: llmroof pick --system S --model M [options]\n"
          "\n"
          "Chooses the best-quality quantization of model M that fits on system S and\n"
          "meets every target, with its placement (GPU layers, split, context, KV\n"
          "cache type), and says why every other candidate lost.  Ranking: quality\n"
          "first (lower measured loss), then decode speed.\n"
          "\n"
          "Choose among:\n"
          "  --quant Q            a candidate quant (repeatable; default: every quant\n"
          "                       the engine loads)\n"
          "  --gguf FILE          a candidate GGUF file instead of --model and --quant\n"
          "                       (repeatable; the first gives the model's shapes)\n"
          "  --config FILE        instead of --model: a Hugging Face config.json's shapes\n"
          "  --engine E           inference engine (default llama.cpp)\n"
          "  --kv T[,T...]        KV cache types allowed, tried from the most precise\n"
          "                       (default f16), e.g. --kv f16,q8_0\n"
          "  --min-ctx N          the context may shrink down to N tokens (at most\n"
          "                       --ctx) before layers are offloaded, as llama.cpp's\n"
          "                       --fit does (default: the context is fixed)\n"
          "  --no-offload         refuse placements with layers in host RAM\n"
          "  --allow-storage      accept placements that page weights from disk\n"
          "\n"
          "Workload (as for estimate):\n"
          "  --ctx N --prompt N --gen N --depth N --batch N --ubatch N\n"
          "  --split MODE --backend B --no-flash-attn --gpu-share F\n"
          "\n"
          "Targets:\n"
          "  --min-tps X          decode tokens/s at least X (default 5, about reading\n"
          "                       speed; 0 for none)\n"
          "  --min-prefill-tps X  prompt tokens/s at least X\n"
          "  --max-ttft S         time to first token at most S seconds\n"
          "  --headroom G         leave G GiB free on every GPU\n"
          "\n"
          "Output:\n"
          "  --format F           text (default), json, or llama.cpp (the llama-server\n"
          "                       arguments of the choice, one line)\n"
          "  --catalog FILE       load extra descriptors (repeatable)\n"
          "  --override           let --catalog files redefine existing ids\n"
          "  -h, --help           this help\n"
          "\n"
          "Exit status: 0 a choice meets every target, 3 none does (the closest is\n"
          "printed, with what to relax), 1 unknown id or bad request, 2 bad command line.\n",
          out);
}

#define CLI_NONE_MEETS 3

typedef struct pick_opts {
    const char *system, *model, *engine, *format, *config;
    const char *gguf[LLMROOF_MAX_CANDIDATES];
    int gguf_count;
} pick_opts;

static int bad(const char *opt, const char *v, const char *want)
{
    cli_usage_error("pick", "invalid value '%s' for %s: expected %s", v, opt, want);
    return CLI_USAGE;
}


/* T[,T...]: every element a KV type; an empty one (",f16", "f16,",
 * "f16,,q8_0") is refused, as --tensor-split refuses it. */
static int parse_kv(const char *v, uint32_t *mask)
{
    *mask = 0;
    for (const char *p = v;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        char piece[32];
        int32_t t;
        if (len == 0 || len >= sizeof piece)
            return -1;
        memcpy(piece, p, len);
        piece[len] = '\0';
        if (llmroof_kv_type_from_string(piece, &t) != LLMROOF_OK)
            return -1;
        *mask |= 1u << t;
        if (!comma)
            break;
        p = comma + 1;
    }
    return 0;
}

static int parse_args(int argc, char **argv, cli_common *c, pick_opts *o, llmroof_pick_request *p)
{
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *v;
        int m;
        if (cli_is_help(a)) {
            cli_help_pick(stdout);
            return -1;
        }
        if ((m = cli_common_option("pick", argc, argv, &i, c)) != 0) {
            if (m < 0)
                return CLI_USAGE;
            continue;
        }
        if ((m = cli_workload_option("pick", argc, argv, &i, &p->base)) != 0) {
            if (m < 0)
                return CLI_USAGE;
            continue;
        }
        if ((m = cli_match("pick", argc, argv, &i, "--system", &v)) != 0) {
            if (m < 0)
                return CLI_USAGE;
            o->system = v;
        } else if ((m = cli_match("pick", argc, argv, &i, "--model", &v)) != 0) {
            if (m < 0)
                return CLI_USAGE;
            o->model = v;
        } else if ((m = cli_match("pick", argc, argv, &i, "--config", &v)) != 0) {
            if (m < 0 || cli_file_name("pick", "option '--config'", v) != 0)
                return CLI_USAGE;
            o->config = v;
        } else if ((m = cli_match("pick", argc, argv, &i, "--engine", &v)) != 0) {
            if (m < 0)
                return CLI_USAGE;
            o->engine = v;
        } else if ((m = cli_match("pick", argc, argv, &i, "--gguf", &v)) != 0) {
            if (m < 0 || cli_file_name("pick", "option '--gguf'", v) != 0)
                return CLI_USAGE;
            if (o->gguf_count >= LLMROOF_MAX_CANDIDATES)
                return bad("--gguf", v, "at most 64 files");
            o->gguf[o->gguf_count++] = v;
        } else if ((m = cli_match("pick", argc, argv, &i, "--quant", &v)) != 0) {
            if (m < 0)
                return CLI_USAGE;
            if (p->quant_count >= LLMROOF_MAX_CANDIDATES)
                return bad("--quant", v, "at most 64 quants");
            if (cli_set_id(p->quants[p->quant_count], v, "quant") != 0)
                return CLI_USAGE;
            p->quant_count++;
        } else if ((m = cli_match("pick", argc, argv, &i, "--kv", &v)) != 0) {
            if (m < 0)
                return CLI_USAGE;
            if (parse_kv(v, &p->kv_types) != 0)
                return bad("--kv", v, "KV types such as f16,q8_0,q4_0");
        } else if ((m = cli_match("pick", argc, argv, &i, "--min-ctx", &v)) != 0) {
            if (m < 0)
                return CLI_USAGE;
            if (cli_parse_u32(v, 1, UINT32_MAX, &p->min_ctx) != 0)
                return bad("--min-ctx", v, "a whole number >= 1");
        } else if ((m = cli_match("pick", argc, argv, &i, "--min-tps", &v)) != 0) {
            if (m < 0)
                return CLI_USAGE;
            if (cli_parse_double(v, &p->min_decode_tps) != 0)
                return bad("--min-tps", v, "a number >= 0");
        } else if ((m = cli_match("pick", argc, argv, &i, "--min-prefill-tps", &v)) != 0) {
            if (m < 0)
                return CLI_USAGE;
            if (cli_parse_double(v, &p->min_prefill_tps) != 0)
                return bad("--min-prefill-tps", v, "a number >= 0");
        } else if ((m = cli_match("pick", argc, argv, &i, "--max-ttft", &v)) != 0) {
            if (m < 0)
                return CLI_USAGE;
            if (cli_parse_double(v, &p->max_ttft) != 0)
                return bad("--max-ttft", v, "seconds, a number >= 0");
        } else if ((m = cli_match("pick", argc, argv, &i, "--headroom", &v)) != 0) {
            if (m < 0)
                return CLI_USAGE;
            double g;
            if (cli_parse_double(v, &g) != 0 || g > 1e6)
                return bad("--headroom", v, "GiB, a number >= 0");
            p->headroom = (uint64_t)(g * 1024.0 * 1024.0 * 1024.0);
        } else if ((m = cli_match("pick", argc, argv, &i, "--no-offload", NULL)) != 0) {
            if (m < 0)
                return CLI_USAGE;
            p->flags |= LLMROOF_PICK_NO_OFFLOAD;
        } else if ((m = cli_match("pick", argc, argv, &i, "--allow-storage", NULL)) != 0) {
            if (m < 0)
                return CLI_USAGE;
            p->flags &= ~LLMROOF_PICK_NO_STORAGE;
        } else if ((m = cli_match("pick", argc, argv, &i, "--format", &v)) != 0) {
            if (m < 0)
                return CLI_USAGE;
            if (strcmp(v, "text") != 0 && strcmp(v, "json") != 0 && strcmp(v, "llama.cpp") != 0)
                return bad("--format", v, "text, json or llama.cpp");
            o->format = v;
        } else if (a[0] == '-') {
            cli_usage_error("pick", "unknown option '%s'", a);
            return CLI_USAGE;
        } else {
            cli_usage_error("pick", "unexpected argument '%s'", a);
            return CLI_USAGE;
        }
    }
    if (!o->system || (!o->model && !o->gguf_count && !o->config)) {
        cli_usage_error("pick", "%s is required",
                        !o->system ? "--system" : "--model (or --gguf or --config)");
        return CLI_USAGE;
    }
    if (o->config && (o->model || o->gguf_count)) {
        cli_usage_error("pick", "--config gives the model: no --model or --gguf");
        return CLI_USAGE;
    }
    if (o->gguf_count && (o->model || p->quant_count)) {
        cli_usage_error("pick", "--gguf files give the model and the quants: no --model or --quant");
        return CLI_USAGE;
    }
    /* The context may only shrink to --min-ctx (issue 14: one above it was
     * taken silently); --ctx 0 is depth + prompt + gen, as in estimate. */
    const uint64_t ctx = p->base.ctx ? p->base.ctx
                                     : (uint64_t)p->base.depth + p->base.prompt + p->base.gen;
    if (p->min_ctx > ctx) {
        cli_usage_error("pick", "--min-ctx %u is above the context (%llu)%s: the context can "
                                "only shrink down to --min-ctx; raise --ctx or lower --min-ctx",
                        p->min_ctx, (unsigned long long)ctx,
                        p->base.ctx ? "" : " (--ctx 0: depth + prompt + gen)");
        return CLI_USAGE;
    }
    if (cli_set_id(p->base.system, o->system, "system") ||
        (o->model && cli_set_id(p->base.model, o->model, "model")) ||
        (o->engine && cli_set_id(p->base.engine, o->engine, "engine")))
        return CLI_USAGE;
    return CLI_OK;
}

static void print_text(const llmroof_pick_request *p, const llmroof_pick_result *r)
{
    char b1[32], b2[32], b3[32], b4[32];
    printf("Pick for %s on %s (engine %s), context %u", p->base.model, p->base.system,
           p->base.engine[0] ? p->base.engine : "llama.cpp", p->base.ctx);
    if (p->min_decode_tps > 0)
        printf(", decode >= %g tok/s", p->min_decode_tps);
    if (p->min_prefill_tps > 0)
        printf(", prefill >= %g tok/s", p->min_prefill_tps);
    if (p->max_ttft > 0)
        printf(", first token <= %g s", p->max_ttft);
    printf("\n\n");
    if (r->chosen >= 0) {
        const llmroof_candidate *c = &r->candidates[r->chosen];
        printf("Choice:   %s, %s\n", c->quant, c->reason);
        printf("          %s tok/s decode, %s tok/s prompt, %s in all (%s of weights)\n",
               cli_tps(b1, sizeof b1, c->decode_tps), cli_tps(b2, sizeof b2, c->prefill_tps),
               cli_gib(b3, sizeof b3, (double)c->total),
               cli_gib(b4, sizeof b4, (double)r->estimate.weights));
        if (c->flags & LLMROOF_PICK_CTX_SHRUNK)
            printf("          the context was shrunk from %u to %u tokens to keep every layer "
                   "on the GPU\n",
                   p->base.ctx, c->ctx);
    } else {
        printf("No quant meets every target.\n");
        if (r->closest >= 0)
            printf("Closest:  %s, %s\n", r->candidates[r->closest].quant,
                   r->candidates[r->closest].reason);
        printf("Advice:   %s\n", r->advice);
    }
    char args[512];
    if (llmroof_pick_llama_args(r, args, sizeof args) > 0)
        printf("llama.cpp: %s\n", args);
    printf("\n  %-12s %-12s %5s %7s %5s %9s  %s\n", "quant", "verdict", "kv", "ctx", "-ngl",
           "tok/s", "why");
    uint32_t untried = 0;
    for (uint32_t i = 0; i < r->candidate_count && i < LLMROOF_MAX_CANDIDATES; i++) {
        const llmroof_candidate *c = &r->candidates[i];
        int tried = c->verdict != LLMROOF_VERDICT_NOT_TRIED;
        if (!tried) {
            untried++;
            continue;
        }
        snprintf(b1, sizeof b1, "%u", c->ctx);
        snprintf(b2, sizeof b2, "%d", c->gpu_layers);
        printf("  %-12s %-12s %5s %7s %5s %9s  %s\n", c->quant, llmroof_verdict_string(c->verdict),
               tried ? llmroof_kv_type_string(c->kv_type) : "-", tried ? b1 : "-",
               tried && c->fit != LLMROOF_FIT_NONE ? b2 : "-",
               tried && c->decode_tps > 0 ? cli_tps(b3, sizeof b3, c->decode_tps) : "-",
               c->reason);
    }
    if (untried) {
        /* Lower quality than the choice: listed, not weighed (--format json
         * has each with its reason). */
        printf("  not weighed, lower quality than %s:",
               r->chosen >= 0 ? r->candidates[r->chosen].quant : "the choice");
        int col = 36;
        for (uint32_t i = 0; i < r->candidate_count && i < LLMROOF_MAX_CANDIDATES; i++) {
            const llmroof_candidate *c = &r->candidates[i];
            if (c->verdict != LLMROOF_VERDICT_NOT_TRIED)
                continue;
            int w = (int)strlen(c->quant) + 1;
            if (col + w > 92) {
                printf("\n   ");
                col = 3;
            }
            printf(" %s", c->quant);
            col += w;
        }
        printf("\n");
    }
}

static void print_json(const llmroof_pick_request *p, const llmroof_pick_result *r)
{
    cli_json j;
    cli_json_init(&j, stdout);
    cli_json_begin_object(&j, NULL);
    cli_json_string(&j, "version", llmroof_version());
    cli_json_string(&j, "system", p->base.system);
    cli_json_string(&j, "model", p->base.model);
    cli_json_string(&j, "engine", p->base.engine[0] ? p->base.engine : "llama.cpp");
    if (r->chosen >= 0)
        cli_json_string(&j, "chosen", r->candidates[r->chosen].quant);
    else
        cli_json_null(&j, "chosen");
    if (r->closest >= 0)
        cli_json_string(&j, "closest", r->candidates[r->closest].quant);
    else
        cli_json_null(&j, "closest");
    cli_json_string(&j, "advice", r->advice);
    cli_json_bool(&j, "context_shrunk", (r->flags & LLMROOF_PICK_CTX_SHRUNK) != 0);
    char args[512];
    if (llmroof_pick_llama_args(r, args, sizeof args) > 0)
        cli_json_string(&j, "llama_cpp_args", args);
    else
        cli_json_null(&j, "llama_cpp_args");
    cli_json_begin_object(&j, "placement");
    cli_json_string(&j, "quant", r->request.quant);
    cli_json_u64(&j, "ctx", r->estimate.ctx);
    cli_json_string(&j, "kv_type", llmroof_kv_type_string(r->estimate.kv_type));
    cli_json_i64(&j, "gpu_layers", r->estimate.gpu_layers);
    cli_json_string(&j, "split", llmroof_split_string(r->estimate.split));
    cli_json_string(&j, "fit", llmroof_fit_string(r->estimate.fit));
    cli_json_begin_array(&j, "tensor_split");
    for (uint32_t i = 0; i < r->estimate.tier_count && i < LLMROOF_MAX_TIERS; i++)
        if (r->estimate.tiers[i].kind == LLMROOF_TIER_ACCELERATOR)
            cli_json_u64(&j, NULL, r->estimate.tiers[i].layers);
    cli_json_end_array(&j);
    cli_json_double(&j, "decode_tokens_per_s", r->estimate.decode_tps);
    cli_json_double(&j, "prefill_tokens_per_s", r->estimate.prefill_tps);
    cli_json_double(&j, "ttft_s", r->estimate.ttft);
    cli_json_u64(&j, "total_bytes", r->estimate.total);
    cli_json_end_object(&j);
    cli_json_begin_array(&j, "candidates");
    for (uint32_t i = 0; i < r->candidate_count && i < LLMROOF_MAX_CANDIDATES; i++) {
        const llmroof_candidate *c = &r->candidates[i];
        cli_json_begin_object(&j, NULL);
        cli_json_string(&j, "quant", c->quant);
        cli_json_string(&j, "verdict", llmroof_verdict_string(c->verdict));
        cli_json_string(&j, "reason", c->reason);
        if (c->quality >= 0)
            cli_json_double(&j, "quality", c->quality);
        else
            cli_json_null(&j, "quality");
        cli_json_double(&j, "bpw", c->bpw);
        if (c->verdict != LLMROOF_VERDICT_NOT_TRIED) {
            cli_json_string(&j, "kv_type", llmroof_kv_type_string(c->kv_type));
            cli_json_u64(&j, "ctx", c->ctx);
            cli_json_i64(&j, "gpu_layers", c->gpu_layers);
            cli_json_string(&j, "fit", llmroof_fit_string(c->fit));
            cli_json_double(&j, "decode_tokens_per_s", c->decode_tps);
            cli_json_double(&j, "prefill_tokens_per_s", c->prefill_tps);
            cli_json_double(&j, "ttft_s", c->ttft);
            cli_json_u64(&j, "total_bytes", c->total);
            if (c->shortfall > 0) {
                cli_json_i64(&j, "shortfall_bytes", c->shortfall);
                cli_json_string(&j, "short_device", c->short_device);
            }
        }
        cli_json_end_object(&j);
    }
    cli_json_end_array(&j);
    cli_json_end_object(&j);
    cli_json_finish(&j);
}

int cli_cmd_pick(int argc, char **argv, cli_common *c)
{
    pick_opts o;
    memset(&o, 0, sizeof o);
    o.format = "text";
    llmroof_pick_request *p = malloc(sizeof *p);
    llmroof_pick_result *r = malloc(sizeof *r);
    if (!p || !r) {
        free(p);
        free(r);
        cli_error("out of memory");
        return CLI_DATA;
    }
    llmroof_pick_request_init(p);
    p->base.ctx = 4096;
    /* A launcher wants an answer someone can use: about reading speed
     * unless told otherwise (docs/pick.md). */
    p->min_decode_tps = 5;
    int rc = parse_args(argc, argv, c, &o, p);
    if (rc != CLI_OK) {
        free(p);
        free(r);
        return rc < 0 ? CLI_OK : rc;
    }
    llmroof_catalog *cat = cli_open_catalog(c);
    if (!cat) {
        free(p);
        free(r);
        return CLI_DATA;
    }
    if (o.config && cli_add_config(cat, o.config, p->base.model) != CLI_OK) {
        llmroof_catalog_free(cat);
        free(p);
        free(r);
        return CLI_DATA;
    }
    /* GGUF files: the first gives the model, each its own quant. */
    for (int k = 0; k < o.gguf_count; k++) {
        if (cli_add_gguf(cat, o.gguf[k], k == 0, k == 0 ? p->base.model : NULL,
                         p->quants[p->quant_count]) != CLI_OK) {
            llmroof_catalog_free(cat);
            free(p);
            free(r);
            return CLI_DATA;
        }
        p->quant_count++;
    }
    llmroof_pick_result_init(r);
    llmroof_error err;
    llmroof_error_init(&err);
    llmroof_status st = llmroof_pick(cat, p, r, &err);
    if (st != LLMROOF_OK) {
        cli_lib_error(&err, st, NULL);
        rc = CLI_DATA;
    } else {
        if (strcmp(o.format, "json") == 0) {
            print_json(p, r);
        } else if (strcmp(o.format, "llama.cpp") == 0) {
            char args[512];
            if (llmroof_pick_llama_args(r, args, sizeof args) > 0)
                printf("%s\n", args);
            /* The quant names the file to pass with -m: on stderr, so that
             * stdout stays one line of arguments. */
            if (r->closest >= 0)
                fprintf(stderr, "llmroof: quant %s\n", r->request.quant);
            if (r->chosen < 0)
                fprintf(stderr, "llmroof: no quant meets every target; %s\n", r->advice);
        } else {
            print_text(p, r);
        }
        rc = r->chosen >= 0 ? CLI_OK : CLI_NONE_MEETS;
    }
    llmroof_catalog_free(cat);
    free(p);
    free(r);
    return rc;
}
