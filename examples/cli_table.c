/* llmroof table: the article's Mac Studio M3 Ultra vs RTX 4090 comparison
 * (reference/000_b4adc14a88bdc0ba.txt, the problem statement in DESIGN.md),
 * recomputed from first principles, with the article's own figures beside
 * ours and marks where they cannot be right. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

void cli_help_table(FILE *out)
{
    fputs("Usage: llmroof table [--catalog FILE]... [--override]\n"
          "\n"
          "Reproduces the comparison table of the article \"Mac Studio M3 Ultra vs dual\n"
          "RTX 4090\" (runaihome.com) from first principles: for each model and machine,\n"
          "whether it fits, the predicted generation speed, the physical limit and what\n"
          "sets it, and the article's own figure, marked where that figure exceeds the\n"
          "limit or the model does not fit as the article assumes.\n"
          "\n"
          "Workload: llama-bench tg128 (128 generated tokens, batch 1) with a 4096-token\n"
          "context allocated, KV cache f16, engine llama.cpp.\n"
          "\n"
          "Options:\n"
          "  --catalog FILE   load extra descriptors (repeatable), e.g. to recalibrate\n"
          "  --override       let --catalog files redefine existing ids\n"
          "  -h, --help       this help\n"
          "\n"
          "Exit status: 0 table printed, 1 a descriptor is missing or invalid,\n"
          "2 bad command line.\n",
          out);
}

/* The three machines, in the article's column order. */
enum { MAC, DUAL, SINGLE, MACHINES };
static const struct {
    const char *system;
    const char *label;
} machines[MACHINES] = {
    [MAC] = {"mac-studio-m3-ultra-96gb", "M3 Ultra 96GB"},
    [DUAL] = {"pc-2x-rtx-4090", "2x RTX 4090 (PCIe)"},
    [SINGLE] = {"pc-rtx-4090", "1x RTX 4090"},
};

typedef enum claim_kind {
    CLAIM_GPU,     /* a speed, the model assumed to be in GPU memory */
    CLAIM_OFFLOAD, /* a speed, the article says "(offload)" */
    CLAIM_NO_RUN   /* the article's "✗": does not run */
} claim_kind;

typedef struct claim {
    claim_kind kind;
    double lo, hi; /* decode tok/s */
    const char *text;
} claim;

typedef struct table_row {
    const char *label; /* what the article calls the model, or our stand-in */
    const char *model;
    const char *quant;
    const char *note;  /* footnote marker or "" */
    claim claims[MACHINES];
} table_row;

/* The article's claims, decode tok/s, from its summary table
 * ("| Model | M3 Ultra 96GB (MLX) | Dual RTX 4090 (PCIe) | Single RTX 4090 |",
 * runaihome.com, "Mac Studio M3 Ultra vs dual RTX 4090", reproduced in
 * reference/000_b4adc14a88bdc0ba.txt).  "~" as the article writes it;
 * "won't run" is its "✗".  Its "Llama 3 32B" does not exist: Qwen2.5 32B
 * stands in (footnote [1]). */
static const table_row rows[] = {
    {"Llama 3.1 8B", "llama-3.1-8b", "Q4_K_M", "",
     {[MAC] = {CLAIM_GPU, 75, 75, "~75"},
      [DUAL] = {CLAIM_GPU, 95, 95, "~95"},
      [SINGLE] = {CLAIM_GPU, 95, 135, "~95-135"}}},
    {"Qwen2.5 32B", "qwen2.5-32b", "Q4_K_M", " [1]",
     {[MAC] = {CLAIM_GPU, 35, 35, "~35"},
      [DUAL] = {CLAIM_GPU, 40, 40, "~40"},
      [SINGLE] = {CLAIM_GPU, 25, 35, "~25-35"}}},
    {"Qwen2.5 32B", "qwen2.5-32b", "Q5_K_M", " [1]",
     {[MAC] = {CLAIM_GPU, 28, 28, "~28"},
      [DUAL] = {CLAIM_GPU, 32, 32, "~32"},
      [SINGLE] = {CLAIM_OFFLOAD, 6, 10, "6-10 offload"}}},
    {"Llama 3 70B", "llama-3-70b", "Q4_K_M", " [4]",
     {[MAC] = {CLAIM_GPU, 25, 30, "~25-30"},
      [DUAL] = {CLAIM_GPU, 25, 30, "~25-30"},
      [SINGLE] = {CLAIM_OFFLOAD, 8, 15, "8-15 offload"}}},
    {"Llama 3 70B", "llama-3-70b", "Q8_0", "",
     {[MAC] = {CLAIM_GPU, 12, 15, "~12-15"},
      [DUAL] = {CLAIM_NO_RUN, 0, 0, "won't run"},
      [SINGLE] = {CLAIM_NO_RUN, 0, 0, "won't run"}}},
    {"Llama 3.1 405B", "llama-3.1-405b", "Q4_K_M", " [3]",
     {[MAC] = {CLAIM_GPU, 17, 18, "~17-18"},
      [DUAL] = {CLAIM_NO_RUN, 0, 0, "won't run"},
      [SINGLE] = {CLAIM_NO_RUN, 0, 0, "won't run"}}},
};
#define ROWS (sizeof rows / sizeof rows[0])
#define ROW_70B_Q4 3 /* footnote [4] */

