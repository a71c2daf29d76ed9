/*
 * Delta install: a staged delta (stage.h, SDB_STAGE_DELTA) holds every file of
 * a release that differs from the base (the release whose whole archive is
 * current.tar), as a plain tar, beside the release's whole signed index. Only
 * what the installed tree lacks is written; the rest of the release is the
 * installed tree (docs/boot.md, "Delta install"). Over an installed delta the
 * next one is made against the same base (a delta over a delta), so none
 * depends on the one before.
 *
 *   (check)     reads only: the delta's base is current.tar's release, whose
 *               index the card keeps (current.idx while it is installed
 *               whole, base.idx under a delta); the new index passes every
 *               index rule and the device's limits and hashes to the signed
 *               index= the record names; the delta archive matches its
 *               record (size, SHA-256), every member of it is the index's
 *               (path, size, SHA-256) and every file of the index it lacks is
 *               the base's (same size and SHA-256). Any failure refuses the
 *               release with its own code before anything is written.
 *   EXTRACTING  the delta's files into /.sdboot/next/ (install_extract_some):
 *               over a delta only those current.idx lacks alike, then from
 *               current.tar the files the release takes back to the base's.
 *   SWITCHING   source DELTA: each /app file the new index drops is parked in
 *               /.sdboot/prev/; each file of next/ moved to its place, the one
 *               it replaces parked in prev/ (moved, never copied; an
 *               unchanged one is left alone); then current.idx -> base.idx
 *               (over a whole base) or the installed delta's index, archive
 *               and record -> previous.idx, .dlt, .dlr (over a delta); the
 *               staged index -> current.idx, the delta -> current.dlt, its
 *               record -> current.dlr. current.tar (the base) stays.
 *   IDLE        installed = the new release, delta; next/ removed. prev/ and
 *               previous.* stay until the release is confirmed (then they go
 *               with the leftovers) or rolled back:
 *   SWITCHING   source UNDO: each file in prev/ moved back over the one that
 *               replaced it, each /app file new in the delta removed, the
 *               index rolled back to (previous.idx or base.idx) ->
 *               current.idx, previous.dlt/.dlr -> current.* (back to a delta)
 *               or current.dlt/.dlr removed (back to the base); then IDLE,
 *               confirmed.
 * Every step looks at which names exist (and, for the drop and undo lists,
 * at the two indexes, which move only after them), so a rerun after a cut
 * finishes it; renames a cut left half-done are settled first.
 *
 * Bounded space (docs/design.md, invariant 6): the base archive, one delta
 * over it and, until confirmed, the delta before and the parked files: the
 * OTA client downloads a release whole when the new delta and the installed
 * one together exceed half the release, which keeps the sum within twice the
 * base.
 *
 * RAM: two index cursors in b->delta_work (names[] is idle meanwhile: the
 * tar reader runs without a names table here). Stack < 512 B plus the FAT
 * driver's. Power loss: as above; tests/boot/test_boot_powercut.c cuts every
 * write of a delta install, rollback, confirm and repair, and of a delta over
 * a delta, its rollback, confirm, repair and the rebuild of its state.
 */
#include <string.h>
#include "boot_internal.h"
#include "sdboot/limits.h"

#if SDBOOT_DELTA
static struct delta_work *work(struct sdboot *b)
{
    _Static_assert(sizeof(struct delta_work) <= sizeof(((struct sdboot *)0)->delta_work),
                   "the delta's index cursors fit in names[]");
    return (struct delta_work *)(void *)b->delta_work;
}

/* ---- the check: before anything is written ---- */

struct check {
    struct sdboot *b;
    struct idx_cursor *now, *old;
    struct sdb_sha256 file;
    uint8_t want[SDB_SHA256_LEN];
    bool in_file;
};

/* An entry of the new index against the installed one: a path that changes
 * between file and directory is not a delta's to switch; a file the delta
 * does not carry (`carried` false) must be the installed one. */
static int check_against_old(struct check *c, const struct sdb_index_piece *p, bool carried)
{
    const struct sdb_index_piece *o;
    int err = idx_seek(c->old, p->path, &o);
    if (err)
        return err;
    if (o && o->kind != p->kind)
        return SDBOOT_EDELTA;
    if (carried || p->kind != SDB_INDEX_FILE)
        return SDB_OK;
    bool same = o && o->length == p->length && !memcmp(o->sha256, p->sha256, SDB_SHA256_LEN);
    return same ? SDB_OK : SDBOOT_EDELTA;
}

