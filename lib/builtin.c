/* The catalog bundled with the library (lib/catalog/NAME.yaml, embedded at
 * build time by embed.c).  All files are staged in one batch, so references
 * may cross files and the set is added all or nothing.
 *
 * Native builds also carry the same files as parsed descriptors
 * (builtin_snapshot.c, made by snapshot.c from the YAML at build time): each
 * entry is staged through the same validation and commit as a YAML entry,
 * with its file and position, without running libyaml at every load. */
#include <string.h>

#include "internal.h"

typedef union any_entry {
    llmroof_device device;
    llmroof_link link;
    llmroof_system system;
    llmroof_model model;
    llmroof_quant quant;
    llmroof_engine engine;
    llmroof_image_model image_model;
} any_entry;

static const size_t entry_sizes[LLMROOF_SECTION_COUNT] = {
    sizeof(llmroof_device), sizeof(llmroof_link),  sizeof(llmroof_system),
    sizeof(llmroof_model),  sizeof(llmroof_quant), sizeof(llmroof_engine),
    sizeof(llmroof_image_model),
};

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
#ifdef LLMROOF_HAVE_SNAPSHOT
    for (size_t i = 0; i < llmroof__snapshot_count && st == LLMROOF_OK; i++) {
        const llmroof__snapshot_entry *e = &llmroof__snapshot[i];
        any_entry copy; /* batch_add normalises in place */
        memcpy(&copy, e->item, entry_sizes[e->section]);
        st = llmroof__batch_add(cat, b, e->section, &copy, flags, e->file, e->line, e->column,
                                NULL, 0, err);
    }
#else
    (void)entry_sizes;
    for (size_t i = 0; i < llmroof__builtin_count && st == LLMROOF_OK; i++) {
        const llmroof__builtin_file *f = &llmroof__builtin_files[i];
        st = llmroof__yaml_load(cat, b, f->name, f->text, f->length, flags, err);
    }
#endif
    if (st == LLMROOF_OK)
        st = llmroof__batch_commit(cat, b, flags, err);
    llmroof__batch_free(b);
    return st;
}
