/* llmroof list: what the catalog holds.  llmroof check: validate files. */
#include <string.h>

#include "cli.h"

void cli_help_list(FILE *out)
{
    fputs("Usage: llmroof list [devices|systems|models|quants|engines|links|image_models]\n"
          "\n"
          "Lists the ids the catalog knows, with a short description. Without an\n"
          "argument, every section under a heading.\n"
          "\n"
          "Options:\n"
          "  --catalog FILE   load extra descriptors (repeatable)\n"
          "  --override       let --catalog files redefine existing ids\n"
          "  -h, --help       this help\n"
          "\n"
          "Exit status: 0 listed, 1 a --catalog file is invalid, 2 bad command line.\n",
          out);
}

void cli_help_check(FILE *out)
{
    fputs("Usage: llmroof check [--catalog FILE]... [--override] FILE...\n"
          "\n"
          "Validates descriptor files. Each FILE is loaded into a fresh catalog on top\n"
          "of the bundled one (and the --catalog files), so it may refer to bundled\n"
          "devices and links. Prints 'FILE: ok' on stdout, or on stderr\n"
          "'FILE:LINE:COLUMN: error: MESSAGE (STATUS)'.\n"
          "\n"
          "Options:\n"
          "  --catalog FILE   load this file first, for every FILE (repeatable)\n"
          "  --override       FILE may redefine ids that already exist\n"
          "  -h, --help       this help\n"
          "\n"
          "Exit status: 0 all files valid, 1 any file invalid, 2 bad command line.\n",
          out);
}

/* Copies s into buf cut to at most `width` bytes without splitting a UTF-8
 * sequence, ending a cut with "..". */
static const char *cut(char *buf, size_t n, const char *s, size_t width)
{
    size_t len = strlen(s);
    if (width + 1 > n)
        width = n - 1;
    if (len <= width) {
        memcpy(buf, s, len + 1);
        return buf;
    }
    size_t k = width - 2;
    while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
        k--;
    memcpy(buf, s, k);
    memcpy(buf + k, "..", 3);
    return buf;
}

/* Widest id of a section, for alignment, within [min, max]. */
static int id_width(const llmroof_catalog *cat, int32_t section, int min, int max)
{
    int w = min;
    uint32_t n = llmroof_catalog_count(cat, section);
    for (uint32_t k = 0; k < n; k++) {
        const char *id = llmroof_catalog_id(cat, section, k);
        int len = id ? (int)strlen(id) : 0;
        if (len > w)
            w = len;
    }
    return w < max ? w : max;
}

/* Width left for the name column so that a line stays within 100 columns,
 * given the id width and the other columns' total (separators included). */
static int name_width(int id_w, int rest)
{
    int w = 100 - 2 - id_w - 2 - rest;
    return w < 16 ? 16 : w > 48 ? 48 : w;
}

static void list_devices(const llmroof_catalog *cat)
{
    char name[64], b[32];
    int w = id_width(cat, LLMROOF_SECTION_DEVICES, 2, 40);
    int nw = name_width(w, 41);
    printf("  %-*s  %-*s  %-7s  %-7s  %9s  %10s\n", w, "id", nw, "name", "kind", "backend",
           "memory", "bandwidth");
    uint32_t n = llmroof_catalog_count(cat, LLMROOF_SECTION_DEVICES);
    int measured = 0;
    for (uint32_t k = 0; k < n; k++) {
        const char *id = llmroof_catalog_id(cat, LLMROOF_SECTION_DEVICES, k);
        llmroof_device d;
        llmroof_device_init(&d);
        if (!id || llmroof_catalog_get_device(cat, id, &d, NULL) != LLMROOF_OK)
            continue;
        char bw[32];
        /* Three significant figures at most: 1008 GB/s, 7.45 GB/s, 0.56 GB/s. */
        double g = d.bandwidth / 1e9;
        int m = d.bandwidth_kind == LLMROOF_BANDWIDTH_MEASURED;
        snprintf(bw, sizeof bw, g >= 100 ? "%.0f GB/s%s" : g >= 10 ? "%.1f GB/s%s" : "%.2f GB/s%s",
                 g, m ? "*" : "");
        measured += m;
        printf("  %-*s  %-*s  %-7s  %-7s  %9s  %10s\n", w, id, nw,
               cut(name, sizeof name, d.name, (size_t)nw),
               llmroof_device_kind_string(d.kind), llmroof_backend_string(d.backend),
               d.memory ? cli_gib(b, sizeof b, (double)d.memory) : "-", bw);
    }
    if (measured)
        printf("  * measured read bandwidth (bandwidth_kind: measured), not a spec-sheet peak\n");
}