/* The new index moved on to path (NULL: to its end), every file passed on
 * the way checked as unchanged; *p the entry for path, or NULL. */
static int advance_to(struct check *c, const char *path, const struct sdb_index_piece **p)
{
    int err = SDB_OK;
    *p = NULL;
    while (!err && c->now->cur) {
        const struct sdb_index_piece *n = c->now->cur;
        int order = n->kind == SDB_INDEX_META ? -1 : path ? strcmp(n->path, path) : -1;
        if (order == 0) {
            *p = n;
            return SDB_OK;
        }
        if (order > 0)
            return SDB_OK;
        if (n->kind != SDB_INDEX_META && (err = check_against_old(c, n, false)))
            return err;
        err = idx_next(c->now);
    }
    return err;
}

static int check_begin(void *ctx, const struct sdb_tar_entry *e)
{
    struct check *c = ctx;
    const struct sdb_index_piece *p;
    int err = advance_to(c, e->path, &p);
    if (err)
        return err;
    bool dir = e->type == SDB_TAR_DIR;
    if (!p || p->kind != (dir ? SDB_INDEX_DIR : SDB_INDEX_FILE))
        return SDB_IDX_EPATH; /* a member its index does not name */
    if (!dir && p->length != e->size)
        return SDB_IDX_ESIZE;
    if ((err = check_against_old(c, p, true)))
        return err;
    memcpy(c->want, p->sha256, SDB_SHA256_LEN);
    c->in_file = !dir;
    if (c->in_file && (err = sdb_sha256_init(&c->file)))
        return err;
    return idx_next(c->now); /* consumed */
}

static int check_data(void *ctx, const uint8_t *buf, size_t len)
{
    struct check *c = ctx;
    return c->in_file ? sdb_sha256_update(&c->file, buf, len) : SDB_OK;
}

static int check_end(void *ctx)
{
    struct check *c = ctx;
    if (!c->in_file)
        return SDB_OK;
    c->in_file = false;
    uint8_t sum[SDB_SHA256_LEN];
    int err = sdb_sha256_finish(&c->file, sum);
    return err ? err : memcmp(sum, c->want, SDB_SHA256_LEN) ? SDB_IDX_EHASH : SDB_OK;
}

/* The delta archive read once: its own hash and size, each member against
 * the new index, each file it lacks against the installed index. An archive
 * that is not the one recorded is reported as such first. */
static int check_members(struct sdboot *b, struct check *c, const struct sdb_stage_record *rec)
{
    struct sdb_tar_ops ops = {check_begin, check_data, check_end, c};
    struct sdb_fat_file in;
    struct sdb_sha256 whole;
    int err = sdb_fat_open(&b->vol, &in, SDB_STAGE_ARCHIVE, SDB_FAT_READ);
    if (err)
        return err == SDB_FAT_ENOENT ? SDBOOT_ESTAGED : err;
    if ((err = sdb_sha256_init(&whole))) {
        sdb_fat_close(&in);
        return err;
    }
    sdb_tar_init(&b->tar, &ops, NULL, NULL, SDB_LIMIT_ENTRIES, NULL, 0);
    uint64_t size = 0;
    uint32_t got;
    int tar_err = SDB_OK;
    while ((err = sdb_fat_read(&in, b->io, SDBOOT_IO_BUF / 2, &got)) == SDB_OK && got) {
        size += got;
        if ((err = sdb_sha256_update(&whole, b->io, got)))
            break;
        if (!tar_err)
            tar_err = sdb_tar_feed(&b->tar, b->io, got);
    }
    if (!err && !tar_err)
        tar_err = sdb_tar_finish(&b->tar);
    sdb_fat_close(&in);
    uint8_t sum[SDB_SHA256_LEN], scratch[SDB_SHA256_LEN];
    int herr = sdb_sha256_finish(&whole, sum);
    if (c->in_file) /* stopped inside a member: free its hash */
        sdb_sha256_finish(&c->file, scratch);
    if (err || (err = herr))
        return err;
    if (size != rec->size)
        return SDB_SIZE_EMISMATCH;
    if (memcmp(sum, rec->sha256, SDB_SHA256_LEN))
        return SDB_HASH_EMISMATCH;
    return tar_err;
}