#define TABLE_CTX 4096
#define TABLE_GEN 128

/* One estimate of the table. */
typedef struct cell {
    int ok;
    llmroof_result res;
} cell;

/* Short name of what bounds a step, for a narrow column. */
static const char *bound_short(const llmroof_catalog *cat, const llmroof_result *res)
{
    switch (res->decode_bound_by) {
    case LLMROOF_RESOURCE_DEVICE_MEMORY: {
        int32_t t = res->decode_bound_tier;
        if (t >= 0 && t < LLMROOF_MAX_TIERS && (uint32_t)t < res->tier_count) {
            llmroof_device d;
            llmroof_device_init(&d);
            if (llmroof_catalog_get_device(cat, res->tiers[t].device, &d, NULL) == LLMROOF_OK &&
                d.kind == LLMROOF_DEVICE_UNIFIED)
                return "unified memory";
        }
        return "GPU memory";
    }
    case LLMROOF_RESOURCE_HOST_MEMORY: return "host RAM";
    case LLMROOF_RESOURCE_GPU_LINK: return "GPU-GPU link";
    case LLMROOF_RESOURCE_HOST_LINK: return "GPU-host link";
    case LLMROOF_RESOURCE_COMPUTE: return "compute";
    case LLMROOF_RESOURCE_STORAGE: return "storage reads";
    case LLMROOF_RESOURCE_OVERHEAD: return "overheads";
    default: return "-";
    }
}

static const char *fit_short(int32_t fit)
{
    switch (fit) {
    case LLMROOF_FIT_GPU: return "GPU";
    case LLMROOF_FIT_OFFLOAD: return "offload";
    case LLMROOF_FIT_STORAGE: return "storage";
    case LLMROOF_FIT_NONE: return "none";
    default: return "?";
    }
}

/* Marks comparing the article's claim with our result (legend below). */
static void marks(char *buf, size_t n, const claim *cl, const llmroof_result *res)
{
    size_t k = 0;
    int fit = res->fit;
    if (cl && cl->kind != CLAIM_NO_RUN) {
        if (fit != LLMROOF_FIT_NONE && isfinite(res->decode_bound_tps) &&
            cl->lo > res->decode_bound_tps && k + 1 < n)
            buf[k++] = '!';
        int gpu_claim = cl->kind == CLAIM_GPU;
        if ((fit == LLMROOF_FIT_NONE || fit == LLMROOF_FIT_STORAGE ||
             (gpu_claim && fit == LLMROOF_FIT_OFFLOAD)) &&
            k + 1 < n)
            buf[k++] = 'F';
    }
    /* The article says it needs offload or won't run at all, yet it fits. */
    if (cl && cl->kind != CLAIM_GPU && fit == LLMROOF_FIT_GPU && k + 1 < n)
        buf[k++] = '?';
    if ((res->flags & LLMROOF_FLAG_NEEDS_WIRED_LIMIT) && k + 1 < n)
        buf[k++] = 'w';
    buf[k] = '\0';
}

/* MLX cannot load GGUF k-quants: its line uses MLX's own format of the same
 * or the next larger width (4-bit for Q4 mixes, 6-bit for Q5/Q6, 8-bit for
 * Q8), when the catalog has it. */
