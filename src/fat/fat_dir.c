/*
 * Directories: slot addressing, long-name assembly, lookup, entry creation and
 * removal. An entry set (long-name parts + 8.3 entry) is placed inside one
 * sector whenever it fits (up to 15 long-name parts), so creating, removing or
 * renaming it in place is a single sector write.
 *
 * Cost: every directory the driver walks or creates into has a hint (fat.h,
 * struct sdb_fat_dir_hint): where in its chain the last walk was, where its
 * free end starts and below which slot nothing is live. Creating n entries in
 * one directory therefore reads O(n) entries in total: a slot is found from
 * the remembered end, a walk goes on from the remembered cluster, and the
 * short-name collision check tests a batch of tails in one pass. In a
 * directory this mount made, names the caller promises are new
 * (SDB_FAT_UNIQUE) need no lookup and no collision scan at all: their aliases
 * are numbered by the directory's end slot, so they cannot collide.
 */
#include "fat_internal.h"

uint32_t fat_root_clus(const struct sdb_fat_vol *vol)
{
    return vol->root_clus; /* 0 but on FAT32 (fat_parse_bpb) */
}

void fat_entry_set_clus(const struct sdb_fat_vol *vol, uint8_t *e, uint32_t c)
{
    wr16(e + 26, (uint16_t)c);
    wr16(e + 20, vol->type == 32 ? (uint16_t)(c >> 16) : 0);
}

void fat_entry_stamp(uint8_t *e)
{
    wr16(e + 14, FAT_TIME);
    wr16(e + 16, FAT_DATE);
    wr16(e + 18, FAT_DATE);
    wr16(e + 22, FAT_TIME);
    wr16(e + 24, FAT_DATE);
}

/* ---- hints ---- */

struct sdb_fat_dir_hint *fat_hint_get(struct sdb_fat_vol *vol, uint32_t dclus)
{
    struct sdb_fat_dir_hint *victim = &vol->hint[0];
    for (unsigned i = 0; i < SDB_FAT_DIR_HINTS; i++) {
        struct sdb_fat_dir_hint *h = &vol->hint[i];
        if (h->valid && h->dclus == dclus) {
            h->used = ++vol->clock;
            return h;
        }
        /* Replace the least recently used, a fresh directory's hint last:
         * walking a long path must not cost the directory being filled its
         * freshness. */
        if (!h->valid || (victim->valid && (victim->fresh > h->fresh ||
                                            (victim->fresh == h->fresh && h->used < victim->used))))
            victim = h;
    }
    *victim = (struct sdb_fat_dir_hint){
        .dclus = dclus, .end = UINT32_MAX, .used = ++vol->clock, .valid = true};
    return victim;
}

void fat_hint_drop(struct sdb_fat_vol *vol, uint32_t dclus)
{
    /* The remembered folder gone: its path may name another. A file's chain
     * freed, or another folder's (which cannot hold it: it was empty), leaves
     * it as it was. */
    if (dclus == vol->walk_clus)
        vol->walk_len = 0;
    for (unsigned i = 0; i < SDB_FAT_DIR_HINTS; i++)
        if (vol->hint[i].dclus == dclus)
            vol->hint[i].valid = false;
}

void fat_hint_reset(struct sdb_fat_vol *vol)
{
    vol->walk_len = 0;
    for (unsigned i = 0; i < SDB_FAT_DIR_HINTS; i++)
        vol->hint[i].valid = false;
}

void fat_hint_new_dir(struct sdb_fat_vol *vol, uint32_t dclus)
{
    fat_hint_drop(vol, dclus); /* a hint left for the cluster (never the remembered folder's) */
    struct sdb_fat_dir_hint *h = fat_hint_get(vol, dclus);
    h->end = 2;
    h->fresh = true;
}

void fat_hint_unfresh(struct sdb_fat_vol *vol, uint32_t dclus)
{
    fat_hint_get(vol, dclus)->fresh = false;
}

/* An end-of-directory mark was seen at slot s (below UINT32_MAX, "unknown"). */
static void hint_saw_end(struct sdb_fat_dir_hint *h, uint32_t s)
{
    if (s < h->end)
        h->end = s;
}

