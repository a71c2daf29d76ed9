/*
 * Repair: compare every file of the installed release with its archive
 * (/.sdboot/current.tar) and restore the ones that are missing or differ.
 * Two passes over the archive: the first compares and marks damaged entries in
 * a bitmap (no writes), the second writes each damaged file to a temporary and
 * renames it over the damaged one. A cut leaves the temporary behind; the next
 * boot removes it and repairs again.
 *
 * A release installed as a delta is repaired from its delta archive
 * (current.dlt) first, then from current.tar for the files current.idx says
 * are still the base's (same path, size and SHA-256: the base member is
 * hashed while it is compared), so any number of delta updates leave every
 * file restorable. The index is read alongside through a cursor in
 * b->delta_work; the tar reader then keeps no names table. A build without
 * delta installs (SDBOOT_DELTA 0) has no filter, and none of its code.
 */
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
    struct idx_cursor *filter; /* a delta's base: only what this index names alike */
    bool skip, hashing;        /* the entry is not the release's / is hashed against want */
    struct sdb_sha256 sha;
    uint8_t want[SDB_SHA256_LEN];
};

/* With a filter, a base file counts only when the index names it with the
 * same size; its SHA-256 is then compared at its end. */
static int filter_entry(struct repair *r, const struct sdb_tar_entry *e)
{
    const struct sdb_index_piece *p;
    int err = idx_seek(r->filter, e->path, &p);
    if (err)
        return err;
    r->skip = !p || p->kind != SDB_INDEX_FILE || p->length != e->size;
    if (r->skip)
        return SDB_OK;
    memcpy(r->want, p->sha256, SDB_SHA256_LEN);
    r->hashing = true;
    return sdb_sha256_init(&r->sha);
}

static bool marked(struct sdboot *b, uint32_t i)
{
    return i / 8 < sizeof b->bitmap && (b->bitmap[i / 8] >> (i % 8)) & 1;
}

static int repair_begin(void *ctx, const struct sdb_tar_entry *e)
{
    struct repair *r = ctx;
    struct sdboot *b = r->b;
    uint32_t i = r->index++;
    tree_join(b->path, sizeof b->path, "/", e->path);
    if (e->type == SDB_TAR_DIR)
        return r->writing ? SDB_OK : tree_mkdirs(&b->vol, b->path, true);
    if (r->writing) {
        if (!marked(b, i))
            return SDB_OK;
        r->open = true;
        return sdb_fat_open(&b->vol, &b->out, FIX_TMP,
                            SDB_FAT_WRITE | SDB_FAT_CREATE | SDB_FAT_TRUNC);
    }
    r->skip = r->hashing = false;
    int err = SDBOOT_DELTA && r->filter ? filter_entry(r, e) : SDB_OK;
    if (err || r->skip)
        return err;
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
    if (SDBOOT_DELTA && r->hashing && !r->writing) {
        int err = sdb_sha256_update(&r->sha, buf, len);
        if (err)
            return err;
    }
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
    if (r->skip)
        return SDB_OK;
    if (SDBOOT_DELTA &&
        r->hashing) { /* the base's member differs from the release's: not its file */
        uint8_t sum[SDB_SHA256_LEN];
        int err = sdb_sha256_finish(&r->sha, sum);
        r->hashing = false;
        if (err)
            return err;
        if (memcmp(sum, r->want, SDB_SHA256_LEN))
            return SDB_OK;
    }
    if (r->damaged && i / 8 < sizeof b->bitmap) {
        b->bitmap[i / 8] |= (uint8_t)(1u << (i % 8));
        r->damaged_count++;
    }
    return SDB_OK;
}

