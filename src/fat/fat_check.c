/*
 * Check and repair: finds what a power cut (or a careless writer) leaves on a
 * FAT volume and, with `repair`, fixes it without freeing data a live entry uses.
 *
 * Order: FAT copies are made equal to FAT 1 first; then the directory tree is
 * walked depth-first from the root, marking every cluster that entries use in a
 * bitmap; a cluster marked twice is a cross-link (the entry walked first keeps
 * it); chains are trimmed to their file's size; what is allocated but unmarked
 * is lost and freed; FSInfo is recounted last. RAM is bounded: the bitmap is the
 * caller's, and when it covers fewer clusters than the volume has, the walk is
 * repeated once per window of clusters that some chain reaches (the first
 * window's walks note, in SEG_BITS coarse segments of the volume, where chains
 * run; a window no chain reaches only gets the lost-cluster sweep). Every walk
 * is bounded (chain length by
 * the cluster count, nesting by SDB_FAT_MAX_DEPTH), so a hostile card cannot
 * make it loop. The two scans over the whole FAT (copies compared, lost
 * clusters swept) read many sectors a request into the caller's opts->scan and,
 * before the walk, the bitmap; without them, one sector a request (stack: one
 * sector, as before).
 *
 * Chains only (opts->chains_only, read-only): the walks without the FAT-wide
 * scans, and a window walked again only when an owned chain reaches it: what
 * freeing an owned chain needs to know (does it run into another entry's
 * clusters, is it whole) for a fraction of the reads on a big card.
 *
 * Ownership (sdb_fat_check_opts.owned): when the caller says which entries it
 * owns, the tree is walked twice per window, entries it does not own first, so
 * a cluster two entries share stays with the one it does not own, and only
 * owned entries are ever cut, shrunk or dropped. A problem in an entry it does
 * not own is reported (left_alone, and to opts->note by path) and never
 * changed: it is not the caller's to mend. Without opts every entry is owned.
 */
#include "fat_internal.h"

struct frame {
    uint32_t dclus;
    uint32_t slot;
    uint16_t path_len;  /* strlen of this directory's path in check.path */
    bool revisit;       /* walked in the first phase already: its slots were checked */
    uint32_t lfn_start; /* first slot of the pending long-name run */
    uint8_t lfn_expected;
    uint8_t lfn_sum;
    bool lfn_active;
};

#define SEG_BITS 256 /* coarse map of where chains run: which windows to walk */

/* Small fields first: Thumb-2's 2-byte loads and stores reach bytes at
 * offsets up to 31 and words up to 124 (the arrays come last). */
struct check {
    bool repair;
    bool problems;
    bool owned_phase; /* second walk: owned entries */
    bool owned;       /* the entry being checked is the caller's */
    struct sdb_fat_vol *vol;
    uint8_t *bitmap;
    uint32_t win_first, win_count; /* clusters [win_first, win_first + win_count) */
    struct sdb_fat_check_report *rep;
    uint32_t seg_clusters; /* clusters per segment of the maps below */
    uint32_t free_seen;    /* free clusters the sweeps found (lost ones freed count) */
    unsigned depth;
    uint32_t bitmap_bytes;
    struct sdb_fat_check_opts opts;  /* the caller's, or all zero: every entry is owned */
    uint8_t seg_used[SEG_BITS / 8];  /* a segment some chain reaches */
    uint8_t seg_owned[SEG_BITS / 8]; /* a segment an owned chain reaches */
    struct frame stack[SDB_FAT_MAX_DEPTH + 1];
    char path[SDB_FAT_PATH_MAX + 1]; /* of the entry being checked (with opts) */
};

/* What a problem is, for opts->note: left out with the error messages
 * (sdboot/error.h), the counters still say which kind it was. */
#if SDB_ERROR_MESSAGES
#define WHAT(text) text
#else
#define WHAT(text) ""
#endif

/* Count a problem; false when it is not ours to fix (the caller does not own
 * the entry), in which case it is reported and left as it is. */