int fat_dir_slot_lba(struct sdb_fat_vol *vol, uint32_t dclus, uint32_t slot, uint32_t *lba)
{
    uint32_t sector = slot / ENTRIES_PER_SECTOR;
    if (dclus == 0) {
        if (vol->type == 32)
            return SDB_FAT_ECORRUPT;
        if (sector >= vol->root_sectors)
            return SDB_FAT_ENOENT;
        *lba = vol->root_lba + sector;
        return SDB_OK;
    }
    if (slot >= 65536) /* FAT's limit on directory size */
        return SDB_FAT_ENOENT;
    /* Walk on from where the last walk of this directory stopped. */
    struct sdb_fat_dir_hint *h = fat_hint_get(vol, dclus);
    uint32_t want = sector / vol->sec_per_clus, c = dclus, k = 0;
    if (h->pos_clus && h->pos_index <= want) {
        c = h->pos_clus;
        k = h->pos_index;
    }
    for (; k < want; k++) {
        uint32_t next;
        int err = fat_next(vol, c, &next);
        if (err)
            return err;
        if (next == 0) { /* past the end: the hint keeps the last cluster */
            h->pos_index = k;
            h->pos_clus = c;
            return SDB_FAT_ENOENT;
        }
        c = next;
    }
    if (!fat_valid_clus(vol, c))
        return SDB_FAT_ECORRUPT;
    h->pos_index = want;
    h->pos_clus = c;
    *lba = fat_clus_lba(vol, c) + sector % vol->sec_per_clus;
    return SDB_OK;
}

/* Slot s of dclus in the cache: its sector in *lba, the entry at *e (in
 * vol->win, valid until the next load). */
static int slot_load(struct sdb_fat_vol *vol, uint32_t dclus, uint32_t s, uint32_t *lba,
                     uint8_t **e)
{
    int err = fat_dir_slot_lba(vol, dclus, s, lba);
    if (err || (err = fat_win_load(vol, *lba)))
        return err;
    *e = vol->win + (s % ENTRIES_PER_SECTOR) * ENTRY_SIZE;
    return SDB_OK;
}

/* Where the 13 UCS-2 units of a long-name part lie in its entry. */
static const uint8_t lfn_pos[LFN_CHARS] = {1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30};

/* Long-name parts gathered while walking towards their 8.3 entry. */
struct lfn_acc {
    uint16_t units[MAX_LFN_SLOTS * LFN_CHARS];
    uint8_t expected; /* ord of the next part; 0 = no sequence */
    uint8_t count;    /* parts in the sequence */
    uint8_t sum;
    uint32_t start;
};

static void lfn_take(struct lfn_acc *acc, const uint8_t *e, uint32_t slot)
{
    uint8_t ord = e[0] & 0x3F;
    if (e[0] & 0x40) {
        acc->expected = ord >= 1 && ord <= MAX_LFN_SLOTS ? ord : 0;
        acc->count = ord;
        acc->sum = e[13];
        acc->start = slot;
    } else { /* the next part down, else the sequence is broken */
        acc->expected = acc->expected && ord == acc->expected - 1 && e[13] == acc->sum ? ord : 0;
    }
    for (unsigned i = 0; acc->expected && i < LFN_CHARS; i++)
        acc->units[(ord - 1) * LFN_CHARS + i] = rd16(e + lfn_pos[i]);
}

/* The long name if the sequence is complete and belongs to this 8.3 entry. */
static bool lfn_name(const struct lfn_acc *acc, const uint8_t *sfn, char *name, size_t cap)
{
    if (acc->expected != 1 || fat_lfn_checksum(sfn) != acc->sum)
        return false;
    return fat_ucs2_to_utf8(acc->units, acc->count * LFN_CHARS, name, cap);
}

#define TAIL_BATCH 32u /* alias tails tested per walk of the directory */

/* What a walk of a directory saw of the 8.3 names a new name's alias could
 * collide with: whether its basis, when that is the name's own 8.3 name, is
 * taken, and which of the tails basis~first .. basis~(first + TAIL_BATCH - 1)
 * are. The entry at slot `skip` is not looked at. */
