/* llmroof-bench: how long the library's calls take on this machine.
 *
 * A benchmark program, not a test: it prints figures and asserts nothing
 * about them (meson test only runs it with --quick and checks that it
 * exits 0).  It uses nothing but the public header.  docs/performance.md
 * explains what it measures and how.
 *
 *   llmroof-bench            full run (a few seconds)
 *   llmroof-bench --quick    few iterations (smoke test)
 *   llmroof-bench --estimate-only N
 *                            loads the builtin catalog and runs every
 *                            estimate request (and six fine-tuning
 *                            estimates) N times, printing nothing
 *                            else: run it under valgrind with two values
 *                            of N to check that estimate never allocates
 *                            (docs/performance.md "No allocation").
 *   llmroof-bench --gguf FILE [--config FILE]...
 *                            times llmroof_model_from_gguf (header, metadata
 *                            and tensor infos) / llmroof_model_from_config
 *                            on each file, nothing else; tools/nlc/bench_gguf.sh
 *                            prints it beside node-llama-cpp's reader.
 *   llmroof-bench --gguf-tensors N FILE
 *                            writes FILE, a GGUF header of N one-dimensional
 *                            tensor infos and no metadata (2^20 is the
 *                            reader's limit), and times reading it as --gguf
 *                            does: the cost of the name-uniqueness check.
 *
 * Each figure is the median over RUNS runs of REPS repetitions; both are
 * printed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "llmroof/llmroof.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

#define MAX_RUNS 64

static void die(const char *what, const llmroof_error *err)
{
    fprintf(stderr, "llmroof-bench: %s: %s%s%s\n", what, err->file, err->file[0] ? ": " : "",
            err->message);
    exit(1);
}

/* ---------------------------------------------------------------- loads */

/* Seconds per builtin load (new + load_builtin + free), median of runs. */
static double bench_builtin(int runs, int reps)
{
    double t[MAX_RUNS];
    for (int r = 0; r < runs; r++) {
        double t0 = now();
        for (int i = 0; i < reps; i++) {
            llmroof_catalog *cat;
            llmroof_error err;
            llmroof_error_init(&err);
            if (llmroof_catalog_new(&cat, &err) ||
                llmroof_catalog_load_builtin(cat, 0, &err))
                die("builtin catalog", &err);
            llmroof_catalog_free(cat);
        }
        t[r] = (now() - t0) / reps;
    }
    return median(t, runs);
}

/* A 1,000-entry descriptor file: 700 devices, 150 links, 150 models, each
 * with the fields the bundled ones carry.  Returns a malloc'd string. */
#define GEN_DEVICES 700
#define GEN_LINKS 150
#define GEN_MODELS 150

static char *generate_yaml(size_t *length)
{
    size_t cap = 1u << 20, len = 0;
    char *s = malloc(cap);
    if (!s)
        exit(1);
#define EMIT(...)                                                                                  \
    do {                                                                                           \
        for (;;) {                                                                                 \
            int n_ = snprintf(s + len, cap - len, __VA_ARGS__);                                    \
            if (n_ >= 0 && (size_t)n_ < cap - len) {                                               \
                len += (size_t)n_;                                                                 \
                break;                                                                             \
            }                                                                                      \
            cap *= 2;                                                                              \
            char *p_ = realloc(s, cap);                                                            \
            if (!p_)                                                                               \
                exit(1);                                                                           \
            s = p_;                                                                                \
        }                                                                                          \
    } while (0)
    EMIT("llmroof: 1\n# generated by llmroof-bench\ndevices:\n");
    for (int i = 0; i < GEN_DEVICES; i++) {
        EMIT("  bench-gpu-%d:\n"
             "    name: Benchmark GPU %d\n"
             "    kind: gpu\n"
             "    backend: cuda\n"
             "    memory: %d GiB\n"
             "    reserved: 0.5 GiB\n"
             "    bandwidth: %d GB/s\n"
             "    compute: {f16: %d.5 TFLOPS, int8: %d TOPS}\n"
             "    power: %d W\n"
             "    price: %d USD\n"
             "    source: \"generated entry %d for the loader benchmark; the figures are "
             "plausible but describe no real device\"\n",
             i, i, 8 + i % 73, 200 + i, 20 + i % 300, 40 + i % 600, 100 + i % 500,
             200 + i * 3, i);
    }
    EMIT("links:\n");
    for (int i = 0; i < GEN_LINKS; i++)
        EMIT("  bench-link-%d:\n"
             "    name: Benchmark link %d\n"
             "    bandwidth: %d.25 GB/s\n"
             "    latency: %d us\n"
             "    source: \"generated link %d\"\n",
             i, i, 10 + i, 2 + i % 20, i);
    EMIT("models:\n");
    for (int i = 0; i < GEN_MODELS; i++)
        EMIT("  bench-model-%d:\n"
             "    name: Benchmark model %d\n"
             "    layers: %d\n"
             "    hidden: %d\n"
             "    ffn: %d\n"
             "    heads: 32\n"
             "    kv_heads: 8\n"
             "    head_dim: 128\n"
             "    vocab: 128256\n"
             "    context: 131072\n"
             "    tied_embeddings: false\n"
             "    source: \"generated model %d\"\n",
             i, i, 16 + i % 64, 4096, 14336 + 64 * i, i);
#undef EMIT
    *length = len;
    return s;
}

