/*
 * Results do not depend on the host's locale (docs/reliability.md): a
 * process that set LC_NUMERIC to a locale with a decimal comma (de_DE)
 * gets byte-identical descriptors from YAML and config.json and
 * byte-identical estimates.  Run by check_locale.sh, which builds the
 * de_DE.UTF-8 locale into a private directory (LOCPATH) so that no root
 * and no installed locale is needed.
 *
 *   check_locale CATALOG_DIR CONFIG.json...
 */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "llmroof/llmroof.h"

static const char *const catalog_files[] = {
    "devices.yaml", "devices-gpus.yaml", "devices-gpus-more.yaml", "devices-apple.yaml",
    "devices-hosts.yaml", "links.yaml", "systems.yaml", "systems-more.yaml",
    "models.yaml", "quants.yaml", "engines.yaml",
};

/* FNV-1a over bytes. */
static void mix(uint64_t *h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        *h = (*h ^ b[i]) * UINT64_C(1099511628211);
}

/* A hash of every descriptor loaded from the catalog's YAML, of each
 * config.json's model, and of a set of estimates on that catalog. */
static int digest(const char *dir, int nconfig, char **configs, uint64_t *h)
{
    *h = UINT64_C(14695981039346656037);
    llmroof_catalog *cat;
    llmroof_error err;
    llmroof_error_init(&err);
    if (llmroof_catalog_new(&cat, &err))
        return 0;
    for (size_t i = 0; i < sizeof catalog_files / sizeof catalog_files[0]; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, catalog_files[i]);
        if (llmroof_catalog_load_file(cat, path, 0, &err)) {
            fprintf(stderr, "%s: %s\n", path, err.message);
            llmroof_catalog_free(cat);
            return 0;
        }
    }
    for (int s = 0; s < LLMROOF_SECTION_COUNT; s++)
        for (uint32_t i = 0; i < llmroof_catalog_count(cat, s); i++) {
            const char *id = llmroof_catalog_id(cat, s, i);
            union {
                llmroof_device d;
                llmroof_link l;
                llmroof_system y;
                llmroof_model m;
                llmroof_quant q;
                llmroof_engine e;
            } u;
            memset(&u, 0, sizeof u);
            llmroof_status st;
            switch (s) {
            case LLMROOF_SECTION_DEVICES: llmroof_device_init(&u.d); st = llmroof_catalog_get_device(cat, id, &u.d, NULL); break;
            case LLMROOF_SECTION_LINKS: llmroof_link_init(&u.l); st = llmroof_catalog_get_link(cat, id, &u.l, NULL); break;
            case LLMROOF_SECTION_SYSTEMS: llmroof_system_init(&u.y); st = llmroof_catalog_get_system(cat, id, &u.y, NULL); break;
            case LLMROOF_SECTION_MODELS: llmroof_model_init(&u.m); st = llmroof_catalog_get_model(cat, id, &u.m, NULL); break;
            case LLMROOF_SECTION_QUANTS: llmroof_quant_init(&u.q); st = llmroof_catalog_get_quant(cat, id, &u.q, NULL); break;
            default: llmroof_engine_init(&u.e); st = llmroof_catalog_get_engine(cat, id, &u.e, NULL); break;
            }
            if (st)
                return 0;
            mix(h, &u, sizeof u);
        }
    const char *systems[] = {"pc-rtx-4090", "pc-2x-rtx-4090", "mac-studio-m3-ultra-96gb"};
    const char *models[] = {"llama-3.1-8b", "llama-3-70b", "deepseek-v3"};
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++) {
            llmroof_request r;
            llmroof_request_init(&r);
            strcpy(r.system, systems[a]);
            strcpy(r.model, models[b]);
            strcpy(r.quant, "Q4_K_M");
            r.ctx = 8192;
            llmroof_result res;
            llmroof_result_init(&res);
            if (llmroof_estimate(cat, &r, &res, &err)) {
                fprintf(stderr, "estimate %s %s: %s\n", systems[a], models[b], err.message);
                llmroof_catalog_free(cat);
                return 0;
            }
            mix(h, &res, sizeof res);
        }
    llmroof_catalog_free(cat);
    for (int i = 0; i < nconfig; i++) {
        llmroof_model m;
        llmroof_model_init(&m);
        if (llmroof_model_from_config(configs[i], &m, &err)) {
            fprintf(stderr, "%s: %s\n", configs[i], err.message);
            return 0;
        }
        mix(h, &m, sizeof m);
    }
    return 1;
}