struct sfn_seen {
    uint8_t basis[11];
    bool exact; /* the basis is the name's own 8.3 name: look for it ... */
    bool taken; /* ... and it is taken */
    uint32_t first;
    uint32_t tails; /* bit i: basis~(first + i) is taken */
    uint32_t skip;  /* UINT32_MAX: none */
};

/* n when the 8.3 name e is basis~n as fat_sfn_add_tail writes it, else 0: the
 * tail is the last '~' of the base and its digits. */
static uint32_t alias_tail(const uint8_t *e, const uint8_t basis[11])
{
    unsigned t = 8;
    while (t > 0 && e[t - 1] != '~')
        t--;
    uint32_t n = 0;
    for (; t > 0 && t < 8 && e[t] >= '0' && e[t] <= '9'; t++)
        n = n * 10 + (e[t] - '0');
    uint8_t cand[11];
    memcpy(cand, basis, 11);
    fat_sfn_add_tail(cand, n);
    return n && !memcmp(cand, e, 11) ? n : 0;
}

static void see_sfn(struct sfn_seen *seen, const uint8_t *e, uint32_t s)
{
    if (s == seen->skip)
        return;
    if (seen->exact && !memcmp(e, seen->basis, 11))
        seen->taken = true;
    uint32_t i = alias_tail(e, seen->basis) - seen->first; /* wraps for 0 */
    if (i < TAIL_BATCH)
        seen->tails |= 1u << i;
}

/* fat_dir_next; every 8.3 entry on the way is also shown to `seen` (when not NULL). */
static int dir_next(struct sdb_fat_vol *vol, uint32_t dclus, uint32_t *slot, struct fat_loc *loc,
                    char *name, size_t cap, struct sfn_seen *seen)
{
    struct lfn_acc acc;
    acc.expected = 0;
    /* Nothing is live below the hint's low mark: start there. While only free
     * slots have been seen, the first live one raises the mark. */
    struct sdb_fat_dir_hint *h = fat_hint_get(vol, dclus);
    bool from_low = *slot <= h->low;
    for (uint32_t s = from_low ? h->low : *slot;; s++) {
        uint32_t lba;
        uint8_t *e;
        int err = slot_load(vol, dclus, s, &lba, &e);
        if (err)
            return err;
        if (from_low && e[0] != SLOT_FREE) {
            h->low = s;
            from_low = false;
        }
        if (e[0] == SLOT_END) {
            hint_saw_end(h, s);
            return SDB_FAT_ENOENT;
        }
        if (e[0] == SLOT_FREE) {
            acc.expected = 0;
            continue;
        }
        if ((e[11] & 0x3F) == ATTR_LFN) {
            lfn_take(&acc, e, s);
            continue;
        }
        if (seen)
            see_sfn(seen, e, s);
        if ((e[11] & ATTR_VOLUME) || e[0] == '.') {
            acc.expected = 0;
            continue;
        }
        loc->dclus = dclus;
        loc->sfn_slot = s;
        loc->sfn_lba = lba;
        loc->sfn_off = (uint16_t)(e - vol->win);
        memcpy(loc->raw, e, ENTRY_SIZE);
        bool has_lfn = lfn_name(&acc, e, name, cap);
        loc->first_slot = has_lfn ? acc.start : s;
        if (!has_lfn) /* cap is at least 13 */
            fat_sfn_to_str(e, e[12], name);
        *slot = s + 1;
        return SDB_OK;
    }
}

int fat_dir_next(struct sdb_fat_vol *vol, uint32_t dclus, uint32_t *slot, struct fat_loc *loc,
                 char *name, size_t cap)
{
    return dir_next(vol, dclus, slot, loc, name, cap, NULL);
}

/* Walk dclus for `name` (NULL: to its end), every 8.3 entry shown to `seen`. */
static int search(struct sdb_fat_vol *vol, uint32_t dclus, const char *name, struct fat_loc *loc,
                  struct sfn_seen *seen)
{
    char found[SDB_FAT_NAME_MAX + 1];
    uint32_t slot = 0;
    for (;;) {
        int err = dir_next(vol, dclus, &slot, loc, found, sizeof found, seen);
        if (err)
            return err;
        if (!name)
            continue;
        char alias[13];
        fat_sfn_to_str(loc->raw, 0, alias);
        if (fat_name_equal(found, name) || fat_name_equal(alias, name))
            return SDB_OK;
    }
}