static double bench_yaml(const char *text, size_t length, int runs, int reps)
{
    double t[MAX_RUNS];
    for (int r = 0; r < runs; r++) {
        double t0 = now();
        for (int i = 0; i < reps; i++) {
            llmroof_catalog *cat;
            llmroof_error err;
            llmroof_error_init(&err);
            if (llmroof_catalog_new(&cat, &err) ||
                llmroof_catalog_load_string(cat, "bench.yaml", text, length, 0, &err))
                die("generated catalog", &err);
            llmroof_catalog_free(cat);
        }
        t[r] = (now() - t0) / reps;
    }
    return median(t, runs);
}

/* ------------------------------------------------------------- estimate */

typedef struct bench_request {
    const char *label;
    const char *system, *model, *quant;
    int32_t split;
    uint32_t ctx;
} bench_request;

static const bench_request requests[] = {
    {"8B Q4_K_M on one RTX 4090 (fits)", "pc-rtx-4090", "llama-3.1-8b", "Q4_K_M",
     LLMROOF_SPLIT_AUTO, 0},
    {"70B Q4_K_M on one RTX 4090 (offload search)", "pc-rtx-4090", "llama-3.3-70b", "Q4_K_M",
     LLMROOF_SPLIT_AUTO, 0},
    {"70B Q4_K_M on 2x RTX 4090 (layer split)", "pc-2x-rtx-4090", "llama-3.3-70b", "Q4_K_M",
     LLMROOF_SPLIT_LAYER, 0},
    {"70B Q4_K_M on Mac Studio M3 Ultra 96 GB", "mac-studio-m3-ultra-96gb", "llama-3.3-70b",
     "Q4_K_M", LLMROOF_SPLIT_AUTO, 8192},
};
#define NREQ (sizeof requests / sizeof requests[0])

static void make_request(const bench_request *b, llmroof_request *req)
{
    llmroof_request_init(req);
    snprintf(req->system, sizeof req->system, "%s", b->system);
    snprintf(req->model, sizeof req->model, "%s", b->model);
    snprintf(req->quant, sizeof req->quant, "%s", b->quant);
    req->split = b->split;
    req->ctx = b->ctx;
}

/* A sink so the compiler cannot drop the calls. */
static volatile double sink;

/* Calls per second, median of runs. */
static double bench_estimate(const llmroof_catalog *cat, const llmroof_request *req, int runs,
                             int reps, llmroof_result *last)
{
    double t[MAX_RUNS];
    llmroof_result res;
    llmroof_error err;
    for (int r = 0; r < runs; r++) {
        double acc = 0;
        double t0 = now();
        for (int i = 0; i < reps; i++) {
            llmroof_result_init(&res);
            if (llmroof_estimate(cat, req, &res, NULL) != LLMROOF_OK) {
                llmroof_error_init(&err);
                llmroof_result_init(&res);
                llmroof_estimate(cat, req, &res, &err);
                die("estimate", &err);
            }
            acc += res.decode_tps;
        }
        t[r] = reps / (now() - t0);
        sink = acc;
    }
    *last = res;
    return median(t, runs);
}