/* A decimal comma between two digits: "2,5". */
static int decimal_comma(const char *s)
{
    for (const char *c = s; c[0] && c[1] && c[2]; c++)
        if (c[0] >= '0' && c[0] <= '9' && c[1] == ',' && c[2] >= '0' && c[2] <= '9')
            return 1;
    return 0;
}

/* Issue 14, item 9: the library's text (error messages, pick's reasons and
 * advice) writes numbers the C way under the process's de_DE locale. */
static int c_numbers_in_text(void)
{
    llmroof_catalog *cat;
    llmroof_error err;
    llmroof_error_init(&err);
    if (llmroof_catalog_new(&cat, &err) || llmroof_catalog_load_builtin(cat, 0, &err)) {
        fprintf(stderr, "FAIL: %s\n", err.message);
        return 0;
    }
    static const char bad[] = "llmroof: 1\nquants:\n  q-bad:\n    name: bad\n"
                              "    bpw: 65.5\n    kernel: q4_0\n";
    llmroof_error_init(&err);
    int ok = 1;
    if (llmroof_catalog_load_string(cat, "bad.yaml", bad, sizeof bad - 1, 0, &err) ==
            LLMROOF_OK ||
        !strstr(err.message, "65.5") || decimal_comma(err.message)) {
        fprintf(stderr, "FAIL: error message under de_DE: %s\n", err.message);
        ok = 0;
    }
    llmroof_pick_request req;
    llmroof_pick_request_init(&req);
    snprintf(req.base.system, sizeof req.base.system, "pc-rtx-4090");
    snprintf(req.base.model, sizeof req.base.model, "llama-3-70b");
    req.min_decode_tps = 90.5; /* no quant of a 70B reaches it on one card */
    llmroof_pick_result res;
    llmroof_pick_result_init(&res);
    llmroof_error_init(&err);
    if (llmroof_pick(cat, &req, &res, &err) != LLMROOF_OK) {
        fprintf(stderr, "FAIL: pick: %s\n", err.message);
        ok = 0;
    }
    for (uint32_t i = 0; ok && i < res.candidate_count; i++)
        if (decimal_comma(res.candidates[i].reason)) {
            fprintf(stderr, "FAIL: pick reason under de_DE: %s\n", res.candidates[i].reason);
            ok = 0;
        }
    if (ok && (decimal_comma(res.advice) || !strstr(res.advice, "90.5"))) {
        fprintf(stderr, "FAIL: pick advice under de_DE: %s\n", res.advice);
        ok = 0;
    }
    llmroof_catalog_free(cat);
    return ok;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: check_locale CATALOG_DIR CONFIG.json...\n");
        return 2;
    }
    uint64_t c_hash, de_hash;
    if (!digest(argv[1], argc - 2, argv + 2, &c_hash))
        return 1;
    if (!setlocale(LC_NUMERIC, "de_DE.UTF-8")) {
        fprintf(stderr, "FAIL: cannot set LC_NUMERIC=de_DE.UTF-8 (LOCPATH=%s)\n",
                getenv("LOCPATH") ? getenv("LOCPATH") : "");
        return 1;
    }
    /* The locale is in force: the C library itself now reads "0.5" as 0. */
    if (strtod("0.5", NULL) != 0.0 || strcmp(localeconv()->decimal_point, ",") != 0) {
        fprintf(stderr, "FAIL: de_DE.UTF-8 does not have a decimal comma here\n");
        return 1;
    }
    if (!digest(argv[1], argc - 2, argv + 2, &de_hash))
        return 1;
    if (!c_numbers_in_text())
        return 1;
    printf("C: %016llx  de_DE: %016llx\n", (unsigned long long)c_hash,
           (unsigned long long)de_hash);
    if (c_hash != de_hash) {
        fprintf(stderr, "FAIL: results differ under LC_NUMERIC=de_DE.UTF-8\n");
        return 1;
    }
    return 0;
}