/* seen, from a walk of the whole of dclus. */
static int scan_all(struct sdb_fat_vol *vol, uint32_t dclus, struct sfn_seen *seen)
{
    struct fat_loc scratch;
    int err = search(vol, dclus, NULL, &scratch, seen);
    return err == SDB_FAT_ENOENT ? SDB_OK : err;
}

/* What the walk for a new name's alias looks for: its basis, the name itself
 * when that is its own 8.3 name, the tails from `first`. */
static void seen_init(struct sfn_seen *seen, const uint8_t basis[11], unsigned kind, uint32_t first,
                      uint32_t skip)
{
    *seen = (struct sfn_seen){.exact = !(kind & SFN_LOSSY), .first = first, .skip = skip};
    memcpy(seen->basis, basis, 11);
}

int fat_dir_find(struct sdb_fat_vol *vol, uint32_t dclus, const char *name, struct fat_loc *loc)
{
    return search(vol, dclus, name, loc, NULL);
}

static bool is_dir_entry(const uint8_t *raw)
{
    return raw[11] & ATTR_DIR;
}

/* The directory cluster an entry designates (0 in ".." means the root). */
static uint32_t dir_clus_of(const struct sdb_fat_vol *vol, const uint8_t *raw)
{
    uint32_t c = fat_entry_clus(vol, raw);
    return c ? c : fat_root_clus(vol);
}

/* Walk path's components from the root (or from the remembered folder when
 * path lies inside it). Without `last`, all of them: the last one's entry in
 * loc and its directory in *parent, *is_root when there is none. With `last`,
 * all but the last one, which is copied there (a checked name; SDB_FAT_EBUSY
 * for none: "/" has no parent), *parent the directory it is in
 * (SDB_FAT_ENOTDIR when a file), remembered with its path; loc is scratch. */
static int walk(struct sdb_fat_vol *vol, const char *path, char *last, struct fat_loc *loc,
                uint32_t *parent, bool *is_root)
{
    if (!path || path[0] != '/' || strlen(path) > SDB_FAT_PATH_MAX)
        return SDB_FAT_EPATH;
    uint32_t cur = fat_root_clus(vol);
    bool cur_is_dir = true;
    *is_root = true;
    *parent = cur;
    char name[SDB_FAT_NAME_MAX + 1];
    const char *p = path;
    size_t w = vol->walk_len;
    /* Inside the remembered folder (at least one name below it): start there. */
    if (w && !strncmp(path, vol->walk_path, w) && path[w] == '/' && path[w + 1] &&
        path[w + 1] != '/') {
        cur = vol->walk_clus;
        p = path + w;
    }
    while (*p == '/')
        p++;
    for (;;) {
        int err;
        const char *start = p;
        size_t n = 0;
        while (p[n] && p[n] != '/')
            n++;
        if (n > SDB_FAT_NAME_MAX)
            return SDB_FAT_ENAME;
        memcpy(name, p, n);
        name[n] = '\0';
        for (p += n; *p == '/'; p++)
            ;
        if (last && !*p) { /* the last name */
            if (!name[0])
                return SDB_FAT_EBUSY;
            if (!cur_is_dir)
                return SDB_FAT_ENOTDIR;
            strcpy(last, name);
            *parent = cur;
            if ((err = fat_name_check(last)))
                return err;
            size_t folder = (size_t)(start - 1 - path); /* without its last '/' */
            if (folder && folder < sizeof vol->walk_path) {
                memcpy(vol->walk_path, path, folder);
                vol->walk_len = (uint8_t)folder;
                vol->walk_clus = cur;
            }
            return SDB_OK;
        }
        if (!name[0])
            return SDB_OK;
        if (!cur_is_dir)
            return SDB_FAT_ENOTDIR;
        if ((err = fat_dir_find(vol, cur, name, loc)))
            return err;
        *parent = cur;
        *is_root = false;
        cur_is_dir = is_dir_entry(loc->raw);
        if (cur_is_dir) /* never 0 on FAT32: the mount checked its root cluster */
            cur = dir_clus_of(vol, loc->raw);
    }
}

