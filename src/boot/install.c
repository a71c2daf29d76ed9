/*
 * The installer: from a verified archive to the installed tree, journaled.
 *
 *   (checks)    the pending record, board and version (SDBOOT_VERSION_CHECK,
 *               boot.h), before any write.
 *   EXTRACTING  the archive is read once: written to /.sdboot/next/ and, for a
 *               staged release, hashed on the way (the old release is
 *               untouched; a cut here throws next/ away and starts again).
 *               Only when its size and SHA-256 match the stage record does
 *               the install go on; otherwise next/ is thrown away and the
 *               release refused (SDB_SIZE_EMISMATCH / SDB_HASH_EMISMATCH,
 *               size first, over any tar or write error), nothing outside
 *               next/ changed. A rollback extracts previous.tar unhashed: it
 *               was checked when it was installed.
 *   SWITCHING   /app is parked in /.sdboot/prev/ and next/app moved in; each
 *               file outside /app is moved in only when its content differs,
 *               the file it replaces parked in prev/; then the archives move
 *               (current -> previous, staged -> current). Every step looks at
 *               which names exist, so a rerun after a cut finishes the job.
 *   IDLE        state records the new release; prev/ and next/ are removed.
 *
 * Only /app is ever replaced as a whole; outside /app nothing is deleted, and
 * user files the release does not name are never touched.
 */
#include <string.h>
#include "boot_internal.h"
#include "sdboot/hash.h"
#include "sdboot/limits.h"
#include "sdboot/release.h"
#include "sdboot/semver.h"

/* ---- reading an archive on the card through the tar reader ---- */

static bool card_error(int err)
{
    return err < SDB_ERR_COMMON_MIN && err >= SDB_ERR_BD_MIN;
}

/* A plain tar leaves the caller's gzip arena idle: when it is larger than
 * b->io, it is the read buffer (fewer, larger card requests). A build without
 * gzip (SDB_TAR_GZIP 0) has no arena to lend: it reads through b->io. */
static bool big_reads(const struct sdboot *b)
{
    return SDB_TAR_GZIP && b->cfg.gzip_arena && b->cfg.gzip_arena_len >= 2 * sizeof b->io &&
           b->cfg.gzip_arena_len <= UINT32_MAX;
}

int install_feed(struct sdboot *b, const char *archive, const struct sdb_tar_ops *ops, uint32_t cap,
                 struct sdb_sha256 *hash, struct feed_result *r)
{
    struct sdb_fat_file in;
    r->tar_err = SDB_OK;
    r->whole = false;
    r->size = 0;
    int err = sdb_fat_open(&b->vol, &in, archive, SDB_FAT_READ);
    if (err)
        return err;
    /* No duplicate table: the installer finds names given twice (seen.c);
     * the archives kept were checked for them when they were installed. */
    sdb_tar_init(&b->tar, ops, NULL, NULL, SDB_LIMIT_ENTRIES, b->cfg.gzip_arena,
                 b->cfg.gzip_arena_len);
    uint32_t got = 0;
    uint8_t *buf = b->io;
    bool big = cap == 0; /* then the idle arena after the first read */
    cap = big ? sizeof b->io : cap;
    int hash_err = SDB_OK;
    while ((err = sdb_fat_read(&in, buf, cap, &got)) == SDB_OK && got) {
        r->size += got;
        if (hash && !hash_err)
            hash_err = sdb_sha256_update(hash, buf, got);
        b->rd_at = buf;
        b->rd_end = buf + got;
        if (!r->tar_err)
            r->tar_err = sdb_tar_feed(&b->tar, buf, got);
        if (buf == b->io && big && !(SDB_TAR_GZIP && b->tar.gzip) && big_reads(b))
            buf = b->cfg.gzip_arena, cap = (uint32_t)(b->cfg.gzip_arena_len & ~(size_t)511);
        if (r->tar_err && (!hash || card_error(r->tar_err)))
            break; /* nothing to hash, or the card itself failed */
    }
    r->whole = err == SDB_OK && got == 0;
    int cerr = sdb_fat_close(&in);
    if (!r->tar_err && !err)
        r->tar_err = sdb_tar_finish(&b->tar);
    return err ? err : cerr ? cerr : hash_err;
}

int install_read_pending(struct sdboot *b, struct sdb_stage_record *rec)
{
    uint8_t buf[SDB_RECORD_SIZE];
    int err = boot_read_record(&b->vol, SDB_STAGE_PENDING, buf);
    /* a directory where it belongs, or a file where staging/ does (no odd
     * check to set it aside): nothing is staged */
    if (err)
        return err == SDB_FAT_ENOENT || ODD_TYPE(err) ? SDBOOT_ENOPENDING : err;
    return sdb_stage_record_decode(buf, rec);
}