/* The index of the base, current.tar's release: current.idx while it is
 * installed whole, base.idx under a delta. */
static const char *base_index(const struct sdboot *b)
{
    return b->st.delta ? BASE_INDEX : SDB_CURRENT_INDEX;
}

int delta_check(struct sdboot *b, const struct sdb_stage_record *rec)
{
    /* A delta is made against the base; over an installed delta the card
     * must keep both that delta's index (to switch from it) and the base's. */
    if (strcmp(rec->base, sdboot_state_base(&b->st)) || !(rec->flags & SDB_STAGE_INDEXED) ||
        !tree_has(&b->vol, SDB_CURRENT_INDEX) || !tree_exists(&b->vol, base_index(b), NULL) ||
        !tree_has(&b->vol, CURRENT_TAR))
        return SDBOOT_EDELTABASE;
    struct delta_work *w = work(b);
    int err = idx_check_whole(b, &w->a, SDB_STAGE_INDEX, rec->index_sha256);
    if (err)
        return err == SDB_FAT_ENOENT ? SDBOOT_ESTAGED : err;
    struct check c = {.b = b, .now = &w->a, .old = &w->b};
    if ((err = idx_open(b, &w->a, SDB_STAGE_INDEX, false)) ||
        (err = idx_open(b, &w->b, base_index(b), false))) {
        idx_close(&w->a);
        idx_close(&w->b);
        return err;
    }
    err = check_members(b, &c, rec);
    const struct sdb_index_piece *end;
    if (!err)
        err = advance_to(&c, NULL, &end); /* files after the last member */
    idx_close(&w->a);
    idx_close(&w->b);
    return err;
}

/* ---- install: extract, switch, commit ---- */

static bool same_file(const struct sdb_index_piece *n, const struct sdb_index_piece *o)
{
    return n && o && n->kind == SDB_INDEX_FILE && o->kind == SDB_INDEX_FILE &&
           n->length == o->length && !memcmp(n->sha256, o->sha256, SDB_SHA256_LEN);
}

/* Over an installed delta: what the new release (w->a, the staged index)
 * changes from the installed one (w->b, current.idx). */
struct pick {
    struct sdboot *b;
    struct delta_work *w;
    uint32_t taken;
    bool from_base;
};

/* Where path stands: the new index's entry and whether the installed
 * release has it alike. */
static int changed_from_installed(struct pick *p, const char *path,
                                  const struct sdb_index_piece **now, bool *changed)
{
    const struct sdb_index_piece *old;
    int err = idx_seek(&p->w->a, path, now);
    if (!err)
        err = idx_seek(&p->w->b, path, &old);
    *changed = !same_file(*now, old);
    return err;
}

/* A member the installed release has alike stays where it is: a delta over
 * the base carries every file the base lacks, also those its predecessor
 * brought already. From the base archive: a file of the new release the
 * installed one changed and the delta does not carry (the base has it, as
 * delta_check proved), i.e. not yet in next/. */
static int take_member(void *ctx, const struct sdb_tar_entry *e, bool *take)
{
    struct pick *p = ctx;
    const struct sdb_index_piece *now;
    bool changed;
    *take = false;
    if (e->type == SDB_TAR_DIR)
        return SDB_OK; /* folders come with their files */
    int err = changed_from_installed(p, e->path, &now, &changed);
    if (err || !changed || !now || now->kind != SDB_INDEX_FILE)
        return err;
    if (p->from_base) {
        tree_join(p->b->path, sizeof p->b->path, NEXT_DIR "/", e->path);
        if (now->length != e->size || tree_exists(&p->b->vol, p->b->path, NULL))
            return SDB_OK;
    }
    *take = true;
    p->taken++;
    return SDB_OK;
}

static int pick_open(struct pick *p)
{
    int err = idx_open(p->b, &p->w->a, SDB_STAGE_INDEX, false);
    return err ? err : idx_open(p->b, &p->w->b, SDB_CURRENT_INDEX, false);
}

static void pick_close(struct pick *p)
{
    idx_close(&p->w->a);
    idx_close(&p->w->b);
}