static const char *mlx_quant(const llmroof_catalog *cat, const char *quant)
{
    const char *q = NULL;
    if (strncmp(quant, "Q4", 2) == 0 || strncmp(quant, "IQ4", 3) == 0)
        q = "MLX-4bit";
    else if (strncmp(quant, "Q5", 2) == 0 || strncmp(quant, "Q6", 2) == 0)
        q = "MLX-6bit";
    else if (strncmp(quant, "Q8", 2) == 0)
        q = "MLX-8bit";
    llmroof_quant tmp;
    llmroof_quant_init(&tmp);
    return q && llmroof_catalog_get_quant(cat, q, &tmp, NULL) == LLMROOF_OK ? q : quant;
}

static int run_estimate(const llmroof_catalog *cat, const char *system, const char *engine,
                        const table_row *row, cell *out)
{
    llmroof_request req;
    llmroof_request_init(&req);
    snprintf(req.system, sizeof req.system, "%s", system);
    snprintf(req.model, sizeof req.model, "%s", row->model);
    snprintf(req.quant, sizeof req.quant, "%s",
             strcmp(engine, "mlx") == 0 ? mlx_quant(cat, row->quant) : row->quant);
    snprintf(req.engine, sizeof req.engine, "%s", engine);
    /* llama-bench tg128: no prompt, 128 tokens generated from an empty
     * cache, with the context the article assumes ("headroom for a 4K
     * context") allocated. */
    req.ctx = TABLE_CTX;
    req.depth = 0;
    req.prompt = 0;
    req.gen = TABLE_GEN;
    llmroof_error err;
    llmroof_error_init(&err);
    llmroof_result_init(&out->res);
    llmroof_status st = llmroof_estimate(cat, &req, &out->res, &err);
    out->ok = st == LLMROOF_OK;
    if (!out->ok) {
        fprintf(stderr, "llmroof: error: %s %s on %s (engine %s): ", row->model, row->quant,
                system, engine[0] ? engine : "llama.cpp");
        fprintf(stderr, "%s (%s)\n", err.message[0] ? err.message : "estimate failed",
                llmroof_status_string(st));
    }
    return out->ok ? 0 : -1;
}

/* One line of the table; trailing blanks trimmed. */
static void columns(const char *label, const char *fit, const char *pred, const char *bound,
                    const char *by, const char *claim, const char *mk)
{
    char line[256];
    int n = snprintf(line, sizeof line, "  %-20s  %-8s  %9s  %7s  %-15s  %-12s  %s", label, fit,
                     pred, bound, by, claim, mk);
    if (n < 0)
        return;
    size_t len = strlen(line);
    while (len > 0 && line[len - 1] == ' ')
        line[--len] = '\0';
    puts(line);
}

static void print_line(const llmroof_catalog *cat, const char *label, const cell *c,
                       const claim *cl)
{
    char pred[32], bound[32], mk[8] = "";
    if (!c->ok) {
        columns(label, "error", "-", "-", "-", cl ? cl->text : "", "");
        return;
    }
    const llmroof_result *r = &c->res;
    int runs = r->fit != LLMROOF_FIT_NONE;
    marks(mk, sizeof mk, cl, r);
    columns(label, fit_short(r->fit), runs ? cli_tps(pred, sizeof pred, r->decode_tps) : "-",
            runs ? cli_tps(bound, sizeof bound, r->decode_bound_tps) : "-",
            runs ? bound_short(cat, r) : "-", cl ? cl->text : "", mk);
}

/* Bandwidth of the first accelerator of a system, 0 if unknown. */
static double system_bandwidth(const llmroof_catalog *cat, const char *system)
{
    llmroof_system s;
    llmroof_device d;
    llmroof_system_init(&s);
    llmroof_device_init(&d);
    if (llmroof_catalog_get_system(cat, system, &s, NULL) != LLMROOF_OK ||
        s.accelerator_count == 0 ||
        llmroof_catalog_get_device(cat, s.accelerators[0], &d, NULL) != LLMROOF_OK)
        return 0;
    return d.bandwidth;
}