int fat_lookup(struct sdb_fat_vol *vol, const char *path, struct fat_loc *loc, uint32_t *parent,
               bool *is_root)
{
    return walk(vol, path, NULL, loc, parent, is_root);
}

int fat_lookup_parent(struct sdb_fat_vol *vol, const char *path, uint32_t *parent,
                      char name[SDB_FAT_NAME_MAX + 1])
{
    struct fat_loc loc;
    bool is_root;
    return walk(vol, path, name, &loc, parent, &is_root);
}

/* Long-name parts of the len UCS-2 units of name (valid UTF-8: last part
 * first on disk; none for len 0) and the 8.3 entry: proto (NULL: an empty
 * file's) with the name sfn. Returns the entries made. */
static unsigned put_entry_set(const char *name, unsigned len, const uint8_t sfn[11],
                              const uint8_t proto[ENTRY_SIZE], uint8_t out[][ENTRY_SIZE])
{
    unsigned parts = (len + LFN_CHARS - 1) / LFN_CHARS;
    uint8_t sum = fat_lfn_checksum(sfn);
    for (unsigned idx = 0; idx < parts * LFN_CHARS; idx++) {
        unsigned part = idx / LFN_CHARS, i = idx % LFN_CHARS;
        uint8_t *e = out[parts - 1 - part];
        if (i == 0) {
            memset(e, 0, ENTRY_SIZE);
            e[0] = (uint8_t)((part + 1) | (part == parts - 1 ? 0x40 : 0));
            e[11] = ATTR_LFN;
            e[13] = sum;
        }
        /* the name, a 0, then 0xFFFF */
        wr16(e + lfn_pos[i], (uint16_t)(idx < len    ? fat_utf8_next(&name)
                                        : idx == len ? 0x0000
                                                     : 0xFFFF));
    }
    uint8_t *e = out[parts];
    if (proto) {
        memcpy(e, proto, ENTRY_SIZE);
    } else { /* a new empty file */
        memset(e, 0, ENTRY_SIZE);
        e[11] = ATTR_ARCHIVE;
        fat_entry_stamp(e);
    }
    memcpy(e, sfn, 11);
    e[12] = 0;
    return parts + 1;
}

/* The 8.3 name of `name` (one fat_name_check passed) in dclus into sfn, and
 * in *len its length in UCS-2 units when it needs long-name parts (else 0),
 * SDB_FAT_ENAME when it is not UTF-8; the entry at slot `skip` is
 * not looked at. With `unique` (a name fat_dir_can_skip_lookup allowed) no walk:
 * a needed tail is the directory's end slot. */
static int choose_sfn(struct sdb_fat_vol *vol, uint32_t dclus, const char *name, uint32_t skip,
                      bool unique, uint8_t sfn[11], unsigned *len)
{
    int err;
    /* its length in UCS-2 units (at most 255: a name has 255 bytes at most) */
    unsigned units = 0;
    for (const char *p = name; *p; units++)
        if (fat_utf8_next(&p) < 0)
            return SDB_FAT_ENAME;
    unsigned kind = fat_sfn_basis(name, sfn);
    *len = 0;
    /* The first walk answers both: is the name itself taken as an 8.3 name,
     * and which of the first tails of its basis are; each further one tests
     * TAIL_BATCH more tails. Every entry of a fresh directory came through
     * the unique path: an 8.3 name (no '~') equals another only when the
     * names are equal, which the caller excludes, and a numbered alias (with
     * '~') is new by its number. */
    for (uint32_t first = 1;; first += TAIL_BATCH) {
        struct sfn_seen seen;
        seen_init(&seen, sfn, first == 1 ? kind : SFN_LOSSY, first, skip);
        if (!unique && (err = scan_all(vol, dclus, &seen)))
            return err;
        if (first == 1) {
            if (!kind && !seen.taken)
                return SDB_OK; /* its own 8.3 name */
            *len = units;      /* a long name too */
            if (unique) {      /* the end slot grows with every entry */
                if (kind & SFN_LOSSY)
                    fat_sfn_add_tail(sfn, fat_hint_get(vol, dclus)->end);
                return SDB_OK;
            }
            if (!(kind & SFN_LOSSY) && !seen.taken)
                return SDB_OK; /* differs in case only: the long name keeps it */
        }
        for (unsigned i = 0; i < TAIL_BATCH; i++) { /* the smallest free tail */
            if (!(seen.tails & (1u << i))) {
                fat_sfn_add_tail(sfn, first + i);
                return SDB_OK;
            }
        }
        if (first + TAIL_BATCH > 999999)
            return SDB_FAT_EEXIST;
    }
}