/* Files of the new release the installed one lacks alike. */
static int count_changed(struct pick *p, uint32_t *n)
{
    int err = pick_open(p);
    *n = 0;
    for (; !err && p->w->a.cur; err = idx_next(&p->w->a)) {
        const struct sdb_index_piece *now = p->w->a.cur, *old;
        if (now->kind != SDB_INDEX_FILE)
            continue;
        if ((err = idx_seek(&p->w->b, now->path, &old)))
            break;
        *n += !same_file(now, old);
    }
    pick_close(p);
    return err;
}

/* EXTRACTING: the delta's files into next/. Over an installed delta, only
 * those that differ from it; then, when the new release takes files back
 * to the base's version, those from current.tar (copied: the one write a
 * delta over a delta adds). */
static int delta_extract(struct sdboot *b, const struct sdb_stage_record *rec)
{
    if (!b->st.delta)
        return install_extract(b, SDB_STAGE_ARCHIVE, rec);
    struct pick p = {.b = b, .w = work(b)};
    struct install_filter filter = {take_member, &p};
    int err = pick_open(&p);
    if (!err)
        err = install_extract_some(b, SDB_STAGE_ARCHIVE, rec, &filter, true);
    pick_close(&p);
    uint32_t changed, from_delta = p.taken;
    if (err || (err = count_changed(&p, &changed)) || changed == from_delta)
        return err;
    p.from_base = true;
    if (!(err = pick_open(&p)))
        err = install_extract_some(b, CURRENT_TAR, NULL, &filter, false);
    pick_close(&p);
    if (!err && p.taken != changed)
        err = SDBOOT_EDELTA; /* the base lacks a file delta_check found in its index */
    return err ? err : sdb_fat_sync(&b->vol);
}

/* The indexes have not moved yet: the drop list (old index against the new)
 * can still be read. */
static bool indexes_in_place(struct sdboot *b)
{
    return tree_has(&b->vol, SDB_STAGE_INDEX) && tree_has(&b->vol, SDB_CURRENT_INDEX);
}

/* For each /app file of index `from` that index `to` does not name, call fn
 * with its path ("/app/..."), in b->path2. */
static int each_dropped(struct sdboot *b, const char *from, const char *to,
                        int (*fn)(struct sdboot *b, const char *path))
{
    struct delta_work *w = work(b);
    int err = idx_open(b, &w->a, from, false);
    if (!err)
        err = idx_open(b, &w->b, to, false);
    while (!err && w->a.cur) {
        const struct sdb_index_piece *p = w->a.cur, *n;
        if (p->kind == SDB_INDEX_FILE && tree_in_app(p->path)) {
            if ((err = idx_seek(&w->b, p->path, &n)))
                break;
            tree_join(b->path2, sizeof b->path2, "/", p->path);
            if (!n && (err = fn(b, b->path2)))
                break;
        }
        err = idx_next(&w->a);
    }
    idx_close(&w->a);
    idx_close(&w->b);
    return err;
}

/* The name a file (path, in b->path2) is parked under, into b->path. */
static int parked_name(struct sdboot *b, const char *path)
{
    return tree_join(b->path, sizeof b->path, PREV_DIR, path) ? SDB_OK : SDBOOT_ETOODEEP;
}

/* A dropped file is parked, as a replaced one is (rollback brings it back). */
static int park(struct sdboot *b, const char *path)
{
    int err = parked_name(b, path);
    if (err || !tree_has(&b->vol, path))
        return err;
    if ((err = tree_mkdirs(&b->vol, b->path, false)))
        return err;
    return sdb_fat_rename(&b->vol, path, b->path, true);
}

static int settle_parked(struct sdboot *b, const char *path)
{
    int err = parked_name(b, path);
    return err ? err : sdb_fat_rename_settle(&b->vol, path, b->path);
}

static int delta_switch(struct sdboot *b)
{
    int err = SDB_OK;
    if (indexes_in_place(b))
        err = each_dropped(b, SDB_CURRENT_INDEX, SDB_STAGE_INDEX, park);
    if (!err)
        err = install_place_files(b, false);
    return err ? err : sdb_fat_sync(&b->vol);
}

static int move_if_there(struct sdboot *b, const char *from, const char *to)
{
    return tree_has(&b->vol, from) ? sdb_fat_rename(&b->vol, from, to, true) : SDB_OK;
}

/* The indexes, then the delta archive and its record; each step skipped
 * once done. Over a whole base: current.idx becomes base.idx. Over a delta:
 * its index, archive and record become previous.*, kept until confirmed. */