/* The article's claims beyond LLM decode: image generation, fine-tuning,
 * power and price (docs/model.md §7, §9, §10), each recomputed on the three
 * machines.  A Mac runs images with Core ML and trains with mlx-lm when the
 * catalog has those engines (what a Mac user would use); the PCs take each
 * task's default engine. */
static const char *mac_engine(const llmroof_catalog *cat, const char *id)
{
    llmroof_engine e;
    llmroof_engine_init(&e);
    return llmroof_catalog_get_engine(cat, id, &e, NULL) == LLMROOF_OK ? id : "";
}

static void other_row(const char *label, char cols[MACHINES][24], const char *article)
{
    printf("  %-24s%-22s%-22s%s\n", label, cols[MAC], cols[SINGLE], cols[DUAL]);
    if (article)
        printf("  %-24sarticle: %s\n", "", article);
}

/* `decode` is the table's first row (Llama 3.1 8B Q4_K_M) on each machine:
 * its power, idle power and price are the machine's. */
static void print_other_claims(const llmroof_catalog *cat, const cell decode[MACHINES + 1])
{
    char cols[MACHINES][24], b[32];
    printf("\nThe article's other claims, recomputed\n");
    printf("  %-24s%-22s%-22s%s\n", "", machines[MAC].label, machines[SINGLE].label,
           "2x RTX 4090");
    /* SDXL 1024x1024, 30 steps. */
    for (int m = 0; m < MACHINES; m++) {
        llmroof_image_request q;
        llmroof_image_result r;
        llmroof_image_request_init(&q);
        llmroof_image_result_init(&r);
        snprintf(q.system, sizeof q.system, "%s", machines[m].system);
        snprintf(q.model, sizeof q.model, "sdxl-1.0");
        snprintf(q.engine, sizeof q.engine, "%s", m == MAC ? mac_engine(cat, "coreml") : "");
        q.steps = 30;
        if (llmroof_image_estimate(cat, &q, &r, NULL) == LLMROOF_OK && r.fit != LLMROOF_FIT_NONE)
            snprintf(cols[m], sizeof cols[m], "%s%s", cli_seconds(b, sizeof b, r.seconds_per_image),
                     m == MAC && q.engine[0] ? " (Core ML)" : "");
        else
            snprintf(cols[m], sizeof cols[m], "does not run");
    }
    other_row("SDXL 1024px, 30 steps", cols, "3-7 s on a 4090, the Mac 3-5x slower");
    /* Fine-tuning an 8B model: QLoRA fits a 24 GB card, full does not. */
    static const int32_t methods[] = {LLMROOF_TRAIN_QLORA, LLMROOF_TRAIN_FULL};
    static const char *const labels[] = {"QLoRA 8B, 2048 tokens", "full fine-tune, 8B"};
    static const char *const says[] = {"runs, on CUDA tools; on the Mac only MLX's LoRA", NULL};
    for (int k = 0; k < 2; k++) {
        for (int m = 0; m < MACHINES; m++) {
            llmroof_train_request q;
            llmroof_train_result r;
            llmroof_train_request_init(&q);
            llmroof_train_result_init(&r);
            snprintf(q.system, sizeof q.system, "%s", machines[m].system);
            snprintf(q.model, sizeof q.model, "llama-3.1-8b");
            snprintf(q.engine, sizeof q.engine, "%s", m == MAC ? mac_engine(cat, "mlx-lm") : "");
            q.method = methods[k];
            if (llmroof_train_estimate(cat, &q, &r, NULL) != LLMROOF_OK)
                snprintf(cols[m], sizeof cols[m], "unsupported");
            else if (r.fit == LLMROOF_FIT_NONE)
                snprintf(cols[m], sizeof cols[m], "needs %s", cli_gib(b, sizeof b, (double)r.total));
            else
                snprintf(cols[m], sizeof cols[m], "%.0f tok/s, %s", r.tokens_per_s,
                         cli_gib(b, sizeof b, (double)r.total));
        }
        other_row(labels[k], cols, says[k]);
    }
    /* Power and price, as the table's 8B Q4_K_M decode estimate gave them. */
    for (int m = 0; m < MACHINES; m++)
        snprintf(cols[m], sizeof cols[m], "%.0f W", decode[m].res.power);
    other_row("power, rated", cols, "Mac ~60-80 W total; 450 W / ~900 W for the GPUs alone");
    for (int m = 0; m < MACHINES; m++)
        snprintf(cols[m], sizeof cols[m], "%.0f W", decode[m].res.idle_power);
    other_row("power at idle", cols, NULL);
    for (int m = 0; m < MACHINES; m++)
        snprintf(cols[m], sizeof cols[m], "%.0f USD", decode[m].res.price);
    other_row("price", cols, "3,999 / 4,500-6,500 / 7,000-8,500 (new) USD");
    printf("Power is the parts' rated power (an upper bound: docs/model.md §7); the\n"
           "whole comparison on a workload mix: llmroof compare examples/compare/article.yaml\n");
}