/* The entry set of a name choose_sfn named, placed in dclus (its own frame:
 * the walks above need none of it). */
__attribute__((noinline)) static int
make_entries(struct sdb_fat_vol *vol, uint32_t dclus, const char *name, unsigned len,
             const uint8_t sfn[11], const uint8_t proto[ENTRY_SIZE], struct fat_loc *loc);

int fat_build_entries(struct sdb_fat_vol *vol, uint32_t dclus, const char *name,
                      const uint8_t proto[ENTRY_SIZE], uint32_t skip_slot,
                      uint8_t out[][ENTRY_SIZE], unsigned *count)
{
    uint8_t sfn[11];
    unsigned len;
    int err = fat_name_check(name);
    if (err || (err = choose_sfn(vol, dclus, name, skip_slot, false, sfn, &len)))
        return err;
    *count = put_entry_set(name, len, sfn, proto, out);
    return SDB_OK;
}

/* First run of n free slots; runs of up to a sector's worth stay inside one sector.
 * Grows a cluster-chained directory when it is full. *end is the first
 * end-of-directory slot seen (UINT32_MAX if none): slots between it and the run
 * must stop reading as "end" once the run is used. With the directory's end
 * known, the search starts there (holes before it are left to lookups). */
static int find_free_run(struct sdb_fat_vol *vol, uint32_t dclus, unsigned n, uint32_t *first,
                         uint32_t *end)
{
    uint32_t run = 0, start = 0, from = fat_hint_get(vol, dclus)->end;
    *end = UINT32_MAX;
    for (uint32_t s = from == UINT32_MAX ? 0 : from;; s++) {
        uint32_t lba;
        uint8_t *e;
        int err = slot_load(vol, dclus, s, &lba, &e);
        if (err == SDB_FAT_ENOENT) {
            if (dclus == 0 || s >= 65536)
                return SDB_FAT_EDIRFULL;
            /* The walk that found no slot s stopped at the last cluster. */
            uint32_t added;
            if ((err = fat_alloc(vol, fat_hint_get(vol, dclus)->pos_clus, true, &added)))
                return err;
            s--; /* the zeroed cluster reads as end: look again from here */
            continue;
        }
        if (err)
            return err;
        if (n <= ENTRIES_PER_SECTOR && s % ENTRIES_PER_SECTOR == 0)
            run = 0;
        if (e[0] == SLOT_END && *end == UINT32_MAX)
            *end = s;
        if (e[0] == SLOT_FREE || e[0] == SLOT_END) {
            if (run++ == 0)
                start = s;
            if (run == n) {
                *first = start;
                return SDB_OK;
            }
        } else {
            run = 0;
        }
    }
}

/* Slots [s, to) of dclus, sector by sector in slot order: each gets the next
 * of `entries`, or with entries NULL is marked deleted. Each sector is stored
 * (written now, after every pending change) or, with `defer`, waits in the
 * cache until the next flush. *lba: the last sector changed. */
static int put_slots(struct sdb_fat_vol *vol, uint32_t dclus, uint32_t s, uint32_t to,
                     const uint8_t (*entries)[ENTRY_SIZE], bool defer, uint32_t *lba)
{
    while (s < to) {
        uint8_t *e;
        int err = slot_load(vol, dclus, s, lba, &e);
        if (err)
            return err;
        do {
            if (entries)
                memcpy(e, *entries++, ENTRY_SIZE);
            else
                e[0] = SLOT_FREE;
            e += ENTRY_SIZE;
            s++;
        } while (s < to && s % ENTRIES_PER_SECTOR != 0);
        if ((err = defer ? fat_win_defer(vol) : fat_win_store(vol)))
            return err;
    }
    return SDB_OK;
}