/* The staged release's record, board and version (SDBOOT_VERSION_CHECK) are
 * checked before the first write; its size and SHA-256 while it is extracted (install_extract),
 * before the switch. */
int install_check_staged(struct sdboot *b, struct sdb_stage_record *rec)
{
    int err = install_read_pending(b, rec);
    if (err)
        return err;
    const char *board = b->cfg.board;
    if (rec->board[0] && board && board[0] && strcmp(rec->board, board))
        return SDB_POLICY_EBOARD;
    if (SDBOOT_VERSION_CHECK && (err = sdb_semver_should_update(b->st.installed, rec->version,
                                                                rec->flags & SDB_STAGE_FORCED)))
        return err;
    if (!tree_has(&b->vol, SDB_STAGE_ARCHIVE))
        return SDBOOT_ESTAGED;
    return SDBOOT_ODD_CHECK ? SDB_OK : odd_files(b);
}

/* ---- extraction into next/ ---- */

/* mkdir -p of b->path's folder; b->path2 remembers the last one made, as a
 * release lists a folder's files together (one lookup per folder, not per file). */
static int make_parent(struct sdboot *b)
{
    const char *slash = strrchr(b->path, '/');
    size_t len = (size_t)(slash - b->path);
    if (!strncmp(b->path, b->path2, len) && b->path2[len] == '\0')
        return SDB_OK;
    int err = tree_mkdirs(&b->vol, b->path, false);
    if (!err && len < sizeof b->path2) {
        memcpy(b->path2, b->path, len);
        b->path2[len] = '\0';
    }
    return err;
}

/* The extraction's context: the engine, and which members it takes. */
struct extract {
    struct sdboot *b;
    const struct install_filter *filter; /* NULL: every member */
};

static int extract_begin(void *ctx, const struct sdb_tar_entry *e)
{
    struct extract *x = ctx;
    struct sdboot *b = x->b;
    bool take = true;
    int err = x->filter ? x->filter->take(x->filter->ctx, e, &take) : SDB_OK;
    if (err || !take)
        return err; /* a member left out: its data goes nowhere */
    /* A release file where the user has a directory (or the reverse) outside
     * /app cannot be placed without deleting user data: refuse the release. */
    tree_join(b->path, sizeof b->path, "/", e->path);
    bool is_dir;
    if (!tree_in_app(e->path) && tree_exists(&b->vol, b->path, &is_dir) &&
        is_dir != (e->type == SDB_TAR_DIR))
        return is_dir ? SDB_FAT_EISDIR : SDB_FAT_ENOTDIR;
    if (!tree_join(b->path, sizeof b->path, NEXT_DIR "/", e->path))
        return SDBOOT_ETOODEEP;
    /* A name given twice (also in another case) is refused. next/ was made
     * empty by this install, so a name the filter has not seen is new and the
     * driver need not look it up; one it may have seen is looked up. */
    bool maybe_seen = seen_note(b, b->path + sizeof NEXT_DIR);
    if (e->type == SDB_TAR_DIR) {
        /* A directory named twice merges, as mkdir -p would; a file by its name is a duplicate. */
        if (maybe_seen && tree_exists(&b->vol, b->path, &is_dir) && !is_dir)
            return SDB_TAR_EDUPLICATE;
        return tree_mkdirs(&b->vol, b->path, true);
    }
    if ((err = make_parent(b)))
        return err;
    /* Looked up apart, so that the create stays the driver's fast one
     * (SDB_FAT_UNIQUE): any other create would cost the folder its freshness,
     * and every later file a search for a free short-name alias. */
    if (maybe_seen && tree_has(&b->vol, b->path))
        return SDB_TAR_EDUPLICATE;
    unsigned flags = SDB_FAT_WRITE | SDB_FAT_CREATE | SDB_FAT_EXCL | SDB_FAT_UNIQUE;
    if ((err = sdb_fat_open(&b->vol, &b->out, b->path, flags)))
        return err;
    b->out_open = true;
    return SDB_OK;
}