int cli_cmd_table(int argc, char **argv, cli_common *c)
{
    for (int i = 0; i < argc; i++) {
        int m;
        if (cli_is_help(argv[i])) {
            cli_help_table(stdout);
            return CLI_OK;
        }
        if ((m = cli_common_option("table", argc, argv, &i, c)) != 0) {
            if (m < 0)
                return CLI_USAGE;
            continue;
        }
        if (argv[i][0] == '-')
            cli_usage_error("table", "unknown option '%s'", argv[i]);
        else
            cli_usage_error("table", "unexpected argument '%s'", argv[i]);
        return CLI_USAGE;
    }

    llmroof_catalog *cat = cli_open_catalog(c);
    if (!cat)
        return CLI_DATA;
    int rc = CLI_OK;
    /* The article measured the Mac with MLX: when the catalog knows that
     * engine, the Mac gets a second line with it, and the claim sits there. */
    llmroof_engine mlx;
    llmroof_engine_init(&mlx);
    int have_mlx = llmroof_catalog_get_engine(cat, "mlx", &mlx, NULL) == LLMROOF_OK;

    /* [row][machine], plus the Mac under MLX. */
    cell(*cells)[MACHINES + 1] = calloc(ROWS, sizeof *cells);
    if (!cells) {
        cli_error("out of memory");
        llmroof_catalog_free(cat);
        return CLI_DATA;
    }
    for (size_t r = 0; r < ROWS; r++) {
        for (int m = 0; m < MACHINES; m++)
            if (run_estimate(cat, machines[m].system, "", &rows[r], &cells[r][m]) != 0)
                rc = CLI_DATA;
        if (have_mlx &&
            run_estimate(cat, machines[MAC].system, "mlx", &rows[r], &cells[r][MACHINES]) != 0)
            rc = CLI_DATA;
    }

    char b1[32], b2[32];
    printf("Mac Studio M3 Ultra vs RTX 4090 (runaihome.com), recomputed by llmroof %s\n",
           llmroof_version());
    printf("Workload: llama-bench tg128 at ctx %d: 128 tokens generated one at a time (batch 1)\n"
           "from an empty cache, %d-token context allocated, KV cache f16. Engine: llama.cpp\n"
           "with its default split%s.\n",
           TABLE_CTX, TABLE_CTX, have_mlx ? "; on the Mac also MLX, as in the article" : "");
    printf("Speeds are generation (decode) tokens per second.\n\n");
    columns("", "", "predicted", "limit", "", "article", "");
    columns("model / machine", "fits", "tok/s", "tok/s", "limited by", "says tok/s", "marks");
    columns("--------------------", "--------", "---------", "-------", "---------------",
            "------------", "-----");
    for (size_t r = 0; r < ROWS; r++) {
        const table_row *row = &rows[r];
        const cell *any = NULL;
        for (int m = 0; m < MACHINES && !any; m++)
            if (cells[r][m].ok)
                any = &cells[r][m];
        printf("%s %s%s", row->label, row->quant, row->note);
        if (any)
            printf(": weights %s, KV cache %s at %u tokens",
                   cli_gib(b1, sizeof b1, (double)any->res.weights),
                   cli_gib(b2, sizeof b2, (double)any->res.kv), (unsigned)any->res.ctx);
        printf("\n");
        for (int m = 0; m < MACHINES; m++) {
            const claim *cl = &row->claims[m];
            if (m == MAC && have_mlx) {
                print_line(cat, machines[m].label, &cells[r][m], NULL);
                print_line(cat, "M3 Ultra, MLX [2]", &cells[r][MACHINES], cl);
            } else if (m == MAC) {
                print_line(cat, "M3 Ultra 96GB [2]", &cells[r][m], cl);
            } else {
                print_line(cat, machines[m].label, &cells[r][m], cl);
            }
        }
    }

    printf("\nfits       GPU = all in GPU memory (on the Mac: the GPU's share of unified\n"
           "           memory); offload = some layers stay in host RAM; storage = part of\n"
           "           the model is read from disk for every token; none = does not run.\n"
           "predicted  llmroof's estimate, with the engine's efficiency from the catalog.\n"
           "limit      the roofline bound: every byte a token needs read at 100%% of peak\n"
           "           bandwidth, no overheads. No real engine reaches it.\n"
           "marks      !  the article's figure (even its low end) is above the limit:\n"
           "              physically impossible on this machine\n"
           "           F  the article's figure assumes the model fits (in GPU memory, or\n"
           "              with offload where it says so), but it does not\n"
           "           ?  the article says it needs offload or won't run, yet it fits\n"
           "              in GPU memory\n"
           "           w  fits only after raising macOS's GPU memory limit\n"
           "              (sudo sysctl iogpu.wired_limit_mb=...)\n");
    printf("\n[1] There is no \"Llama 3 32B\"; the article's 32B rows are shown with\n"
           "    Qwen2.5 32B (qwen2.5-32b), the usual 32B dense model, at its quants.\n");
    if (have_mlx)
        printf("[2] The article's Mac figures were measured with MLX, so they are compared with\n"
               "    the MLX line, in MLX's own format (4-bit for the Q4 rows, 6-bit for Q5, 8-bit\n"
               "    for Q8); the line above it is llama.cpp on the same Mac.\n");
    else
        printf("[2] The article's Mac figures were measured with MLX; the catalog has no 'mlx'\n"
               "    engine, so they are compared with llama.cpp on the same Mac.\n");
    /* 405B: the numbers the article's own text contradicts its table with. */
    const cell *big = &cells[ROWS - 1][MAC];
    double bw = system_bandwidth(cat, machines[MAC].system);
    if (big->ok && big->res.weights > 0) {
        printf("[3] 405B at %s is %s of weights: more than the 96 GB Mac holds\n"
               "    (the article's own text says it \"needs 256 GB config\").",
               rows[ROWS - 1].quant, cli_gib(b1, sizeof b1, (double)big->res.weights));
        if (bw > 0)
            printf(" Even if it fit,\n"
                   "    %.0f GB/s reads those weights at most %.1f times a second, so the\n"
                   "    ceiling would be %.1f tok/s, not 17-18.\n",
                   bw / 1e9, bw / (double)big->res.weights, bw / (double)big->res.weights);
        else
            printf("\n");
    } else {
        printf("[3] The article's text says 405B Q4_K_M \"needs 256 GB config\"; its table\n"
               "    gives 17-18 tok/s for the 96 GB Mac.\n");
    }
    /* How much the PCIe link costs in the dual-4090 70B case. */
    const cell *dual = &cells[ROW_70B_Q4][DUAL];
    if (dual->ok && dual->res.fit == LLMROOF_FIT_GPU && dual->res.decode_step_time > 0) {
        char t1[32], t2[32];
        printf("[4] 2x RTX 4090, 70B Q4_K_M, %s split: of %s per token, %s (%.2g%%) is\n"
               "    traffic between the cards over PCIe.",
               llmroof_split_string(dual->res.split),
               cli_seconds(t1, sizeof t1, dual->res.decode_step_time),
               cli_seconds(t2, sizeof t2, dual->res.decode_link_time),
               100.0 * dual->res.decode_link_time / dual->res.decode_step_time);
        if (dual->res.split == LLMROOF_SPLIT_LAYER)
            printf(" The cards run their layers one after the\n"
                   "    other, so the second card adds memory, not speed.\n");
        else
            printf("\n");
    }
    print_other_claims(cat, cells[0]); /* rows[0]: Llama 3.1 8B Q4_K_M */
    printf("Machines: %s, %s, %s (llmroof list systems).\n", machines[MAC].system,
           machines[DUAL].system, machines[SINGLE].system);

    free(cells);
    llmroof_catalog_free(cat);
    if (fflush(stdout) != 0)
        rc = CLI_DATA;
    return rc;
}