/* Place a built entry set in dclus and fill loc; keeps the hint's end and low. */
static int place_entries(struct sdb_fat_vol *vol, uint32_t dclus, uint8_t entries[][ENTRY_SIZE],
                         unsigned n, struct fat_loc *loc)
{
    uint32_t first, end, lba;
    int err = find_free_run(vol, dclus, n, &first, &end);
    if (err)
        return err;
    /* End marks between the directory's end and the run turn into deleted
     * slots, so entries placed after them stay visible (both mean "free"). */
    if ((end < first && (err = put_slots(vol, dclus, end, first, NULL, true, &lba))) ||
        (err = put_slots(vol, dclus, first, first + n, entries, true, &loc->sfn_lba)))
        return err;
    struct sdb_fat_dir_hint *h = fat_hint_get(vol, dclus);
    if (end != UINT32_MAX && first + n > end)
        h->end = first + n; /* slots after the set are still end marks */
    if (first < h->low)
        h->low = first;
    loc->dclus = dclus;
    loc->first_slot = first;
    loc->sfn_slot = first + n - 1;
    loc->sfn_off = (uint16_t)((loc->sfn_slot % ENTRIES_PER_SECTOR) * ENTRY_SIZE);
    memcpy(loc->raw, entries[n - 1], ENTRY_SIZE);
    return SDB_OK;
}

static int make_entries(struct sdb_fat_vol *vol, uint32_t dclus, const char *name, unsigned len,
                        const uint8_t sfn[11], const uint8_t proto[ENTRY_SIZE], struct fat_loc *loc)
{
    uint8_t entries[MAX_LFN_SLOTS + 1][ENTRY_SIZE];
    return place_entries(vol, dclus, entries, put_entry_set(name, len, sfn, proto, entries), loc);
}

int fat_dir_create(struct sdb_fat_vol *vol, uint32_t dclus, const char *name,
                   const uint8_t proto[ENTRY_SIZE], bool unique, struct fat_loc *loc)
{
    uint8_t sfn[11];
    unsigned len;
    int err = choose_sfn(vol, dclus, name, UINT32_MAX, unique, sfn, &len);
    if (err)
        return err;
    if (!unique)
        fat_hint_unfresh(vol, dclus); /* its alias was not numbered by the hint */
    return make_entries(vol, dclus, name, len, sfn, proto, loc);
}

bool fat_dir_can_skip_lookup(struct sdb_fat_vol *vol, uint32_t dclus, const char *name)
{
    const struct sdb_fat_dir_hint *h = fat_hint_get(vol, dclus);
    /* A '~' in the name could equal a numbered alias: such names take the long way. */
    return h->fresh && h->end != UINT32_MAX && !strchr(name, '~');
}

int fat_dir_remove(struct sdb_fat_vol *vol, const struct fat_loc *loc)
{
    if (vol->read_only)
        return SDB_FAT_EROFS;
    uint32_t lba;
    return put_slots(vol, loc->dclus, loc->first_slot, loc->sfn_slot + 1, NULL, false, &lba);
}

int fat_dir_update(struct sdb_fat_vol *vol, const struct fat_loc *loc)
{
    int err = fat_win_load(vol, loc->sfn_lba);
    if (err)
        return err;
    memcpy(vol->win + loc->sfn_off, loc->raw, ENTRY_SIZE);
    return fat_win_store(vol);
}

int fat_dir_is_empty(struct sdb_fat_vol *vol, uint32_t dclus, bool *empty)
{
    struct fat_loc loc;
    char name[SDB_FAT_NAME_MAX + 1];
    uint32_t slot = 0;
    int err = fat_dir_next(vol, dclus, &slot, &loc, name, sizeof name);
    if (err == SDB_FAT_ENOENT) {
        *empty = true;
        return SDB_OK;
    }
    *empty = false;
    return err;
}
