/* The catalog bundled with the library (lib/catalog/NAME.yaml, embedded at
 * build time by embed.c).  All files are staged in one batch, so references
 * may cross files and the set is added all or nothing. */
#include "internal.h"

llmroof_status llmroof_catalog_load_builtin(llmroof_catalog *cat, uint32_t flags,
                                            llmroof_error *err)
{
    if (!cat)
        return llmroof__fail(err, LLMROOF_E_INVALID_ARGUMENT, NULL, 0, 0,
                             "llmroof_catalog_load_builtin: catalog is NULL");
    if (flags & ~LLMROOF_LOAD_OVERRIDE)
        return llmroof__fail(err, LLMROOF_E_INVALID_ARGUMENT, NULL, 0, 0, "unknown flags 0x%x",
                             (unsigned)(flags & ~LLMROOF_LOAD_OVERRIDE));
    llmroof__batch *b = llmroof__batch_new();
    if (!b)
        return llmroof__fail(err, LLMROOF_E_NOMEM, NULL, 0, 0, "out of memory");
    llmroof_status st = LLMROOF_OK;
    for (size_t i = 0; i < llmroof__builtin_count && st == LLMROOF_OK; i++) {
        const llmroof__builtin_file *f = &llmroof__builtin_files[i];
        st = llmroof__yaml_load(cat, b, f->name, f->text, f->length, flags, err);
    }
    if (st == LLMROOF_OK)
        st = llmroof__batch_commit(cat, b, flags, err);
    llmroof__batch_free(b);
    return st;
}