static bool problem_at(struct check *ck, uint32_t *counter, const char *what)
{
    (*counter)++;
    ck->problems = true;
    bool fix = ck->repair && ck->owned;
    if (!ck->owned)
        ck->rep->left_alone++;
    if (ck->opts.note)
        ck->opts.note(ck->opts.ctx, ck->path[0] ? ck->path : "/", what, fix);
    return fix;
}

static int problem(struct check *ck, uint32_t *counter)
{
    (*counter)++;
    ck->problems = true;
    return SDB_OK;
}

/* Mark a cluster used; true when it already was (cross-link or loop). */
static bool mark(struct check *ck, uint32_t c)
{
    /* c is valid: checked by the caller, the root at mount */
    uint32_t seg = (c - 2) / ck->seg_clusters;
    uint8_t m = (uint8_t)(1u << (seg % 8));
    ck->seg_used[seg / 8] |= m;
    if (ck->owned)
        ck->seg_owned[seg / 8] |= m;
    uint32_t bit = c - ck->win_first; /* wraps below the window */
    if (bit >= ck->win_count)
        return false;
    m = (uint8_t)(1u << (bit % 8));
    bool again = ck->bitmap[bit / 8] & m;
    ck->bitmap[bit / 8] |= m;
    return again;
}

static int delete_slots(struct check *ck, uint32_t dclus, uint32_t first, uint32_t last)
{
    struct fat_loc loc = {.dclus = dclus, .first_slot = first, .sfn_slot = last};
    return fat_dir_remove(ck->vol, &loc);
}

/* Walk one chain, marking it; trims it at `max_clusters`, at a cross-link or at
 * a broken link. Reports how many clusters it kept and whether its first
 * cluster was already owned (then the caller drops the entry). */
static int walk_chain(struct check *ck, uint32_t first, uint32_t max_clusters, uint32_t *kept,
                      bool *first_taken)
{
    struct sdb_fat_vol *vol = ck->vol;
    uint32_t c = first, prev = 0, n = 0, v, cut = 0, *counter = NULL;
    const char *what = NULL;
    bool owned = ck->owned;
    *first_taken = false;
    for (; c; prev = c, c = v) {
        if (n == max_clusters || n > vol->nclusters) {
            /* Clusters past the size are no part of the file: freeing them
             * shortens nothing, so it is done for any owner. */
            ck->owned = true;
            counter = &ck->rep->chains_truncated, what = WHAT("chain longer than the size");
            cut = prev;
            break;
        }
        if (mark(ck, c)) {
            if (n == 0) {
                *first_taken = true;
                return SDB_OK;
            }
            counter = &ck->rep->cross_links, what = WHAT("shares clusters: cut where they meet");
            cut = prev;
            break;
        }
        n++;
        int err = fat_get(vol, c, &v);
        if (err)
            return err;
        if (fat_is_eoc(vol, v))
            break;
        if (!fat_valid_clus(vol, v)) {
            counter = &ck->rep->chains_truncated, what = WHAT("broken cluster chain: ended");
            cut = c;
            break;
        }
    }
    /* the chain ends at `cut` */
    bool fix = counter && problem_at(ck, counter, what) && cut;
    ck->owned = owned;
    int err = fix ? fat_set(vol, cut, fat_eoc(vol)) : SDB_OK;
    *kept = n;
    return err;
}

/* Whose entry this is, and its path, when the caller said what it owns. */
static int classify_entry(struct check *ck, struct frame *fr, uint32_t first_slot, bool is_dir)
{
    ck->owned = true;
    if (!ck->opts.owned)
        return SDB_OK;
    char name[SDB_FAT_NAME_MAX + 1];
    struct fat_loc loc;
    uint32_t slot = first_slot;
    int err = fat_dir_next(ck->vol, fr->dclus, &slot, &loc, name, sizeof name);
    if (err)
        return err;
    size_t n = strlen(name);
    if (fr->path_len + 1 + n > SDB_FAT_PATH_MAX) {
        ck->path[fr->path_len] = '\0';
        return SDB_FAT_EPATH;
    }
    ck->path[fr->path_len] = '/';
    memcpy(ck->path + fr->path_len + 1, name, n + 1);
    ck->owned = ck->opts.owned(ck->opts.ctx, ck->path, is_dir);
    return SDB_OK;
}

