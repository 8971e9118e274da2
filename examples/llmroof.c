/* llmroof: does a large language model fit on this machine, and how fast
 * will it run there?  The command-line face of the library (docs/cli.md).
 *
 *   llmroof [--catalog FILE]... [--override] COMMAND [options]
 *
 * Commands: table, estimate, list, check, help.  Exit status: 0 success,
 * 1 input or data error, 2 usage error. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void help_global(FILE *out)
{
    fputs("Usage: llmroof [--catalog FILE]... [--override] COMMAND [options]\n"
          "\n"
          "Predicts whether a large language model fits on a machine and how fast it\n"
          "runs there, from the machine's memory, bandwidth and links (a roofline\n"
          "model), before anything is downloaded.\n"
          "\n"
          "Commands:\n"
          "  table      the Mac Studio M3 Ultra vs RTX 4090 comparison, recomputed\n"
          "  estimate   fit and speed of one model on one machine\n"
          "  pick       the best quant and placement for a machine, a model and targets\n"
          "  inspect    what a GGUF file's header says (shapes, exact bytes)\n"
          "  train      memory and speed of fine-tuning a model (full, LoRA, QLoRA)\n"
          "  image      fit and seconds per image of a diffusion model on one machine\n"
          "  list       the devices, systems, models, quants, engines and links known\n"
          "  check      validate descriptor files (YAML)\n"
          "  compare    machines side by side on a workload mix (LLM, images, training)\n"
          "  help [COMMAND]\n"
          "\n"
          "Options (also accepted after the command):\n"
          "  --catalog FILE   load extra descriptors on top of the bundled ones\n"
          "                   (repeatable; schema: docs/yaml.md)\n"
          "  --override       let --catalog files redefine ids that already exist\n"
          "  -h, --help       this help; 'llmroof COMMAND --help' for a command\n"
          "  --version        print the version\n"
          "\n"
          "Examples:\n"
          "  llmroof table\n"
          "  llmroof estimate --system pc-rtx-4090 --model llama-3.1-8b --quant Q4_K_M\n"
          "  llmroof list systems\n"
          "  llmroof compare examples/compare/article.yaml\n"
          "\n"
          "Exit status: 0 success, 1 input or data error (bad file, unknown id),\n"
          "2 usage error.\n",
          out);
}

static const struct {
    const char *name;
    int (*run)(int, char **, cli_common *);
    void (*help)(FILE *);
} commands[] = {
    {"table", cli_cmd_table, cli_help_table},
    {"estimate", cli_cmd_estimate, cli_help_estimate},
    {"pick", cli_cmd_pick, cli_help_pick},
    {"inspect", cli_cmd_inspect, cli_help_inspect},
    {"train", cli_cmd_train, cli_help_train},
    {"image", cli_cmd_image, cli_help_image},
    {"list", cli_cmd_list, cli_help_list},
    {"check", cli_cmd_check, cli_help_check},
    {"compare", cli_cmd_compare, cli_help_compare},
};
#define COMMANDS ((int)(sizeof commands / sizeof commands[0]))

static int find_command(const char *name)
{
    for (int k = 0; k < COMMANDS; k++)
        if (strcmp(commands[k].name, name) == 0)
            return k;
    return -1;
}

static int help_command(int argc, char **argv)
{
    if (argc == 0) {
        help_global(stdout);
        return CLI_OK;
    }
    if (argc > 1) {
        cli_usage_error(NULL, "'help' takes at most one command");
        return CLI_USAGE;
    }
    int k = find_command(argv[0]);
    if (k < 0) {
        cli_usage_error(NULL, "unknown command '%s'", argv[0]);
        return CLI_USAGE;
    }
    commands[k].help(stdout);
    return CLI_OK;
}

static int run(int argc, char **argv, cli_common *c)
{
    int i = 1;
    for (; i < argc; i++) {
        const char *a = argv[i];
        int m;
        if (cli_is_help(a)) {
            help_global(stdout);
            return CLI_OK;
        }
        if (strcmp(a, "--version") == 0) {
            printf("llmroof %s\n", llmroof_version());
            if (llmroof_version_number() != LLMROOF_VERSION_NUMBER)
                fprintf(stderr, "llmroof: warning: built against library %s, running with %s\n",
                        LLMROOF_VERSION_STRING, llmroof_version());
            return CLI_OK;
        }
        if ((m = cli_common_option(NULL, argc, argv, &i, c)) != 0) {
            if (m < 0)
                return CLI_USAGE;
            continue;
        }
        if (a[0] == '-') {
            cli_usage_error(NULL, "unknown option '%s'", a);
            return CLI_USAGE;
        }
        break;
    }
    if (i >= argc) {
        cli_usage_error(NULL, "no command given");
        return CLI_USAGE;
    }
    if (strcmp(argv[i], "help") == 0)
        return help_command(argc - i - 1, argv + i + 1);
    int k = find_command(argv[i]);
    if (k < 0) {
        cli_usage_error(NULL, "unknown command '%s'", argv[i]);
        return CLI_USAGE;
    }
    return commands[k].run(argc - i - 1, argv + i + 1, c);
}

int main(int argc, char **argv)
{
    cli_common c;
    memset(&c, 0, sizeof c);
    /* At most one catalog per argument: this never overflows. */
    c.catalogs = calloc(argc > 0 ? (size_t)argc : 1, sizeof *c.catalogs);
    if (!c.catalogs) {
        cli_error("out of memory");
        return CLI_DATA;
    }
    int rc = argc > 0 ? run(argc, argv, &c) : CLI_USAGE;
    free(c.catalogs);
    return rc;
}