/* ----------------------------------------------------------------- pick */

/* Picks over every quant of Llama 3 70B at 8k (automatic placement, f16
 * KV), with no target and with reading speed (5 tok/s), on the article's
 * three machines: microseconds per pick, median of runs.  The result is
 * ~50 KiB, so it lives on the heap, allocated once. */
static void bench_pick(const llmroof_catalog *cat, int runs, int reps)
{
    static const char *const systems[] = {"pc-rtx-4090", "pc-2x-rtx-4090",
                                          "mac-studio-m3-ultra-96gb"};
    llmroof_pick_request *req = malloc(sizeof *req);
    llmroof_pick_result *res = malloc(sizeof *res);
    if (!req || !res) {
        fprintf(stderr, "llmroof-bench: out of memory\n");
        exit(1);
    }
    for (size_t k = 0; k < sizeof systems / sizeof systems[0]; k++) {
        for (int target = 0; target < 2; target++) {
            llmroof_pick_request_init(req);
            snprintf(req->base.system, sizeof req->base.system, "%s", systems[k]);
            snprintf(req->base.model, sizeof req->base.model, "llama-3-70b");
            req->base.ctx = 8192;
            req->min_decode_tps = target ? 5 : 0;
            double t[MAX_RUNS];
            for (int r = 0; r < runs; r++) {
                double t0 = now();
                for (int i = 0; i < reps; i++) {
                    llmroof_pick_result_init(res);
                    llmroof_error err;
                    llmroof_error_init(&err);
                    if (llmroof_pick(cat, req, res, &err) != LLMROOF_OK)
                        die("pick", &err);
                }
                t[r] = (now() - t0) / reps;
            }
            uint32_t weighed = 0;
            for (uint32_t i = 0; i < res->candidate_count; i++)
                weighed += res->candidates[i].verdict != LLMROOF_VERDICT_NOT_TRIED;
            printf("pick, 70B at 8k on %s, %s: %.1f us/pick (%s; %u of %u quants weighed)  "
                   "[%d reps x %d runs]\n",
                   systems[k], target ? "decode >= 5 tok/s" : "no target",
                   median(t, runs) * 1e6,
                   res->chosen >= 0 ? res->candidates[res->chosen].quant : "none", weighed,
                   res->candidate_count, reps, runs);
        }
    }
    free(req);
    free(res);
}

/* ----------------------------------------------------------------- main */

static int estimate_only(long n)
{
    llmroof_catalog *cat;
    llmroof_error err;
    llmroof_error_init(&err);
    if (llmroof_catalog_new(&cat, &err) || llmroof_catalog_load_builtin(cat, 0, &err))
        die("builtin catalog", &err);
    llmroof_request req[NREQ];
    for (size_t k = 0; k < NREQ; k++)
        make_request(&requests[k], &req[k]);
    llmroof_result res;
    double acc = 0;
    for (long i = 0; i < n; i++)
        for (size_t k = 0; k < NREQ; k++) {
            llmroof_result_init(&res);
            if (llmroof_estimate(cat, &req[k], &res, &err))
                die("estimate", &err);
            acc += res.decode_tps;
        }
    /* Fine-tuning estimates (docs/model.md §10) must not allocate either:
     * every method, on one and on two GPUs. */
    llmroof_train_request treq;
    llmroof_train_result tres;
    for (long i = 0; i < n; i++)
        for (int32_t method = LLMROOF_TRAIN_FULL; method <= LLMROOF_TRAIN_QLORA; method++)
            for (int two = 0; two < 2; two++) {
                llmroof_train_request_init(&treq);
                strcpy(treq.system, two ? "pc-2x-rtx-4090" : "pc-rtx-4090");
                strcpy(treq.model, "llama-3.1-8b");
                treq.method = method;
                llmroof_train_result_init(&tres);
                if (llmroof_train_estimate(cat, &treq, &tres, &err))
                    die("train estimate", &err);
                acc += tres.tokens_per_s;
            }
    /* And image estimates (docs/model.md §9): SDXL on the article's two
     * machines, FLUX.1 dev with model offload. */
    static const char *const image_runs[][2] = {{"pc-rtx-4090", "sdxl-1.0"},
                                                {"mac-studio-m3-ultra-96gb", "sdxl-1.0"},
                                                {"pc-rtx-4090", "flux.1-dev"}};
    llmroof_image_request ireq;
    llmroof_image_result ires;
    for (long i = 0; i < n; i++)
        for (size_t k = 0; k < sizeof image_runs / sizeof image_runs[0]; k++) {
            llmroof_image_request_init(&ireq);
            snprintf(ireq.system, sizeof ireq.system, "%s", image_runs[k][0]);
            snprintf(ireq.model, sizeof ireq.model, "%s", image_runs[k][1]);
            llmroof_image_result_init(&ires);
            if (llmroof_image_estimate(cat, &ireq, &ires, &err))
                die("image estimate", &err);
            acc += ires.seconds_per_image;
        }
    sink = acc;
    llmroof_catalog_free(cat);
    return 0;
}