static int run_pass(struct sdboot *b, struct repair *r, const char *archive)
{
    struct sdb_tar_ops ops = {repair_begin, repair_data, repair_end, r};
    struct feed_result fr;
    r->index = 0;
    /* the first half of b->io: repair_data compares in the second */
    int err = install_feed(b, archive, &ops, SDBOOT_IO_BUF / 2, NULL, &fr);
    if (r->open) {
        sdb_fat_close(r->writing ? &b->out : &r->card);
        r->open = false;
    }
    if (err == SDB_FAT_ENOENT)
        err = SDBOOT_ENOARCHIVE;
    if (SDBOOT_DELTA && r->hashing) { /* stopped inside an entry: free its hash */
        uint8_t sum[SDB_SHA256_LEN];
        sdb_sha256_finish(&r->sha, sum);
        r->hashing = false;
    }
    return err ? err : fr.tar_err;
}

/* Both passes over one archive; filtered by `index` when given. */
static int repair_from(struct sdboot *b, const char *archive, const char *index, uint32_t *restored)
{
    struct repair r = {.b = b};
    memset(b->bitmap, 0, sizeof b->bitmap);
#if SDBOOT_DELTA
    struct idx_cursor *cur = &((struct delta_work *)(void *)b->delta_work)->a;
    int err = index ? idx_open(b, cur, index, false) : SDB_OK;
    r.filter = index ? cur : NULL;
#else
    struct idx_cursor *cur = NULL;
    int err = index ? SDBOOT_EDELTABASE : SDB_OK;
#endif
    if (!err)
        err = run_pass(b, &r, archive);
    if (index && cur)
        idx_close(cur);
    r.filter = NULL;
    if (err || !r.damaged_count)
        return err;
    r.writing = true;
    if ((err = run_pass(b, &r, archive)) || (err = sdb_fat_sync(&b->vol)))
        return err;
    *restored += r.damaged_count;
    return SDB_OK;
}

int sdboot_repair(struct sdboot *b, uint32_t *restored)
{
    *restored = 0;
    int err = tree_unlink(b, FIX_TMP);
    if (err)
        return err;
    if (b->st.delta)
        err = repair_from(b, CURRENT_DELTA, NULL, restored);
    if (!err)
        err = repair_from(b, CURRENT_TAR, b->st.delta ? SDB_CURRENT_INDEX : NULL, restored);
    if (!err && *restored)
        b->repaired = *restored;
    return err;
}

/* The caller's note, and whether a managed file outside /.sdboot was cut
 * (the boot then rewrites it from the archive). */
struct check_ctx {
    struct sdboot *b;
    sdboot_check_note note;
    void *note_ctx;
};

static bool check_owns(void *ctx, const char *path, bool is_dir)
{
    return own_path(((struct check_ctx *)ctx)->b, path, is_dir);
}

static void check_note(void *ctx, const char *path, const char *what, bool fixed)
{
    struct check_ctx *c = ctx;
    if (fixed && strncmp(path, SDB_DIR "/", sizeof SDB_DIR))
        c->b->restore_needed = true;
    if (c->note)
        c->note(c->note_ctx, path, what, fixed);
}

/* The check as the boot runs it: ownership from the archives `st` names.
 * chains_only: no FAT-wide scans (the guard; repair needs them). */
static int check_card(struct sdboot *b, const struct sdboot_state *st, bool repair,
                      bool chains_only, sdboot_check_note note, void *note_ctx,
                      struct sdb_fat_check_report *report)
{
    struct check_ctx c = {b, note, note_ctx};
    /* own_load reads the archives through b->io: it is free again here, and
     * the check's FAT-wide scans read 8 sectors a request into it. */
    const struct sdb_fat_check_opts opts = {.owned = check_owns,
                                            .note = check_note,
                                            .ctx = &c,
                                            .scan = b->io,
                                            .scan_bytes = sizeof b->io,
                                            .chains_only = chains_only};
    own_load(b, st);
    return sdb_fat_check_owned(&b->vol, repair, b->bitmap, sizeof b->bitmap, &opts, report);
}