/* A directory whose cluster is one of its ancestors' (a cycle). */
static bool is_ancestor(const struct check *ck, uint32_t clus)
{
    for (unsigned i = 0; i <= ck->depth; i++)
        if (ck->stack[i].dclus == clus)
            return true;
    return false;
}

static int push_dir(struct check *ck, uint32_t clus, bool revisit)
{
    if (ck->depth >= SDB_FAT_MAX_DEPTH)
        return SDB_FAT_EDEPTH;
    uint16_t len = (uint16_t)strlen(ck->path);
    ck->stack[ck->depth + 1] = (struct frame){.dclus = clus, .path_len = len, .revisit = revisit};
    ck->depth++;
    return SDB_OK;
}

/* An entry that cannot stay: its entry set removed (with repair, when ours). */
static int drop_entry(struct check *ck, const struct fat_loc *loc, uint32_t *counter,
                      const char *what)
{
    return problem_at(ck, counter, what) ? fat_dir_remove(ck->vol, loc) : SDB_OK;
}

/* Check one 8.3 entry (and, for a directory, schedule its walk). */
static int check_entry(struct check *ck, struct frame *fr, struct fat_loc *loc)
{
    uint8_t *raw = loc->raw;
    struct sdb_fat_vol *vol = ck->vol;
    bool is_dir = raw[11] & ATTR_DIR;
    uint32_t clus = fat_entry_clus(vol, raw), size = rd32(raw + 28);
    uint32_t cb = sdb_fat_cluster_bytes(vol);
    int err = classify_entry(ck, fr, loc->first_slot, is_dir);
    if (err)
        return err;
    if (ck->opts.owned && ck->owned != ck->owned_phase) {
        /* Not this walk's entry. The second walk still goes through the
         * directories the first one checked, for owned entries inside them. */
        if (!is_dir || ck->owned || !fat_valid_clus(vol, clus) || is_ancestor(ck, clus))
            return SDB_OK;
        return push_dir(ck, clus, true);
    }
    uint32_t kept = 0;
    bool taken = false;
    if ((clus && !fat_valid_clus(vol, clus)) || (is_dir && !clus))
        return drop_entry(ck, loc, &ck->rep->bad_entries,
                          WHAT("points outside the volume: removed"));
    if (ck->win_first == 2) /* counted once, in the first window */
        (*(is_dir ? &ck->rep->dirs : &ck->rep->files))++;
    /* size 0 with a cluster: keep one, as the entry names it */
    uint32_t need = is_dir ? UINT32_MAX : size ? (size - 1) / cb + 1 : 1;
    if (clus && (err = walk_chain(ck, clus, need, &kept, &taken)))
        return err;
    if (taken)
        return drop_entry(ck, loc, &ck->rep->cross_links,
                          WHAT("starts in another entry's clusters: removed"));
    if (is_dir)
        return push_dir(ck, clus, false);
    if ((uint64_t)kept * cb >= size)
        return SDB_OK;
    wr32(raw + 28, kept * cb);
    if (problem_at(ck, &ck->rep->sizes_fixed,
                   clus ? WHAT("size larger than its clusters: shrunk")
                        : WHAT("size without clusters: set to 0")))
        return fat_dir_update(vol, loc);
    return SDB_OK;
}

/* Long-name parts without their entry name no file: removing them loses
 * nothing, whoever owns the directory. Counted once, on the first visit. */