/* One file read (GGUF header or config.json) per repetition; the median
 * over runs of the mean per read.  Fails loudly if a read fails. */
static int bench_files(int argc, char **argv)
{
    const int runs = 9;
    for (int i = 1; i + 1 < argc; i += 2) {
        int gguf = strcmp(argv[i], "--gguf") == 0;
        if (!gguf && strcmp(argv[i], "--config") != 0)
            break;
        const char *path = argv[i + 1];
        llmroof_model m;
        llmroof_quant q;
        llmroof_gguf_info info;
        llmroof_error err;
        double t[MAX_RUNS];
        int reps = 0;
        for (int r = 0; r < runs; r++) {
            double t0 = now(), t1;
            int n = 0;
            do {
                llmroof_model_init(&m);
                llmroof_quant_init(&q);
                llmroof_gguf_info_init(&info);
                llmroof_error_init(&err);
                llmroof_status st = gguf ? llmroof_model_from_gguf(path, &m, &q, &info, &err)
                                         : llmroof_model_from_config(path, &m, &err);
                if (st != LLMROOF_OK)
                    die(path, &err);
                n++;
                t1 = now();
            } while (t1 - t0 < 0.05 || n < 3);
            t[r] = (t1 - t0) / n;
            reps += n;
        }
        double med = median(t, runs);
        if (gguf)
            printf("gguf header read, %s (%llu tensors, %.1f GiB of tensor data): %.3f ms  "
                   "[%d reads over %d runs]\n",
                   path, (unsigned long long)info.tensor_count,
                   (double)info.tensor_bytes / (1024.0 * 1024 * 1024), med * 1e3, reps,
                   runs);
        else
            printf("config.json read, %s: %.3f ms  [%d reads over %d runs]\n", path,
                   med * 1e3, reps, runs);
    }
    return 0;
}

/* A GGUF v3 file of n tensor infos "blk.K.w", 8 f32 each, no metadata;
 * the data section is left a hole (the reader checks its size only). */
