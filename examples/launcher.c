/* A launcher as a real program would embed llmroof: before anything is
 * downloaded or loaded, it asks which quant of a model to run on this
 * machine at the context it wants, at a speed it can live with, and prints
 * the llama-server command line.  Public header only.
 *
 *     launcher SYSTEM MODEL [CTX [MIN_TOKENS_PER_S]]
 *     launcher pc-rtx-4090 llama-3-70b 8192 5
 *
 * Exit status: 0 a choice was found, 3 nothing meets the target (the
 * closest is printed with what to relax), 1 error, 2 bad arguments. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <llmroof/llmroof.h>

static int usage(void)
{
    fprintf(stderr, "usage: launcher SYSTEM MODEL [CTX [MIN_TOKENS_PER_S]]\n");
    return 2;
}

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 5 || strlen(argv[1]) >= LLMROOF_ID_MAX ||
        strlen(argv[2]) >= LLMROOF_ID_MAX)
        return usage();
    char *end;
    unsigned long ctx = argc > 3 ? strtoul(argv[3], &end, 10) : 8192;
    if (argc > 3 && (*end || ctx == 0 || ctx > (1ul << 26)))
        return usage();
    double min_tps = argc > 4 ? strtod(argv[4], &end) : 5.0;
    if (argc > 4 && (*end || !(min_tps >= 0)))
        return usage();

    llmroof_error err;
    llmroof_error_init(&err);
    llmroof_catalog *cat = NULL;
    if (llmroof_catalog_new(&cat, &err) != LLMROOF_OK ||
        llmroof_catalog_load_builtin(cat, 0, &err) != LLMROOF_OK) {
        fprintf(stderr, "launcher: %s\n", err.message);
        llmroof_catalog_free(cat);
        return 1;
    }

    /* The request and result are large (every candidate's verdict): heap. */
    llmroof_pick_request *req = malloc(sizeof *req);
    llmroof_pick_result *res = malloc(sizeof *res);
    if (!req || !res) {
        fprintf(stderr, "launcher: out of memory\n");
        free(req);
        free(res);
        llmroof_catalog_free(cat);
        return 1;
    }
    llmroof_pick_request_init(req);
    strcpy(req->base.system, argv[1]);
    strcpy(req->base.model, argv[2]);
    req->base.ctx = (uint32_t)ctx;
    req->min_ctx = ctx > 2048 ? 2048 : 0; /* shrink the context before offloading */
    req->kv_types = (1u << LLMROOF_KV_F16) | (1u << LLMROOF_KV_Q8_0);
    req->min_decode_tps = min_tps;
    llmroof_pick_result_init(res);

    int rc = 0;
    llmroof_status st = llmroof_pick(cat, req, res, &err);
    if (st != LLMROOF_OK) {
        fprintf(stderr, "launcher: %s (%s)\n", err.message, llmroof_status_string(st));
        rc = 1;
    } else {
        char args[512];
        int32_t at = res->chosen >= 0 ? res->chosen : res->closest;
        if (res->chosen < 0)
            printf("# nothing meets %.1f tok/s: %s\n", min_tps, res->advice);
        if (at >= 0 && llmroof_pick_llama_args(res, args, sizeof args) > 0) {
            const llmroof_candidate *c = &res->candidates[at];
            printf("# %s on %s: %s\n", c->quant, req->base.system, c->reason);
            printf("llama-server -m %s-%s.gguf %s\n", req->base.model, c->quant, args);
        }
        rc = res->chosen >= 0 ? 0 : 3;
    }
    free(req);
    free(res);
    llmroof_catalog_free(cat);
    return rc;
}