static int orphan_run(struct check *ck, struct frame *fr, uint32_t end_slot)
{
    fr->lfn_active = false;
    if (fr->revisit)
        return SDB_OK;
    problem(ck, &ck->rep->orphan_lfn);
    return ck->repair ? delete_slots(ck, fr->dclus, fr->lfn_start, end_slot) : SDB_OK;
}

/* Process the next slot of the directory on top of the stack. */
static int step(struct check *ck)
{
    struct frame *fr = &ck->stack[ck->depth];
    uint32_t s = fr->slot, lba;
    int err = fat_dir_slot_lba(ck->vol, fr->dclus, s, &lba);
    bool end = err == SDB_FAT_ENOENT;
    if (err && !end)
        return err;
    struct fat_loc loc; /* the 8.3 entry, when slot s holds one */
    uint8_t *raw = loc.raw;
    if (!end) {
        if ((err = fat_win_load(ck->vol, lba)))
            return err;
        memcpy(raw, ck->vol->win + (s % ENTRIES_PER_SECTOR) * ENTRY_SIZE, ENTRY_SIZE);
        end = raw[0] == SLOT_END;
    }
    if (end) {
        if (fr->lfn_active && (err = orphan_run(ck, fr, s - 1)))
            return err;
        ck->depth--;
        if (ck->depth != (unsigned)-1)
            ck->path[ck->stack[ck->depth].path_len] = '\0';
        return SDB_OK;
    }
    fr->slot++;
    bool is_lfn = raw[0] != SLOT_FREE && (raw[11] & 0x3F) == ATTR_LFN;
    if (is_lfn) {
        uint8_t ord = raw[0] & 0x3F;
        bool starts = raw[0] & 0x40;
        bool continues =
            fr->lfn_active && !starts && ord == fr->lfn_expected - 1 && raw[13] == fr->lfn_sum;
        if (!continues && fr->lfn_active && (err = orphan_run(ck, fr, s - 1)))
            return err;
        if (continues) {
            fr->lfn_expected = ord;
        } else if (starts && ord >= 1 && ord <= MAX_LFN_SLOTS) {
            fr->lfn_start = s, fr->lfn_expected = ord, fr->lfn_sum = raw[13];
            fr->lfn_active = true;
        } else {
            fr->lfn_start = s;
            return orphan_run(ck, fr, s);
        }
        return SDB_OK;
    }
    loc.dclus = fr->dclus, loc.first_slot = s, loc.sfn_slot = s, loc.sfn_lba = lba;
    loc.sfn_off = (uint16_t)((s % ENTRIES_PER_SECTOR) * ENTRY_SIZE);
    if (fr->lfn_active) {
        bool matches = raw[0] != SLOT_FREE && fr->lfn_expected == 1 &&
                       fat_lfn_checksum(raw) == fr->lfn_sum && !(raw[11] & ATTR_VOLUME);
        if (!matches && (err = orphan_run(ck, fr, s - 1)))
            return err;
        if (matches)
            loc.first_slot = fr->lfn_start;
        fr->lfn_active = false;
    }
    if (raw[0] == SLOT_FREE || (raw[11] & ATTR_VOLUME) || raw[0] == '.')
        return SDB_OK;
    return check_entry(ck, fr, &loc);
}

static int walk_tree(struct check *ck)
{
    struct sdb_fat_vol *vol = ck->vol;
    uint32_t root = fat_root_clus(vol);
    bool second = ck->owned_phase && ck->opts.owned;
    ck->owned = true;
    ck->path[0] = '\0';
    if (root && !second) {
        uint32_t kept;
        bool taken;
        int err = walk_chain(ck, root, UINT32_MAX, &kept, &taken);
        if (err)
            return err;
    }
    ck->depth = 0;
    ck->stack[0] = (struct frame){.dclus = root, .revisit = second};
    for (;;) {
        int err = step(ck);
        if (err)
            return err;
        if (ck->depth == (unsigned)-1)
            return SDB_OK;
    }
}