static int delta_commit(struct sdboot *b)
{
    int err = SDB_OK;
    bool over_delta = b->st.delta;
    if (tree_has(&b->vol, SDB_STAGE_ARCHIVE)) {
        if (tree_has(&b->vol, SDB_STAGE_INDEX)) {
            err = move_if_there(b, SDB_CURRENT_INDEX, over_delta ? PREVIOUS_INDEX : BASE_INDEX);
            if (!err)
                err = sdb_fat_rename(&b->vol, SDB_STAGE_INDEX, SDB_CURRENT_INDEX, false);
        }
        if (!err && over_delta && !(err = move_if_there(b, CURRENT_DELTA, PREVIOUS_DELTA)))
            err = move_if_there(b, CURRENT_DREC, PREVIOUS_DREC);
        if (!err)
            err = sdb_fat_rename(&b->vol, SDB_STAGE_ARCHIVE, SDB_CURRENT_DELTA, true);
    }
    /* The pending record leaves staging before the state names the release:
     * after that a cut must not find it there (it would be refused as not
     * newer). It is kept beside the delta as current.dlr (the state's
     * rebuild reads it); the base's record (current.rec) stays with
     * current.tar. */
    if (!err)
        err = move_if_there(b, SDB_STAGE_PENDING, CURRENT_DREC);
    return err ? err : install_finish(b, true); /* prev/ stays until confirmed */
}

int delta_install(struct sdboot *b, const struct sdb_stage_record *rec)
{
    int err = state_begin_install(b, SDBOOT_FROM_DELTA, rec->version);
    if (err || (err = delta_extract(b, rec)))
        return err;
    if ((err = state_switch(b)) || (err = delta_switch(b)))
        return err;
    return delta_commit(b);
}

/* Renames of a delta switch a cut may have left half-done, source -> target. */
static int delta_settle(struct sdboot *b)
{
    static const char *const moves[][2] = {
        {SDB_CURRENT_INDEX, PREVIOUS_INDEX},  {SDB_CURRENT_INDEX, BASE_INDEX},
        {SDB_STAGE_INDEX, SDB_CURRENT_INDEX}, {CURRENT_DELTA, PREVIOUS_DELTA},
        {CURRENT_DREC, PREVIOUS_DREC},        {SDB_STAGE_ARCHIVE, SDB_CURRENT_DELTA},
        {SDB_STAGE_PENDING, CURRENT_DREC},
    };
    int err = SDB_OK;
    for (size_t i = 0; !err && i < sizeof moves / sizeof moves[0]; i++)
        err = sdb_fat_rename_settle(&b->vol, moves[i][0], moves[i][1]);
    if (!err && indexes_in_place(b))
        err = each_dropped(b, SDB_CURRENT_INDEX, SDB_STAGE_INDEX, settle_parked);
    return err ? err : install_settle_files(b, false);
}

/* ---- rollback of an unconfirmed delta ---- */

static int remove_new(struct sdboot *b, const char *path)
{
    return tree_unlink(b, path);
}

/* Every file in prev/ back in its place, over the one that replaced it. */
static int unpark_all(struct sdboot *b)
{
    for (unsigned n = 0; n < 100000; n++) {
        bool found;
        int err = tree_next_file(b, PREV_DIR, NULL, &found);
        if (err || !found)
            return err;
        const char *rel = b->path + strlen(PREV_DIR);
        COPY_STR(b->path2, rel);
        if ((err = tree_unlink(b, b->path2)) || (err = tree_mkdirs(&b->vol, b->path2, false)) ||
            (err = sdb_fat_rename(&b->vol, b->path, b->path2, false)))
            return err;
    }
    return SDB_FAT_ELOOP;
}

/* The index of the release an undo returns to: the delta before (kept as
 * previous.idx) or the base. */
static const char *undo_index(const struct sdboot *b)
{
    return b->st.previous_delta ? PREVIOUS_INDEX : BASE_INDEX;
}