static int extract_data(void *ctx, const uint8_t *buf, size_t len)
{
    struct sdboot *b = ((struct extract *)ctx)->b;
    if (!b->out_open)
        return SDB_OK; /* a member the filter left out */
    /* A file's data lies in the read buffer (plain tar) or the inflated
     * output (gzip), followed there by its padding: the file's last sector
     * can be written whole from it (sdb_fat_write_slack). */
    bool z = SDB_TAR_GZIP && b->tar.gzip; /* never set without gzip (tar.h) */
    uintptr_t at = (uintptr_t)buf, start = (uintptr_t)(z ? b->tar.zout : b->rd_at);
    uintptr_t end = z ? start + b->tar.zout_have : (uintptr_t)b->rd_end;
    uint32_t slack = at >= start && at + len <= end ? (uint32_t)(end - at - len) : 0;
    return sdb_fat_write_slack(&b->out, buf, (uint32_t)len, slack);
}

static int extract_end(void *ctx)
{
    struct sdboot *b = ((struct extract *)ctx)->b;
    if (!b->out_open)
        return SDB_OK;
    b->out_open = false;
    return sdb_fat_close(&b->out);
}

/* The pass is over: an archive that is not the one the record names is
 * refused as such (size first, then hash), whatever else went wrong. */
static int judge_pass(const struct feed_result *r, const struct sdb_stage_record *expect,
                      const uint8_t digest[SDB_SHA256_LEN])
{
    if (expect && r->whole && r->size != expect->size)
        return SDB_SIZE_EMISMATCH;
    if (expect && r->whole && memcmp(digest, expect->sha256, SDB_SHA256_LEN))
        return SDB_HASH_EMISMATCH;
    return r->tar_err;
}

/* Extract `archive` into an empty next/, hashing it on the way when `expect`
 * (the stage record) is given: SDB_OK only when it matches. */
int install_extract(struct sdboot *b, const char *archive, const struct sdb_stage_record *expect)
{
    return install_extract_some(b, archive, expect, NULL, true);
}

int install_extract_some(struct sdboot *b, const char *archive,
                         const struct sdb_stage_record *expect, const struct install_filter *filter,
                         bool fresh)
{
    int err = SDB_OK;
    if (fresh && ((err = tree_remove(b, NEXT_DIR)) || (err = tree_remove(b, PREV_DIR)) ||
                  (err = sdb_fat_mkdir(&b->vol, NEXT_DIR))))
        return err;
    struct extract x = {b, filter};
    struct sdb_tar_ops ops = {extract_begin, extract_data, extract_end, &x};
    struct sdb_sha256 hash;
    uint8_t digest[SDB_SHA256_LEN];
    struct feed_result r;
    if (expect && (err = sdb_sha256_init(&hash)))
        return err;
    b->out_open = false;
    b->path2[0] = '\0'; /* no folder made yet (make_parent) */
    if (fresh)          /* a second archive into next/ keeps the names of the first */
        seen_reset(b);
    err = install_feed(b, archive, &ops, 0, expect ? &hash : NULL, &r);
    if (b->out_open) {
        sdb_fat_close(&b->out);
        b->out_open = false;
    }
    if (err == SDB_FAT_ENOENT)
        err = SDBOOT_ESTAGED;
    int herr = expect ? sdb_sha256_finish(&hash, digest) : SDB_OK;
    if (err || (err = herr) || (err = judge_pass(&r, expect, digest)))
        return err;
    return sdb_fat_sync(&b->vol);
}

/* ---- switching ---- */

/* b->path = NEXT_DIR/rel: move it to /rel, parking a different /rel in prev/
 * (its name in b->path2: no path buffer on the stack). */
static int place_file(struct sdboot *b)
{
    const char *dest = b->path + strlen(NEXT_DIR); /* "/rel", inside b->path */
    bool same, is_dir;
    int err;
    if (tree_exists(&b->vol, dest, &is_dir)) {
        if ((err = tree_same_content(b, b->path, dest, &same)))
            return err;
        if (same)
            return sdb_fat_unlink(&b->vol, b->path);
        char *parked = b->path2;
        if (!tree_join(parked, sizeof b->path2, PREV_DIR, dest))
            return SDBOOT_ETOODEEP;
        if ((err = tree_mkdirs(&b->vol, parked, false)) ||
            (err = sdb_fat_rename(&b->vol, dest, parked, true)))
            return err;
    }
    if ((err = tree_mkdirs(&b->vol, dest, false)))
        return err;
    return sdb_fat_rename(&b->vol, b->path, dest, false);
}

static int place_app(struct sdboot *b)
{
    bool is_dir;
    int err;
    if (!tree_exists(&b->vol, NEXT_DIR "/" APP_DIR, &is_dir) || !is_dir)
        return SDB_OK;
    if (tree_has(&b->vol, "/" APP_DIR)) {
        if ((err = tree_mkdirs(&b->vol, PREV_DIR, true)) ||
            (err = tree_remove(b, PREV_DIR "/" APP_DIR)) ||
            (err = sdb_fat_rename(&b->vol, "/" APP_DIR, PREV_DIR "/" APP_DIR, false)))
            return err;
    }
    return sdb_fat_rename(&b->vol, NEXT_DIR "/" APP_DIR, "/" APP_DIR, false);
}