static int free_lost(struct check *ck)
{
    struct sdb_fat_vol *vol = ck->vol;
    struct fat_run run = {0};
    if (ck->opts.scan)
        run = (struct fat_run){ck->opts.scan, ck->opts.scan_bytes / SDB_SECTOR_SIZE,
                               ck->win_first + ck->win_count - 1, 0, 0};
    for (uint32_t i = 0; i < ck->win_count; i++) {
        if (ck->bitmap[i / 8] & (1u << (i % 8)))
            continue;
        uint32_t c = ck->win_first + i, v;
        int err = fat_run_get(vol, &run, c, &v);
        if (err)
            return err;
        if (v == fat_eoc(vol) - 8)
            continue; /* marked bad: no chain's, and never free */
        if (v) {
            problem(ck, &ck->rep->lost_clusters);
            if (!ck->repair)
                continue;
            if ((err = fat_set(vol, c, 0)))
                return err;
        }
        ck->free_seen++;
    }
    return SDB_OK;
}

/* FAT 1 is read into the caller's scan buffer and the copies into the bitmap
 * (not in use yet), or both into halves of the bitmap; with neither big enough,
 * one sector at a time through the cache, as small builds always did. The
 * cache was flushed first, so the card holds FAT 1 as the driver sees it. A
 * sector of a copy that differs is rewritten from FAT 1 with repair. */
static int sync_fat_copies(struct check *ck)
{
    struct sdb_fat_vol *vol = ck->vol;
    uint8_t sector[SDB_SECTOR_SIZE];
    uint8_t *one = ck->opts.scan, *other = ck->bitmap;
    uint32_t n1 = one ? ck->opts.scan_bytes / SDB_SECTOR_SIZE : 0,
             n2 = ck->bitmap_bytes / SDB_SECTOR_SIZE;
    if (!n1) { /* halves of the bitmap */
        one = ck->bitmap, n1 = n2 / 2, n2 = n1, other = ck->bitmap + n1 * SDB_SECTOR_SIZE;
    }
    if (!n1 || !n2)
        one = NULL, n1 = 1, other = sector, n2 = 1;
    for (uint32_t i = 0; i < vol->fat_sectors; i += n1) {
        uint32_t n = vol->fat_sectors - i < n1 ? vol->fat_sectors - i : n1;
        int err = one ? sdb_bd_read(vol->bd, vol->fat_lba + i, n, one)
                      : fat_win_load(vol, vol->fat_lba + i);
        const uint8_t *fat1 = one ? one : vol->win;
        /* sector i + j of every other copy, n2 a request */
        for (uint32_t lba = vol->fat_lba + i, copy = 1; !err && copy < vol->nfats; copy++) {
            lba += vol->fat_sectors;
            for (uint32_t j = 0; !err && j < n; j++) {
                if (j % n2 == 0)
                    err = sdb_bd_read(vol->bd, lba + j, n - j < n2 ? n - j : n2, other);
                const uint8_t *want = fat1 + j * SDB_SECTOR_SIZE;
                if (err || !memcmp(want, other + j % n2 * SDB_SECTOR_SIZE, SDB_SECTOR_SIZE))
                    continue;
                problem(ck, &ck->rep->fat_copies_fixed);
                if (ck->repair)
                    err = sdb_bd_write(vol->bd, lba + j, 1, want);
            }
        }
        if (err)
            return err;
    }
    return SDB_OK;
}

static int check_fsinfo(struct check *ck)
{
    struct sdb_fat_vol *vol = ck->vol;
    uint32_t real = ck->free_seen; /* the sweeps saw every cluster: no second count */
    int err = fat_fsinfo_load(vol);
    if (err)
        return err == SDB_FAT_ENOENT ? SDB_OK : err;
    uint32_t stored = rd32(vol->win + SDB_FSINFO_FREE_AT),
             hint = rd32(vol->win + SDB_FSINFO_NEXT_AT);
    vol->free_count = real;
    if (stored == real && (hint == 0xFFFFFFFF || fat_valid_clus(vol, hint)))
        return SDB_OK;
    problem(ck, &ck->rep->fsinfo_fixed);
    if (!fat_valid_clus(vol, vol->next_free))
        vol->next_free = 2;
    return ck->repair ? fat_write_fsinfo(vol) : SDB_OK;
}