static int delta_undo(struct sdboot *b)
{
    const char *back = undo_index(b);
    int err = unpark_all(b);
    bool have_previous = tree_has(&b->vol, back);
    if (!err && have_previous && tree_has(&b->vol, SDB_CURRENT_INDEX))
        err = each_dropped(b, SDB_CURRENT_INDEX, back, remove_new);
    if (!err && have_previous)
        err = sdb_fat_rename(&b->vol, back, SDB_CURRENT_INDEX, true);
    if (!err && b->st.previous_delta) { /* the delta before is the installed one again */
        if (!(err = move_if_there(b, PREVIOUS_DELTA, CURRENT_DELTA)))
            err = move_if_there(b, PREVIOUS_DREC, CURRENT_DREC);
    } else if (!err && !(err = tree_unlink(b, SDB_CURRENT_DELTA))) {
        err = tree_unlink(b, CURRENT_DREC);
    }
    return err ? err : sdb_fat_sync(&b->vol);
}

static int undo_settle(struct sdboot *b)
{
    int err = sdb_fat_rename_settle(&b->vol, undo_index(b), SDB_CURRENT_INDEX);
    if (!err)
        err = sdb_fat_rename_settle(&b->vol, PREVIOUS_DELTA, CURRENT_DELTA);
    if (!err)
        err = sdb_fat_rename_settle(&b->vol, PREVIOUS_DREC, CURRENT_DREC);
    for (unsigned n = 0; !err && n < 100000; n++) {
        bool found;
        if ((err = tree_next_file(b, PREV_DIR, NULL, &found)) || !found)
            break;
        const char *rel = b->path + strlen(PREV_DIR);
        if ((err = sdb_fat_rename_settle(&b->vol, b->path, rel)) || tree_has(&b->vol, b->path))
            break; /* the first file still parked: the undo moves it */
    }
    return err;
}

int delta_rollback(struct sdboot *b)
{
    int err = state_begin_undo(b);
    if (err || (err = delta_undo(b)))
        return err;
    return install_finish(b, false);
}

int delta_resume(struct sdboot *b, enum state_recovery action)
{
    bool undo = action == RECOVER_FINISH_UNDO;
    int err = undo ? undo_settle(b) : delta_settle(b);
    if (err || (err = repair_fat_check(b)))
        return err;
    if (undo)
        return (err = delta_undo(b)) ? err : install_finish(b, false);
    return (err = delta_switch(b)) ? err : delta_commit(b);
}

#endif /* without deltas, boot_internal.h refuses them with no call */

int delta_drop_previous(struct sdboot *b)
{
    int err = tree_unlink(b, PREVIOUS_DREC);
    if (!err)
        err = tree_unlink(b, PREVIOUS_INDEX);
    return err ? err : tree_unlink(b, PREVIOUS_DELTA); /* last: it says whether to come */
}

/* ---- the index a whole install keeps ---- */

static bool hashes_to(struct sdboot *b, const char *path, const uint8_t want[SDB_SHA256_LEN])
{
    uint8_t sum[SDB_SHA256_LEN];
    uint64_t size;
    return tree_hash_file(b, path, &size, sum) == SDB_OK && !memcmp(sum, want, SDB_SHA256_LEN);
}

/* What a delta leaves that a whole release has no use for. */
static const char *const delta_files[] = {PREVIOUS_INDEX, BASE_INDEX,     SDB_CURRENT_DELTA,
                                          CURRENT_DREC,   PREVIOUS_DELTA, PREVIOUS_DREC};

int index_keep_installed(struct sdboot *b)
{
    int err = SDB_OK;
    for (size_t i = 0; !err && i < sizeof delta_files / sizeof delta_files[0]; i++)
        err = tree_unlink(b, delta_files[i]);
    if (err)
        return err;
    struct sdb_stage_record rec;
    bool indexed = b->st.source == SDBOOT_FROM_STAGING && install_read_pending(b, &rec) == SDB_OK &&
                   (rec.flags & SDB_STAGE_INDEXED);
    /* Decided by content, so a rerun after a cut decides the same. */
    if (indexed && hashes_to(b, SDB_STAGE_INDEX, rec.index_sha256))
        return sdb_fat_rename(&b->vol, SDB_STAGE_INDEX, SDB_CURRENT_INDEX, true);
    if (indexed && hashes_to(b, SDB_CURRENT_INDEX, rec.index_sha256))
        return SDB_OK;
    return tree_unlink(b, SDB_CURRENT_INDEX);
}

int index_settle_installed(struct sdboot *b)
{
    return sdb_fat_rename_settle(&b->vol, SDB_STAGE_INDEX, SDB_CURRENT_INDEX);
}