int sdboot_check_card(struct sdboot *b, bool repair, sdboot_check_note note, void *note_ctx,
                      struct sdb_fat_check_report *report)
{
    static const struct sdboot_state idle; /* no readable state: the tree decides */
    struct sdboot_state st;
    if (sdboot_read_state(&b->vol, &st) != SDB_OK)
        st = idle;
    return check_card(b, &st, repair, false, note, note_ctx, report);
}

#define CHECK_LOG_LINES 16 /* fixes logged by path; the rest counted */

struct boot_notes {
    struct sdboot *b;
    uint32_t logged;
};

#if SDBOOT_LOG
static void log_note(void *ctx, const char *path, const char *what, bool fixed)
{
    struct boot_notes *n = ctx;
    if (n->logged++ < CHECK_LOG_LINES)
        boot_log(n->b, "repair: %s: %s%s", path, what,
                 fixed ? "" : " (not sdboot's: left as it is)");
}
#else
#define log_note NULL /* nothing is logged */
#endif

int guard_owned(struct sdboot *b)
{
    if (b->guarded)
        return SDB_OK;
    b->guarded = true;
    struct sdb_fat_check_report r;
    /* Deleting or replacing a file of ours frees its chain: one that runs into
     * a user's file would take the user's data with it. The walk of the tree
     * and its chains finds that (and a FAT sector a cut tore shows up as a bad
     * chain, sending the boot to the full repair below). The FAT-wide scans
     * protect nothing a delete depends on, so they are skipped: lost clusters
     * only waste space (an install that runs out of it sweeps them,
     * reclaim_lost) and a FAT copy behind FAT 1 is never read; the full check
     * mends both whenever repair runs (POWERLOSS.md, "When the FAT-wide scans
     * run"). The user's own problems do not matter here. */
    int err = check_card(b, &b->st, false, true, NULL, NULL, &r);
    if (err != SDB_FAT_ECORRUPT)
        return err;
    uint32_t ours = r.cross_links + r.chains_truncated + r.sizes_fixed + r.bad_entries;
    if (ours <= r.left_alone)
        return SDB_OK;
    boot_log(b, "sdboot's files on the card are damaged: repairing them first");
    if ((err = fs_work_begin(b)))
        return err;
    return repair_fat_check(b);
}

int check_chains(struct sdboot *b)
{
    struct sdb_fat_check_report r;
    int err = check_card(b, &b->st, false, true, NULL, NULL, &r);
    return err == SDB_FAT_ECORRUPT ? repair_fat_check(b) : err;
}

/* The full check with repair, its fixes logged; r says what it found. */
static int repair_reporting(struct sdboot *b, struct sdb_fat_check_report *r)
{
    struct boot_notes n = {.b = b};
    b->guarded = true;
    int err = check_card(b, &b->st, true, false, log_note, &n, r);
    if (err)
        return err;
    uint32_t found = r->lost_clusters + r->cross_links + r->chains_truncated + r->sizes_fixed +
                     r->orphan_lfn + r->bad_entries + r->fat_copies_fixed + r->fsinfo_fixed;
    if (n.logged > CHECK_LOG_LINES)
        boot_log(b, "repair: %u more", (unsigned)(n.logged - CHECK_LOG_LINES));
    if (found > r->left_alone)
        boot_log(b, "file system repaired (%u fixes)", (unsigned)(found - r->left_alone));
    if (r->left_alone)
        boot_log(b,
                 "%u problems in files sdboot does not own were left as they are: run `sdboot "
                 "image check` on the card",
                 (unsigned)r->left_alone);
    return SDB_OK;
}

int repair_fat_check(struct sdboot *b)
{
    struct sdb_fat_check_report r;
    return repair_reporting(b, &r);
}

int reclaim_lost(struct sdboot *b, uint32_t *freed)
{
    struct sdb_fat_check_report r;
    int err = fs_work_begin(b);
    if (err || (err = repair_reporting(b, &r)))
        return err;
    *freed = r.lost_clusters;
    return SDB_OK;
}