/* b->path = NEXT_DIR/rel, perhaps mid-move: the renames a cut interrupted
 * settled; *pending when it is still in next/ (the switch will place it). */
static int settle_file(struct sdboot *b, bool *pending)
{
    const char *rel = b->path + strlen(NEXT_DIR);
    char *parked = b->path2;
    tree_join(parked, sizeof b->path2, PREV_DIR, rel);
    int err = sdb_fat_rename_settle(&b->vol, rel, parked);
    if (err || (err = sdb_fat_rename_settle(&b->vol, b->path, rel)))
        return err;
    *pending = tree_has(&b->vol, b->path);
    return SDB_OK;
}

/* Each file still in next/ (all of it, or without next/app when whole_app)
 * in turn: placed, or (settle) its renames settled until one is still to be
 * placed. */
static int each_file(struct sdboot *b, bool whole_app, bool settle)
{
    int err = SDB_OK;
    bool pending = false;
    for (unsigned n = 0; !err && !pending && n < 100000; n++) {
        bool found;
        if ((err = tree_next_file(b, NEXT_DIR, whole_app ? APP_DIR : NULL, &found)) || !found)
            break;
        err = settle ? settle_file(b, &pending) : place_file(b);
    }
    return err;
}

int install_place_files(struct sdboot *b, bool whole_app)
{
    return each_file(b, whole_app, false);
}

int install_switch(struct sdboot *b)
{
    int err = place_app(b);
    if (!err)
        err = install_place_files(b, true);
    return err ? err : sdb_fat_sync(&b->vol);
}

/* Finish renames a cut interrupted, before check could resolve them by walk
 * order. Directions follow the journal: a pair is settled source -> target. */
int install_settle(struct sdboot *b)
{
    int err = sdb_fat_rename_settle(&b->vol, "/" APP_DIR, PREV_DIR "/" APP_DIR);
    if (!err)
        err = sdb_fat_rename_settle(&b->vol, NEXT_DIR "/" APP_DIR, "/" APP_DIR);
    if (!err)
        err = rebuild_settle(b, KEPT_ARCHIVE);
    if (!err)
        err = rebuild_settle(b, KEPT_RECORD);
    if (!err && SDBOOT_DELTA) /* a build without deltas keeps no index (install_commit) */
        err = index_settle_installed(b);
    return err ? err : install_settle_files(b, true);
}

int install_settle_files(struct sdboot *b, bool whole_app)
{
    /* Every file still in next/ may be mid-move (outside /app, or any for a delta). */
    return each_file(b, whole_app, true);
}

int install_commit(struct sdboot *b)
{
    int err = rebuild_move(b, KEPT_ARCHIVE);
    /* The index first: it reads the pending record, which then moves. A
     * build without deltas (SDBOOT_DELTA 0) keeps none: only a delta install
     * reads it, and without current.idx the OTA client downloads whole
     * releases instead of deltas this bootloader would refuse. */
    if (!err && SDBOOT_DELTA)
        err = index_keep_installed(b);
    if (!err) /* the records travel with their archives: the pending one is kept */
        err = rebuild_move(b, KEPT_RECORD);
    return err ? err : install_finish(b, false);
}

int install_finish(struct sdboot *b, bool keep_prev)
{
    int err = sdb_fat_sync(&b->vol);
    if (err || (err = state_commit(b)))
        return err;
    /* Clean-up after the commit: a cut here only leaves leftovers for the next boot. */
    if ((err = tree_unlink(b, SDB_STAGE_PENDING)) || (err = tree_unlink(b, SDB_CONFIRM)))
        return err;
    if ((!keep_prev && (err = tree_remove(b, PREV_DIR))) || (err = tree_remove(b, NEXT_DIR)))
        return err;
    return fs_work_end(b);
}

int install_from(struct sdboot *b, const struct sdb_stage_record *staged, const char *version)
{
    /* previous.tar was checked when it was installed; it is extracted as it is. */
    int err = state_begin_install(b, staged ? SDBOOT_FROM_STAGING : SDBOOT_FROM_PREVIOUS, version);
    if (err)
        return err;
    err = install_extract(b, staged ? SDB_STAGE_ARCHIVE : PREVIOUS_TAR, staged);
    if (err || (err = state_switch(b)) || (err = install_switch(b)))
        return err;
    return install_commit(b);
}
