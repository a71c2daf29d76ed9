/*
 * What the bootloader owns on the card, for a repair that may change only
 * that (sdb_fat_check_owned): /app and /.sdboot with everything under them,
 * and the files the installed release names outside /app (from
 * /.sdboot/current.tar, plus the archive being installed while it is being
 * switched in: it was verified by then). Everything else is the user's: a repair reports its
 * problems and never cuts, shrinks or removes it.
 *
 * RAM: b->owned, SDBOOT_OWNED_MAX 64-bit name hashes (the tar reader's
 * sdb_tar_name_hash) of the files outside /app only: everything under /app is
 * owned by its path, so the table does not grow with the release. Looked up
 * by a scan (at most SDBOOT_OWNED_MAX compares); valid until the next own_load. A release naming
 * more files outside /app than the table holds has the rest treated as the user's (logged): a
 * repair then reports their problems instead of cutting them, the safe side, and the boot's restore
 * from the archive still rewrites them. A missing or damaged archive owns nothing outside /app and
 * /.sdboot. Power loss: reads only.
 */
#include <string.h>
#include "boot_internal.h"
#include "sdboot/release.h"

/* A file outside /app: its name hash joins b->owned while there is room. */
static int note_entry(void *ctx, const struct sdb_tar_entry *e)
{
    struct sdboot *b = ctx;
    if (e->type == SDB_TAR_DIR || tree_in_app(e->path))
        return SDB_OK;
    if (b->owned_names < SDBOOT_OWNED_MAX)
        b->owned[b->owned_names] = sdb_tar_name_hash(e->path);
    b->owned_names++; /* counted past the table: own_load says what was left out */
    return SDB_OK;
}

static int no_data(void *ctx, const uint8_t *buf, size_t len)
{
    (void)ctx, (void)buf, (void)len;
    return SDB_OK;
}

static int no_end(void *ctx)
{
    (void)ctx;
    return SDB_OK;
}

/* Append the name hashes of one archive's files outside /app to b->owned.
 * A damaged archive owns nothing more: its names cannot be trusted, and the
 * table is left as it was before it. */
static void add_archive(struct sdboot *b, const char *archive)
{
    const struct sdb_tar_ops ops = {note_entry, no_data, no_end, b};
    struct feed_result r;
    uint32_t before = b->owned_names;
    if (install_feed(b, archive, &ops, sizeof b->io, NULL, &r) || r.tar_err)
        b->owned_names = before;
}

/* A linear scan: at most SDBOOT_OWNED_MAX compares for each file outside
 * /app the check meets, where a sort and a binary search cost ~250 B of a
 * bootloader's flash (libc's qsort 1.5 KiB). */
static bool has_hash(const uint64_t *h, uint32_t n, uint64_t want)
{
    while (n)
        if (h[--n] == want)
            return true;
    return false;
}

void own_load(struct sdboot *b, const struct sdboot_state *st)
{
    b->owned_names = 0;
    add_archive(b, CURRENT_TAR);
    if (st->delta) /* an installed delta's files outside /app too */
        add_archive(b, CURRENT_DELTA);
    /* Only a switch reaches outside /.sdboot/next; while extracting, the
     * staged archive is not yet verified and owns nothing. */
    if (st->phase == SDBOOT_PHASE_SWITCHING)
        add_archive(b, st->source == SDBOOT_FROM_PREVIOUS ? PREVIOUS_TAR : SDB_STAGE_ARCHIVE);
    if (b->owned_names > SDBOOT_OWNED_MAX) {
        boot_log(b,
                 "repair: the release names %u files outside /" APP_DIR
                 ", sdboot knows %u of them as its own; the rest are treated as the user's",
                 (unsigned)b->owned_names, SDBOOT_OWNED_MAX);
        b->owned_names = SDBOOT_OWNED_MAX;
    }
}

bool own_path(void *ctx, const char *path, bool is_dir)
{
    struct sdboot *b = ctx;
    if (tree_under(path, "/" APP_DIR) || tree_under(path, SDB_DIR))
        return true;
    if (is_dir || path[0] != '/')
        return false; /* directories outside /app hold the user's files too */
    uint64_t h = sdb_tar_name_hash(path + 1);
    return has_hash(b->owned, b->owned_names, h);
}
