/*
 * Repair: compare every file of the installed release with its archive
 * (/.sdboot/current.tar) and restore the ones that are missing or differ.
 * Two passes over the archive: the first compares and marks damaged entries in
 * a bitmap (no writes), the second writes each damaged file to a temporary and
 * renames it over the damaged one. A cut leaves the temporary behind; the next
 * boot removes it and repairs again.
 */
#include <stdio.h>
#include <string.h>
#include "boot_internal.h"

struct repair {
    struct sdboot *b;
    uint32_t index; /* entry number in the archive */
    bool writing;   /* second pass */
    bool damaged;   /* current entry differs (first pass) */
    bool open;
    struct sdb_fat_file card; /* first pass: the card's file */
    uint32_t damaged_count;
};

static bool marked(struct sdboot *b, uint32_t i)
{
    return i / 8 < sizeof b->bitmap && (b->bitmap[i / 8] >> (i % 8)) & 1;
}

static int repair_begin(void *ctx, const struct sdb_tar_entry *e)
{
    struct repair *r = ctx;
    struct sdboot *b = r->b;
    uint32_t i = r->index++;
    snprintf(b->path, sizeof b->path, "/%s", e->path);
    if (e->type == SDB_TAR_DIR)
        return r->writing ? SDB_OK : tree_mkdirs(&b->vol, b->path, true);
    if (r->writing) {
        if (!marked(b, i))
            return SDB_OK;
        r->open = true;
        return sdb_fat_open(&b->vol, &b->out, FIX_TMP,
                            SDB_FAT_WRITE | SDB_FAT_CREATE | SDB_FAT_TRUNC);
    }
    r->damaged = sdb_fat_open(&b->vol, &r->card, b->path, SDB_FAT_READ) != SDB_OK;
    r->open = !r->damaged;
    if (r->open && sdb_fat_size(&r->card) != e->size)
        r->damaged = true;
    return SDB_OK;
}

static int repair_data(void *ctx, const uint8_t *buf, size_t len)
{
    struct repair *r = ctx;
    struct sdboot *b = r->b;
    if (!r->open)
        return SDB_OK;
    if (r->writing)
        return sdb_fat_write(&b->out, buf, (uint32_t)len);
    if (r->damaged)
        return SDB_OK;
    uint8_t *mine = b->io + SDBOOT_IO_BUF / 2; /* the tar feed uses the first half */
    while (len && !r->damaged) {
        uint32_t n = len < SDBOOT_IO_BUF / 2 ? (uint32_t)len : SDBOOT_IO_BUF / 2, got;
        int err = sdb_fat_read(&r->card, mine, n, &got);
        if (err)
            return err;
        r->damaged = got != n || memcmp(mine, buf, n);
        buf += n;
        len -= n;
    }
    return SDB_OK;
}

static int repair_end(void *ctx)
{
    struct repair *r = ctx;
    struct sdboot *b = r->b;
    uint32_t i = r->index - 1;
    if (r->writing) {
        if (!r->open)
            return SDB_OK;
        r->open = false;
        int err = sdb_fat_close(&b->out);
        if (err || (err = tree_mkdirs(&b->vol, b->path, false)))
            return err;
        boot_log(b, "repair: restored %s", b->path);
        return sdb_fat_rename(&b->vol, FIX_TMP, b->path, true);
    }
    if (r->open)
        sdb_fat_close(&r->card);
    r->open = false;
    if (r->damaged && i / 8 < sizeof b->bitmap) {
        b->bitmap[i / 8] |= (uint8_t)(1u << (i % 8));
        r->damaged_count++;
    }
    return SDB_OK;
}

static int run_pass(struct sdboot *b, struct repair *r)
{
    struct sdb_tar_ops ops = {repair_begin, repair_data, repair_end, r};
    struct sdb_fat_file in;
    int err = sdb_fat_open(&b->vol, &in, CURRENT_TAR, SDB_FAT_READ);
    if (err)
        return err == SDB_FAT_ENOENT ? SDBOOT_ENOARCHIVE : err;
    sdb_tar_init(&b->tar, &ops, NULL, b->names, SDBOOT_MAX_ENTRIES, b->cfg.gzip_arena,
                 b->cfg.gzip_arena_len);
    r->index = 0;
    uint32_t got;
    while ((err = sdb_fat_read(&in, b->io, SDBOOT_IO_BUF / 2, &got)) == SDB_OK && got)
        if ((err = sdb_tar_feed(&b->tar, b->io, got)))
            break;
    sdb_fat_close(&in);
    if (r->open) {
        sdb_fat_close(r->writing ? &b->out : &r->card);
        r->open = false;
    }
    return err ? err : sdb_tar_finish(&b->tar);
}

int sdboot_repair(struct sdboot *b, uint32_t *restored)
{
    struct repair r = {.b = b};
    *restored = 0;
    int err = sdb_fat_unlink(&b->vol, FIX_TMP);
    if (err && err != SDB_FAT_ENOENT)
        return err;
    memset(b->bitmap, 0, sizeof b->bitmap);
    if ((err = run_pass(b, &r)))
        return err;
    if (!r.damaged_count)
        return SDB_OK;
    r.writing = true;
    if ((err = run_pass(b, &r)) || (err = sdb_fat_sync(&b->vol)))
        return err;
    *restored = r.damaged_count;
    b->repaired = r.damaged_count;
    return SDB_OK;
}

int repair_fat_check(struct sdboot *b)
{
    struct sdb_fat_check_report r;
    int err = sdb_fat_check(&b->vol, true, b->bitmap, sizeof b->bitmap, &r);
    if (err)
        return err;
    uint32_t fixed = r.lost_clusters + r.cross_links + r.chains_truncated + r.sizes_fixed +
                     r.orphan_lfn + r.bad_entries + r.fat_copies_fixed + r.fsinfo_fixed;
    if (fixed)
        boot_log(b, "file system repaired after a power cut (%u fixes)", (unsigned)fixed);
    return SDB_OK;
}
