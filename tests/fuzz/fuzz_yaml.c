/* Fuzz target: the YAML catalog loader (llmroof_catalog_load_string).
 *
 * The input is one YAML file.  It is loaded into an empty catalog and, when
 * bit 0 of its first byte is set, also on top of the bundled catalog (bit 1:
 * with LLMROOF_LOAD_OVERRIDE), where it may refer to bundled devices and
 * links.  A failed load must leave the catalog as it was; a successful one
 * must give descriptors that estimate and pick sanely (fuzz_exercise_catalog
 * on the entries the file added, which come last). */
#include <string.h>

#include "fuzz.h"

static void counts(const llmroof_catalog *cat, uint32_t *n)
{
    for (int32_t s = 0; s < LLMROOF_SECTION_COUNT; s++)
        n[s] = llmroof_catalog_count(cat, s);
}

static void load(llmroof_catalog *cat, const uint8_t *data, size_t size, uint32_t flags)
{
    uint32_t before[LLMROOF_SECTION_COUNT], after[LLMROOF_SECTION_COUNT];
    counts(cat, before);
    llmroof_error err;
    llmroof_error_init(&err);
    llmroof_status st =
        llmroof_catalog_load_string(cat, "fuzz.yaml", (const char *)data, size, flags, &err);
    fuzz_check_status(st, &err);
    counts(cat, after);
    if (st != LLMROOF_OK) {
        FUZZ_CHECK(memcmp(before, after, sizeof before) == 0);
        return;
    }
    for (int32_t s = 0; s < LLMROOF_SECTION_COUNT; s++)
        FUZZ_CHECK(after[s] >= before[s]);
    fuzz_exercise_catalog(cat, 3);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    llmroof_catalog *cat = NULL;
    llmroof_error err;
    llmroof_error_init(&err);
    FUZZ_CHECK(llmroof_catalog_new(&cat, &err) == LLMROOF_OK);
    load(cat, data, size, 0);
    llmroof_catalog_free(cat);

    if (size > 0 && (data[0] & 1)) {
        FUZZ_CHECK(llmroof_catalog_new(&cat, &err) == LLMROOF_OK);
        FUZZ_CHECK(llmroof_catalog_load_builtin(cat, 0, &err) == LLMROOF_OK);
        load(cat, data, size, data[0] & 2 ? LLMROOF_LOAD_OVERRIDE : 0);
        llmroof_catalog_free(cat);
    }
    return 0;
}