static void list_links(const llmroof_catalog *cat)
{
    char name[64];
    int w = id_width(cat, LLMROOF_SECTION_LINKS, 2, 40);
    int nw = name_width(w, 22);
    printf("  %-*s  %-*s  %10s  %8s\n", w, "id", nw, "name", "bandwidth", "latency");
    uint32_t n = llmroof_catalog_count(cat, LLMROOF_SECTION_LINKS);
    for (uint32_t k = 0; k < n; k++) {
        const char *id = llmroof_catalog_id(cat, LLMROOF_SECTION_LINKS, k);
        llmroof_link l;
        llmroof_link_init(&l);
        if (!id || llmroof_catalog_get_link(cat, id, &l, NULL) != LLMROOF_OK)
            continue;
        char bw[32], lat[32];
        snprintf(bw, sizeof bw, "%.1f GB/s", l.bandwidth / 1e9);
        printf("  %-*s  %-*s  %10s  %8s\n", w, id, nw, cut(name, sizeof name, l.name, (size_t)nw), bw,
               cli_seconds(lat, sizeof lat, l.latency));
    }
}

static void list_systems(const llmroof_catalog *cat)
{
    char name[64], b[32];
    int w = id_width(cat, LLMROOF_SECTION_SYSTEMS, 2, 40);
    int nw = name_width(w, 33);
    printf("  %-*s  %-*s  %-18s  %s\n", w, "id", nw, "name", "accelerators", "host memory");
    uint32_t n = llmroof_catalog_count(cat, LLMROOF_SECTION_SYSTEMS);
    for (uint32_t k = 0; k < n; k++) {
        const char *id = llmroof_catalog_id(cat, LLMROOF_SECTION_SYSTEMS, k);
        llmroof_system s;
        llmroof_system_init(&s);
        if (!id || llmroof_catalog_get_system(cat, id, &s, NULL) != LLMROOF_OK)
            continue;
        /* "2x rtx-4090": count runs of the same device. */
        char acc[96] = "none (CPU only)";
        size_t used = 0;
        uint32_t count = s.accelerator_count <= LLMROOF_MAX_DEVICES ? s.accelerator_count
                                                                    : LLMROOF_MAX_DEVICES;
        for (uint32_t a = 0; a < count;) {
            uint32_t same = 1;
            while (a + same < count &&
                   strncmp(s.accelerators[a], s.accelerators[a + same], LLMROOF_ID_MAX) == 0)
                same++;
            int wrote = snprintf(acc + used, sizeof acc - used, "%s%ux %.*s", used ? ", " : "",
                                 (unsigned)same, LLMROOF_ID_MAX - 1, s.accelerators[a]);
            if (wrote < 0 || (size_t)wrote >= sizeof acc - used)
                break;
            used += (size_t)wrote;
            a += same;
        }
        char accs[32];
        printf("  %-*s  %-*s  %-18s  %s\n", w, id, nw, cut(name, sizeof name, s.name, (size_t)nw),
               cut(accs, sizeof accs, acc, 18), cli_gib(b, sizeof b, (double)s.host_memory));
    }
}

static void list_models(const llmroof_catalog *cat)
{
    char name[64];
    int w = id_width(cat, LLMROOF_SECTION_MODELS, 2, 40);
    /* The kind column takes up to 25 ("MoE 8 of 256 experts, MLA"). */
    int nw = name_width(w, 55);
    printf("  %-*s  %-*s  %8s  %6s  %8s  %s\n", w, "id", nw, "name", "params", "layers",
           "context", "kind");
    uint32_t n = llmroof_catalog_count(cat, LLMROOF_SECTION_MODELS);
    for (uint32_t k = 0; k < n; k++) {
        const char *id = llmroof_catalog_id(cat, LLMROOF_SECTION_MODELS, k);
        llmroof_model m;
        llmroof_model_init(&m);
        if (!id || llmroof_catalog_get_model(cat, id, &m, NULL) != LLMROOF_OK)
            continue;
        char params[32], kind[48];
        if (m.params > 0)
            snprintf(params, sizeof params, "%.1f B", m.params / 1e9);
        else
            snprintf(params, sizeof params, "-");
        if (m.experts)
            snprintf(kind, sizeof kind, "MoE %u of %u experts", (unsigned)m.experts_active,
                     (unsigned)m.experts);
        else
            snprintf(kind, sizeof kind, "dense");
        if (m.attention == LLMROOF_ATTENTION_MLA)
            strcat(kind, ", MLA");
        printf("  %-*s  %-*s  %8s  %6u  %8u  %s\n", w, id, nw,
               cut(name, sizeof name, m.name, (size_t)nw),
               params, (unsigned)m.layers, (unsigned)m.context, kind);
    }
}