/* Whether a chain noted in `map` reaches the current window. */
static bool window_reached(const struct check *ck, const uint8_t *map)
{
    uint32_t last = (ck->win_first + ck->win_count - 3) / ck->seg_clusters;
    for (uint32_t seg = (ck->win_first - 2) / ck->seg_clusters; seg <= last; seg++)
        if (map[seg / 8] & (1u << (seg % 8)))
            return true;
    return false;
}

/* One window of clusters: the tree (in two walks when ownership is known),
 * then what nothing uses. */
static int check_window(struct check *ck)
{
    /* The first window's walks saw every chain: a window no chain reaches
     * holds no used cluster, so it needs no walk, only the lost-cluster sweep
     * (on a big card, one walk instead of hundreds). Checking chains only, a
     * window matters when an owned chain reaches it: a cluster other entries
     * share among themselves is not the caller's to free. */
    int err = SDB_OK;
    if (ck->win_first == 2 ||
        window_reached(ck, ck->opts.chains_only ? ck->seg_owned : ck->seg_used)) {
        ck->owned_phase = !ck->opts.owned;
        err = walk_tree(ck);
        if (err == SDB_OK && !ck->owned_phase) {
            ck->owned_phase = true;
            err = walk_tree(ck);
        }
    }
    return err || ck->opts.chains_only ? err : free_lost(ck);
}

int sdb_fat_check(struct sdb_fat_vol *vol, bool repair, uint8_t *bitmap, uint32_t bitmap_bytes,
                  struct sdb_fat_check_report *report)
{
    return sdb_fat_check_owned(vol, repair, bitmap, bitmap_bytes, NULL, report);
}

int sdb_fat_check_owned(struct sdb_fat_vol *vol, bool repair, uint8_t *bitmap,
                        uint32_t bitmap_bytes, const struct sdb_fat_check_opts *opts,
                        struct sdb_fat_check_report *report)
{
    if (!vol || !vol->bd || !bitmap || !bitmap_bytes || !report)
        return SDB_E_INVAL;
    if (repair && vol->read_only)
        return SDB_FAT_EROFS;
    if (repair && opts && opts->chains_only)
        return SDB_E_INVAL; /* a repair that leaves lost clusters and stale copies */
    struct check ck;
    memset(&ck, 0, sizeof ck); /* not a copy of a const zero: 0.7 KiB of flash */
    ck.vol = vol, ck.repair = repair, ck.bitmap = bitmap, ck.rep = report;
    if (opts)
        ck.opts = *opts;
    ck.bitmap_bytes = bitmap_bytes;
    ck.seg_clusters = vol->nclusters / SEG_BITS + 1;
    memset(report, 0, sizeof *report);
    fat_hint_reset(vol);            /* repairs may change any directory */
    int err = fat_cache_flush(vol); /* compare what the card holds */
    if (err == SDB_OK && !ck.opts.chains_only)
        err = sync_fat_copies(&ck);
    uint32_t per_pass = bitmap_bytes * 8;
    for (uint32_t first = 2; err == SDB_OK && first < vol->nclusters + 2; first += per_pass) {
        ck.win_first = first;
        ck.win_count =
            vol->nclusters + 2 - first < per_pass ? vol->nclusters + 2 - first : per_pass;
        memset(bitmap, 0, (ck.win_count + 7) / 8);
        err = check_window(&ck);
    }
    if (err == SDB_OK && !ck.opts.chains_only)
        err = check_fsinfo(&ck);
    if (err == SDB_OK && repair)
        err = sdb_bd_sync(vol->bd);
    fat_hint_reset(vol);
    if (err)
        return err;
    return ck.problems && !repair ? SDB_FAT_ECORRUPT : SDB_OK;
}
