/*
 * An index file on the card (index.h) read as a stream, one piece at a time,
 * through the index reader's rules and the device's limits: what a delta
 * install and a repair after one compare releases by. Paths in an index
 * strictly increase, so looking up the paths of a sorted archive (or of
 * another index) in order costs one pass over each.
 *
 * RAM: the caller's struct idx_cursor (~1.3 KiB, in b->delta_work); the bytes
 * are fed one at a time from a 64-byte buffer so a piece is seen before the
 * next line is parsed. Stack < 128 B. Power loss: reads only.
 */
#include <string.h>
#include "boot_internal.h"

static int on_piece(void *ctx, const struct sdb_index_piece *p)
{
    struct idx_cursor *c = ctx;
    c->cur = p;
    return SDB_OK;
}

int idx_open(struct sdboot *b, struct idx_cursor *c, const char *path, bool hash)
{
    static const struct sdb_index_limits lim = {SDB_INDEX_DEFAULT_MAX_BYTES,
                                                SDB_INDEX_DEFAULT_MAX_ENTRIES};
    memset(c, 0, sizeof *c);
    sdb_index_init(&c->r, &lim, on_piece, c);
    c->hashing = hash;
    int err = hash ? sdb_sha256_init(&c->hash) : SDB_OK;
    if (err || (err = sdb_fat_open(&b->vol, &c->f, path, SDB_FAT_READ)))
        return err;
    c->open = true;
    return idx_next(c);
}

void idx_close(struct idx_cursor *c)
{
    if (c->open)
        sdb_fat_close(&c->f);
    c->open = false;
}

int idx_next(struct idx_cursor *c)
{
    c->cur = NULL;
    while (!c->cur && !c->ended) {
        if (c->pos == c->len) {
            uint32_t got;
            int err = sdb_fat_read(&c->f, c->buf, sizeof c->buf, &got);
            if (err)
                return err;
            if (!got) {
                c->ended = true;
                return sdb_index_finish(&c->r);
            }
            if (c->hashing && (err = sdb_sha256_update(&c->hash, c->buf, got)))
                return err;
            c->pos = 0;
            c->len = got;
        }
        int err = sdb_index_feed(&c->r, &c->buf[c->pos++], 1);
        if (err)
            return err;
    }
    return SDB_OK;
}

int idx_seek(struct idx_cursor *c, const char *path, const struct sdb_index_piece **found)
{
    int err = SDB_OK;
    while (!err && c->cur && (c->cur->kind == SDB_INDEX_META || strcmp(c->cur->path, path) < 0))
        err = idx_next(c);
    *found = !err && c->cur && !strcmp(c->cur->path, path) ? c->cur : NULL;
    return err;
}

int idx_check_whole(struct sdboot *b, struct idx_cursor *c, const char *path,
                    const uint8_t want[SDB_SHA256_LEN])
{
    int err = idx_open(b, c, path, true);
    while (!err && c->cur)
        err = idx_next(c);
    idx_close(c);
    uint8_t sum[SDB_SHA256_LEN];
    int herr = sdb_sha256_finish(&c->hash, sum);
    if (err || (err = herr))
        return err;
    return memcmp(sum, want, SDB_SHA256_LEN) ? SDB_IDX_EMISMATCH : SDB_OK;
}