static void list_quants(const llmroof_catalog *cat)
{
    char name[64];
    int w = id_width(cat, LLMROOF_SECTION_QUANTS, 2, 40);
    int nw = name_width(w, 37);
    printf("  %-*s  %-*s  %11s  %-8s  %s\n", w, "id", nw, "name", "bits/weight", "kernel",
           "quality loss");
    uint32_t n = llmroof_catalog_count(cat, LLMROOF_SECTION_QUANTS);
    for (uint32_t k = 0; k < n; k++) {
        const char *id = llmroof_catalog_id(cat, LLMROOF_SECTION_QUANTS, k);
        llmroof_quant q;
        llmroof_quant_init(&q);
        if (!id || llmroof_catalog_get_quant(cat, id, &q, NULL) != LLMROOF_OK)
            continue;
        char quality[32];
        if (q.quality >= 0)
            snprintf(quality, sizeof quality, "%.4g", q.quality);
        else
            snprintf(quality, sizeof quality, "unknown");
        printf("  %-*s  %-*s  %11.2f  %-8s  %s\n", w, id, nw,
               cut(name, sizeof name, q.name, (size_t)nw),
               q.bpw, q.kernel, quality);
    }
}

static void list_engines(const llmroof_catalog *cat)
{
    char name[64];
    int w = id_width(cat, LLMROOF_SECTION_ENGINES, 2, 40);
    printf("  %-*s  %-20s  %-26s  %s\n", w, "id", "name", "runs (LLM: split modes)",
           "backends");
    uint32_t n = llmroof_catalog_count(cat, LLMROOF_SECTION_ENGINES);
    for (uint32_t k = 0; k < n; k++) {
        const char *id = llmroof_catalog_id(cat, LLMROOF_SECTION_ENGINES, k);
        llmroof_engine e;
        llmroof_engine_init(&e);
        if (!id || llmroof_catalog_get_engine(cat, id, &e, NULL) != LLMROOF_OK)
            continue;
        static const char *const task_names[] = {"llm", "image", "train"};
        char splits[64] = "", backends[96] = "", tasks[32] = "";
        for (int t = 0; t < 3; t++)
            if (e.tasks & (1u << t)) {
                if (tasks[0])
                    strcat(tasks, ",");
                strcat(tasks, task_names[t]);
            }
        for (int32_t s = LLMROOF_SPLIT_LAYER; s <= LLMROOF_SPLIT_NONE; s++)
            if (e.split_modes & LLMROOF_SPLIT_BIT(s)) {
                if (splits[0])
                    strcat(splits, ",");
                strcat(splits, llmroof_split_string(s));
            }
        uint32_t nb = e.backend_count <= LLMROOF_MAX_BACKENDS ? e.backend_count
                                                              : LLMROOF_MAX_BACKENDS;
        for (uint32_t b = 0; b < nb; b++) {
            if (backends[0])
                strcat(backends, ",");
            strcat(backends, llmroof_backend_string(e.backends[b].backend));
        }
        /* Split modes matter to LLM work only: "llm: layer,row", "image". */
        char runs[96];
        if (e.tasks & LLMROOF_TASK_LLM)
            snprintf(runs, sizeof runs, "%s: %s", tasks, splits);
        else
            snprintf(runs, sizeof runs, "%s", tasks);
        printf("  %-*s  %-20s  %-26s  %s\n", w, id, cut(name, sizeof name, e.name, 20), runs,
               backends);
    }
}

static void list_image_models(const llmroof_catalog *cat)
{
    char name[64];
    int w = id_width(cat, LLMROOF_SECTION_IMAGE_MODELS, 2, 40);
    int nw = name_width(w, 40);
    printf("  %-*s  %-*s  %9s  %5s  %8s  %s\n", w, "id", nw, "name", "size", "steps",
           "denoiser", "evals/step");
    uint32_t n = llmroof_catalog_count(cat, LLMROOF_SECTION_IMAGE_MODELS);
    for (uint32_t k = 0; k < n; k++) {
        const char *id = llmroof_catalog_id(cat, LLMROOF_SECTION_IMAGE_MODELS, k);
        llmroof_image_model m;
        llmroof_image_model_init(&m);
        if (!id || llmroof_catalog_get_image_model(cat, id, &m, NULL) != LLMROOF_OK)
            continue;
        char size[24], params[16];
        snprintf(size, sizeof size, "%ux%u", (unsigned)m.width, (unsigned)m.height);
        snprintf(params, sizeof params, "%.3gB", m.denoiser.params / 1e9);
        printf("  %-*s  %-*s  %9s  %5u  %8s  %s\n", w, id, nw,
               cut(name, sizeof name, m.name, (size_t)nw), size, (unsigned)m.steps, params,
               m.guidance == 2 ? "2 (cfg)" : "1");
    }
}