static int write_many_tensors(const char *path, unsigned long n)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        return 1;
    }
    unsigned char head[24] = {'G', 'G', 'U', 'F', 3};
    for (int k = 0; k < 8; k++)
        head[8 + k] = (unsigned char)((unsigned long long)n >> (8 * k));
    int ok = fwrite(head, 1, sizeof head, f) == sizeof head;
    unsigned long long pos = sizeof head;
    for (unsigned long i = 0; i < n && ok; i++) {
        unsigned char rec[64] = {0};
        char name[32];
        int len = snprintf(name, sizeof name, "blk.%lu.w", i);
        unsigned long long fields[2] = {(unsigned long long)len, 0};
        size_t at = 0;
        for (int k = 0; k < 8; k++)
            rec[at++] = (unsigned char)(fields[0] >> (8 * k));
        memcpy(rec + at, name, (size_t)len);
        at += (size_t)len;
        rec[at] = 1; /* n_dims */
        at += 4;
        rec[at] = 8; /* ne0 */
        at += 8;
        at += 4; /* type 0: f32 */
        unsigned long long off = 32ull * i;
        for (int k = 0; k < 8; k++)
            rec[at++] = (unsigned char)(off >> (8 * k));
        ok = fwrite(rec, 1, at, f) == at;
        pos += at;
    }
    unsigned long long end = (pos + 31) / 32 * 32 + 32ull * n;
    ok = ok && fseek(f, (long)(end - 1), SEEK_SET) == 0 && fputc(0, f) != EOF;
    if (fclose(f) != 0 || !ok) {
        perror(path);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "--gguf-tensors") == 0) {
        char *endp;
        unsigned long n = strtoul(argv[2], &endp, 10);
        if (*endp || n == 0 || n > (1ul << 20)) {
            fprintf(stderr, "%s: --gguf-tensors takes 1 to 1048576\n", argv[0]);
            return 2;
        }
        if (write_many_tensors(argv[3], n))
            return 1;
        char *args[] = {argv[0], "--gguf", argv[3]};
        return bench_files(3, args);
    }
    int quick = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quick") == 0) {
            quick = 1;
        } else if (strcmp(argv[i], "--estimate-only") == 0 && i + 1 < argc) {
            return estimate_only(strtol(argv[i + 1], NULL, 10));
        } else if ((strcmp(argv[i], "--gguf") == 0 || strcmp(argv[i], "--config") == 0) &&
                   i == 1 && argc % 2 == 1) {
            return bench_files(argc, argv);
        } else {
            fprintf(stderr, "usage: %s [--quick | --estimate-only N | --gguf FILE "
                            "[--config FILE]... | --gguf-tensors N FILE]\n", argv[0]);
            return 2;
        }
    }
    const int runs = quick ? 3 : 9;
    const int load_reps = quick ? 2 : 50;
    const int yaml_reps = quick ? 1 : 20;
    const int est_reps = quick ? 100 : 200000;

    printf("llmroof %s benchmark%s; each figure: median of %d runs\n", llmroof_version(),
           quick ? " (--quick: figures are not meaningful)" : "", runs);

    double t = bench_builtin(runs, load_reps);
    llmroof_catalog *cat;
    llmroof_error err;
    llmroof_error_init(&err);
    if (llmroof_catalog_new(&cat, &err) || llmroof_catalog_load_builtin(cat, 0, &err))
        die("builtin catalog", &err);
    uint32_t entries = 0;
    for (int s = 0; s < LLMROOF_SECTION_COUNT; s++)
        entries += llmroof_catalog_count(cat, s);
    printf("builtin load (new + load_builtin + free, %u entries): %.3f ms  [%d reps x %d runs]\n",
           entries, t * 1e3, load_reps, runs);

    size_t length;
    char *text = generate_yaml(&length);
    t = bench_yaml(text, length, runs, yaml_reps);
    printf("1,000-entry YAML load (%d devices, %d links, %d models; %.1f KiB; new + "
           "load_string + free): %.3f ms  [%d reps x %d runs]\n",
           GEN_DEVICES, GEN_LINKS, GEN_MODELS, length / 1024.0, t * 1e3, yaml_reps, runs);
    free(text);

    for (size_t k = 0; k < NREQ; k++) {
        llmroof_request req;
        llmroof_result res;
        make_request(&requests[k], &req);
        double cps = bench_estimate(cat, &req, runs, est_reps, &res);
        printf("estimate, %s: %.0f calls/s (%.2f us/call; fit %s, gpu_layers %d, %.1f tok/s)  "
               "[%d reps x %d runs]\n",
               requests[k].label, cps, 1e6 / cps, llmroof_fit_string(res.fit), res.gpu_layers,
               res.decode_tps, est_reps, runs);
    }

    bench_pick(cat, runs, quick ? 5 : 2000);
    printf("python: the ctypes call overhead is measured by examples/python/bench.py\n");
    llmroof_catalog_free(cat);
    return 0;
}