static const struct {
    const char *name;
    int32_t section;
    void (*print)(const llmroof_catalog *);
} sections[] = {
    {"devices", LLMROOF_SECTION_DEVICES, list_devices},
    {"links", LLMROOF_SECTION_LINKS, list_links},
    {"systems", LLMROOF_SECTION_SYSTEMS, list_systems},
    {"models", LLMROOF_SECTION_MODELS, list_models},
    {"quants", LLMROOF_SECTION_QUANTS, list_quants},
    {"engines", LLMROOF_SECTION_ENGINES, list_engines},
    {"image_models", LLMROOF_SECTION_IMAGE_MODELS, list_image_models},
};
#define SECTIONS ((int)(sizeof sections / sizeof sections[0]))

int cli_cmd_list(int argc, char **argv, cli_common *c)
{
    int which = -1;
    for (int i = 0; i < argc; i++) {
        int m;
        if (cli_is_help(argv[i])) {
            cli_help_list(stdout);
            return CLI_OK;
        }
        if ((m = cli_common_option("list", argc, argv, &i, c)) != 0) {
            if (m < 0)
                return CLI_USAGE;
            continue;
        }
        if (argv[i][0] == '-') {
            cli_usage_error("list", "unknown option '%s'", argv[i]);
            return CLI_USAGE;
        }
        if (which >= 0) {
            cli_usage_error("list", "unexpected argument '%s': list one section or all",
                            argv[i]);
            return CLI_USAGE;
        }
        for (int s = 0; s < SECTIONS; s++)
            if (strcmp(argv[i], sections[s].name) == 0)
                which = s;
        if (which < 0) {
            cli_usage_error("list", "unknown section '%s': expected devices, systems, models, "
                                    "quants, engines or links",
                            argv[i]);
            return CLI_USAGE;
        }
    }
    llmroof_catalog *cat = cli_open_catalog(c);
    if (!cat)
        return CLI_DATA;
    if (which >= 0) {
        sections[which].print(cat);
    } else {
        for (int s = 0; s < SECTIONS; s++) {
            printf("%s%s (%u)\n", s ? "\n" : "", sections[s].name,
                   (unsigned)llmroof_catalog_count(cat, sections[s].section));
            sections[s].print(cat);
        }
    }
    llmroof_catalog_free(cat);
    return fflush(stdout) == 0 ? CLI_OK : CLI_DATA;
}

int cli_cmd_check(int argc, char **argv, cli_common *c)
{
    int files = 0, only_files = 0;
    /* First pass: options (so --catalog may follow the files). */
    for (int i = 0; i < argc; i++) {
        int m;
        if (only_files) {
            if (cli_file_name("check", "a FILE argument", argv[i]) != 0)
                return CLI_USAGE;
            files++;
            continue;
        }
        if (strcmp(argv[i], "--") == 0) {
            only_files = 1;
            continue;
        }
        if (cli_is_help(argv[i])) {
            cli_help_check(stdout);
            return CLI_OK;
        }
        if ((m = cli_common_option("check", argc, argv, &i, c)) != 0) {
            if (m < 0)
                return CLI_USAGE;
            continue;
        }
        if (argv[i][0] == '-' && argv[i][1] != '\0') {
            cli_usage_error("check", "unknown option '%s'", argv[i]);
            return CLI_USAGE;
        }
        if (cli_file_name("check", "a FILE argument", argv[i]) != 0)
            return CLI_USAGE;
        files++;
    }
    if (files == 0) {
        cli_usage_error("check", "no file to check");
        return CLI_USAGE;
    }
    int rc = CLI_OK;
    only_files = 0;
    for (int i = 0; i < argc; i++) {
        const char *path = argv[i];
        if (!only_files) {
            if (strcmp(path, "--") == 0) {
                only_files = 1;
                continue;
            }
            if (strcmp(path, "--catalog") == 0) {
                i++; /* its value */
                continue;
            }
            if (path[0] == '-' && path[1] != '\0')
                continue; /* --override, --catalog=FILE: handled above */
        }
        /* A fresh catalog per file, so one file's ids never clash with another's. */
        llmroof_catalog *cat = cli_open_catalog(c);
        if (!cat)
            return CLI_DATA;
        llmroof_error err;
        llmroof_error_init(&err);
        llmroof_status st = llmroof_catalog_load_file(cat, path, c->load_flags, &err);
        if (st == LLMROOF_OK) {
            printf("%s: ok\n", path);
        } else {
            fflush(stdout);
            cli_gcc_error(stderr, &err, st, path);
            rc = CLI_DATA;
        }
        llmroof_catalog_free(cat);
    }
    if (fflush(stdout) != 0)
        rc = CLI_DATA;
    return rc;
}
