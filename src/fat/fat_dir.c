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
    return vol->type == 32 ? vol->root_clus : 0;
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
    vol->walk_len = 0; /* a folder may be gone: its path may name another */
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
    fat_hint_drop(vol, dclus);
    struct sdb_fat_dir_hint *h = fat_hint_get(vol, dclus);
    h->end = 2;
    h->fresh = true;
}

void fat_hint_unfresh(struct sdb_fat_vol *vol, uint32_t dclus)
{
    fat_hint_get(vol, dclus)->fresh = false;
}

/* An end-of-directory mark was seen at slot s. */
static void hint_saw_end(struct sdb_fat_vol *vol, uint32_t dclus, uint32_t s)
{
    struct sdb_fat_dir_hint *h = fat_hint_get(vol, dclus);
    if (h->end == UINT32_MAX || s < h->end)
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
        int err = fat_next(vol, c, &c);
        if (err)
            return err;
        if (c == 0)
            return SDB_FAT_ENOENT;
    }
    if (!fat_valid_clus(vol, c))
        return SDB_FAT_ECORRUPT;
    h->pos_index = want;
    h->pos_clus = c;
    *lba = fat_clus_lba(vol, c) + sector % vol->sec_per_clus;
    return SDB_OK;
}

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
    } else if (!acc->expected || ord != acc->expected - 1 || e[13] != acc->sum) {
        acc->expected = 0;
        return;
    } else {
        acc->expected = ord;
    }
    if (!acc->expected)
        return;
    static const uint8_t pos[LFN_CHARS] = {1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30};
    for (unsigned i = 0; i < LFN_CHARS; i++)
        acc->units[(ord - 1) * LFN_CHARS + i] = rd16(e + pos[i]);
}

/* The long name if the sequence is complete and belongs to this 8.3 entry. */
static bool lfn_name(const struct lfn_acc *acc, const uint8_t *sfn, char *name, size_t cap)
{
    if (acc->expected != 1 || fat_lfn_checksum(sfn) != acc->sum)
        return false;
    unsigned n = 0, max = acc->count * LFN_CHARS;
    while (n < max && acc->units[n] != 0x0000)
        n++;
    return n > 0 && fat_ucs2_to_utf8(acc->units, n, name, cap);
}

/* 8.3 name for display, honouring the lower-case flags Windows NT and Linux set. */
static void sfn_display(const uint8_t *e, char *name, size_t cap)
{
    char s[13];
    fat_sfn_to_str(e, s);
    bool lower_base = e[12] & 0x08, lower_ext = e[12] & 0x10, in_ext = false;
    size_t i;
    for (i = 0; s[i] && i + 1 < cap; i++) {
        char c = s[i];
        if (c == '.')
            in_ext = true;
        if (c >= 'A' && c <= 'Z' && (in_ext ? lower_ext : lower_base))
            c = (char)(c + 32);
        name[i] = c;
    }
    name[i] = '\0';
}

int fat_dir_next(struct sdb_fat_vol *vol, uint32_t dclus, uint32_t *slot, struct fat_loc *loc,
                 char *name, size_t cap)
{
    struct lfn_acc acc;
    acc.expected = 0;
    /* Nothing is live below the hint's low mark: start there. While only free
     * slots have been seen, the first live one raises the mark. */
    uint32_t low = fat_hint_get(vol, dclus)->low;
    bool from_low = *slot <= low;
    for (uint32_t s = from_low ? low : *slot;; s++) {
        uint32_t lba;
        int err = fat_dir_slot_lba(vol, dclus, s, &lba);
        if (err)
            return err;
        if ((err = fat_win_load(vol, lba)))
            return err;
        const uint8_t *e = vol->win + (s % ENTRIES_PER_SECTOR) * ENTRY_SIZE;
        if (e[0] == SLOT_END) {
            hint_saw_end(vol, dclus, s);
            if (from_low)
                fat_hint_get(vol, dclus)->low = s;
            return SDB_FAT_ENOENT;
        }
        if (e[0] == SLOT_FREE) {
            acc.expected = 0;
            continue;
        }
        if (from_low) {
            fat_hint_get(vol, dclus)->low = s;
            from_low = false;
        }
        if ((e[11] & 0x3F) == ATTR_LFN) {
            lfn_take(&acc, e, s);
            continue;
        }
        if ((e[11] & ATTR_VOLUME) || e[0] == '.') {
            acc.expected = 0;
            continue;
        }
        loc->dclus = dclus;
        loc->sfn_slot = s;
        loc->sfn_lba = lba;
        loc->sfn_off = (uint16_t)((s % ENTRIES_PER_SECTOR) * ENTRY_SIZE);
        memcpy(loc->raw, e, ENTRY_SIZE);
        bool has_lfn = lfn_name(&acc, e, name, cap);
        loc->first_slot = has_lfn ? acc.start : s;
        if (!has_lfn)
            sfn_display(e, name, cap);
        *slot = s + 1;
        return SDB_OK;
    }
}

int fat_dir_find(struct sdb_fat_vol *vol, uint32_t dclus, const char *name, struct fat_loc *loc)
{
    char found[SDB_FAT_NAME_MAX + 1];
    uint32_t slot = 0;
    for (;;) {
        int err = fat_dir_next(vol, dclus, &slot, loc, found, sizeof found);
        if (err)
            return err;
        char alias[13];
        fat_sfn_to_str(loc->raw, alias);
        if (fat_name_equal(found, name) || fat_name_equal(alias, name))
            return SDB_OK;
    }
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

int fat_lookup(struct sdb_fat_vol *vol, const char *path, struct fat_loc *loc, uint32_t *parent,
               bool *is_root)
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
    if (w && strlen(path) > w + 1 && !memcmp(path, vol->walk_path, w) && path[w] == '/' &&
        path[w + 1] != '/') {
        cur = vol->walk_clus;
        p = path + w;
    }
    for (;;) {
        int err;
        p = fat_path_next(p, name, sizeof name, &err);
        if (err)
            return err;
        if (!name[0])
            return SDB_OK;
        if (!cur_is_dir)
            return SDB_FAT_ENOTDIR;
        if ((err = fat_dir_find(vol, cur, name, loc)))
            return err;
        *parent = cur;
        *is_root = false;
        cur_is_dir = is_dir_entry(loc->raw);
        if (cur_is_dir) {
            cur = dir_clus_of(vol, loc->raw);
            if (cur == 0 && vol->type == 32)
                return SDB_FAT_ECORRUPT;
        }
    }
}

int fat_lookup_parent(struct sdb_fat_vol *vol, const char *path, uint32_t *parent, char *name,
                      size_t cap)
{
    if (!path || path[0] != '/' || strlen(path) > SDB_FAT_PATH_MAX)
        return SDB_FAT_EPATH;
    char dir[SDB_FAT_PATH_MAX + 2];
    size_t len = strlen(path);
    while (len > 1 && path[len - 1] == '/')
        len--;
    size_t cut = len;
    while (cut > 0 && path[cut - 1] != '/')
        cut--;
    if (len - cut >= cap || len == cut)
        return len == cut ? SDB_FAT_EBUSY : SDB_FAT_ENAME; /* "/" has no parent */
    memcpy(name, path + cut, len - cut);
    name[len - cut] = '\0';
    int err = fat_name_check(name);
    if (err)
        return err;
    size_t folder = cut - 1; /* the folder's path without its last '/' */
    if (folder && folder == vol->walk_len && !memcmp(path, vol->walk_path, folder)) {
        *parent = vol->walk_clus;
        return SDB_OK;
    }
    memcpy(dir, path, cut);
    dir[cut] = '\0';
    struct fat_loc loc;
    bool is_root;
    uint32_t grand;
    if ((err = fat_lookup(vol, dir, &loc, &grand, &is_root)))
        return err == SDB_FAT_ENOENT ? SDB_FAT_ENOENT : err;
    if (is_root) {
        *parent = fat_root_clus(vol);
        return SDB_OK;
    }
    if (!is_dir_entry(loc.raw))
        return SDB_FAT_ENOTDIR;
    *parent = dir_clus_of(vol, loc.raw);
    if (folder < sizeof vol->walk_path) {
        memcpy(vol->walk_path, path, folder);
        vol->walk_len = (uint8_t)folder;
        vol->walk_clus = *parent;
    }
    return SDB_OK;
}

#define TAIL_BATCH 32u /* alias tails tested per pass over the directory */

/* One pass over dclus (the entry at skip_slot excluded): is `exact` used as an
 * 8.3 name, and which of basis~first .. basis~(first + TAIL_BATCH - 1) are
 * (bit i of *tails for first + i)? */
static int sfn_scan(struct sdb_fat_vol *vol, uint32_t dclus, uint32_t skip_slot,
                    const uint8_t exact[11], const uint8_t basis[11], uint32_t first,
                    bool *exact_taken, uint32_t *tails)
{
    uint8_t cand[TAIL_BATCH][11];
    for (unsigned i = 0; basis && i < TAIL_BATCH; i++) {
        memcpy(cand[i], basis, 11);
        fat_sfn_add_tail(cand[i], first + i);
    }
    *exact_taken = false;
    *tails = 0;
    uint32_t low = fat_hint_get(vol, dclus)->low;
    for (uint32_t s = low;; s++) {
        uint32_t lba;
        int err = fat_dir_slot_lba(vol, dclus, s, &lba);
        if (err == SDB_FAT_ENOENT)
            return SDB_OK;
        if (err || (err = fat_win_load(vol, lba)))
            return err;
        const uint8_t *e = vol->win + (s % ENTRIES_PER_SECTOR) * ENTRY_SIZE;
        if (e[0] == SLOT_END) {
            hint_saw_end(vol, dclus, s);
            return SDB_OK;
        }
        if (s == skip_slot || e[0] == SLOT_FREE || (e[11] & 0x3F) == ATTR_LFN)
            continue;
        if (exact && !memcmp(e, exact, 11))
            *exact_taken = true;
        for (unsigned i = 0; basis && i < TAIL_BATCH; i++)
            if (!memcmp(e, cand[i], 11))
                *tails |= 1u << i;
    }
}

/* A free alias basis~n for a long name, the smallest n, TAIL_BATCH per pass. */
static int pick_tail(struct sdb_fat_vol *vol, uint32_t dclus, uint32_t skip_slot, uint8_t sfn[11],
                     uint32_t tails, uint32_t first)
{
    uint8_t basis[11];
    memcpy(basis, sfn, 11);
    for (;;) {
        for (unsigned i = 0; i < TAIL_BATCH; i++) {
            if (!(tails & (1u << i))) {
                fat_sfn_add_tail(sfn, first + i);
                return SDB_OK;
            }
        }
        first += TAIL_BATCH;
        if (first > 999999)
            return SDB_FAT_EEXIST;
        bool unused;
        int err = sfn_scan(vol, dclus, skip_slot, NULL, basis, first, &unused, &tails);
        if (err)
            return err;
    }
}

static void put_lfn_part(uint8_t *e, const uint16_t *units, unsigned len, unsigned part, bool last,
                         uint8_t sum)
{
    static const uint8_t pos[LFN_CHARS] = {1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30};
    memset(e, 0, ENTRY_SIZE);
    e[0] = (uint8_t)((part + 1) | (last ? 0x40 : 0));
    e[11] = ATTR_LFN;
    e[13] = sum;
    for (unsigned i = 0; i < LFN_CHARS; i++) {
        unsigned idx = part * LFN_CHARS + i;
        uint16_t u = idx < len ? units[idx] : idx == len ? 0x0000 : 0xFFFF;
        wr16(e + pos[i], u);
    }
}

/* Long-name parts (last part first on disk) and the 8.3 entry, from sfn. */
static unsigned put_entry_set(const uint16_t *units, int len, const uint8_t sfn[11],
                              const uint8_t proto[ENTRY_SIZE], uint8_t out[][ENTRY_SIZE])
{
    unsigned parts = len > 0 ? ((unsigned)len + LFN_CHARS - 1) / LFN_CHARS : 0;
    uint8_t sum = fat_lfn_checksum(sfn);
    for (unsigned i = 0; i < parts; i++) {
        unsigned part = parts - 1 - i; /* the last part comes first on disk */
        put_lfn_part(out[i], units, (unsigned)len, part, part == parts - 1, sum);
    }
    memcpy(out[parts], proto, ENTRY_SIZE);
    memcpy(out[parts], sfn, 11);
    out[parts][12] = 0;
    return parts + 1;
}

int fat_build_entries(struct sdb_fat_vol *vol, uint32_t dclus, const char *name,
                      const uint8_t proto[ENTRY_SIZE], uint32_t skip_slot,
                      uint8_t out[][ENTRY_SIZE], unsigned *count)
{
    int err = fat_name_check(name);
    if (err)
        return err;
    uint8_t sfn[11], basis[11];
    bool taken, lossy;
    uint32_t tails;
    /* One pass answers both: is the name itself taken as an 8.3 name, and
     * which of the first tails of its basis are. */
    bool is_sfn = fat_name_is_sfn(name, sfn);
    fat_sfn_basis(name, basis, &lossy);
    if ((err = sfn_scan(vol, dclus, skip_slot,
                        is_sfn  ? sfn
                        : lossy ? NULL
                                : basis,
                        basis, 1, &taken, &tails)))
        return err;
    if (is_sfn && !taken) {
        *count = put_entry_set(NULL, 0, sfn, proto, out);
        return SDB_OK;
    }
    uint16_t units[MAX_LFN_SLOTS * LFN_CHARS];
    int len = fat_utf8_to_ucs2(name, units, MAX_LFN_SLOTS * LFN_CHARS);
    if (len <= 0)
        return SDB_FAT_ENAME;
    memcpy(sfn, basis, 11);
    if ((lossy || taken) && (err = pick_tail(vol, dclus, skip_slot, sfn, tails, 1)))
        return err;
    *count = put_entry_set(units, len, sfn, proto, out);
    return SDB_OK;
}

/* Last cluster of a directory chain. */
static int dir_last_clus(struct sdb_fat_vol *vol, uint32_t dclus, uint32_t *last)
{
    const struct sdb_fat_dir_hint *h = fat_hint_get(vol, dclus);
    uint32_t c = h->pos_clus ? h->pos_clus : dclus; /* a cluster of this chain */
    for (uint32_t n = 0; n <= vol->nclusters; n++) {
        uint32_t next;
        int err = fat_next(vol, c, &next);
        if (err)
            return err;
        if (!next) {
            *last = c;
            return SDB_OK;
        }
        c = next;
    }
    return SDB_FAT_ELOOP;
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
        int err = fat_dir_slot_lba(vol, dclus, s, &lba);
        if (err == SDB_FAT_ENOENT) {
            if (dclus == 0)
                return SDB_FAT_EDIRFULL;
            if (s >= 65536)
                return SDB_FAT_EDIRFULL;
            uint32_t last, added;
            if ((err = dir_last_clus(vol, dclus, &last)) ||
                (err = fat_alloc(vol, last, true, &added)))
                return err;
            if (*end == UINT32_MAX)
                *end = s; /* the zeroed cluster reads as end */
            s--;          /* the new cluster's slots are free: look again from here */
            continue;
        }
        if (err || (err = fat_win_load(vol, lba)))
            return err;
        if (n <= ENTRIES_PER_SECTOR && s % ENTRIES_PER_SECTOR == 0)
            run = 0;
        uint8_t first_byte = vol->win[(s % ENTRIES_PER_SECTOR) * ENTRY_SIZE];
        if (first_byte == SLOT_END && *end == UINT32_MAX)
            *end = s;
        if (first_byte == SLOT_FREE || first_byte == SLOT_END) {
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

/* Write entries to consecutive slots, sector by sector in slot order; each
 * waits in the cache (fat_win_defer) until the next flush. */
static int write_slots(struct sdb_fat_vol *vol, uint32_t dclus, uint32_t first,
                       uint8_t entries[][ENTRY_SIZE], unsigned n)
{
    unsigned i = 0;
    while (i < n) {
        uint32_t lba, s = first + i;
        int err = fat_dir_slot_lba(vol, dclus, s, &lba);
        if (err || (err = fat_win_load(vol, lba)))
            return err;
        do {
            memcpy(vol->win + ((first + i) % ENTRIES_PER_SECTOR) * ENTRY_SIZE, entries[i],
                   ENTRY_SIZE);
            i++;
        } while (i < n && (first + i) % ENTRIES_PER_SECTOR != 0);
        if ((err = fat_win_defer(vol)))
            return err;
    }
    return SDB_OK;
}

/* Turn end-of-directory slots [from, to) into deleted ones, so entries placed
 * after them stay visible. Harmless on its own: both mean "free". */
static int unmark_end(struct sdb_fat_vol *vol, uint32_t dclus, uint32_t from, uint32_t to)
{
    uint32_t s = from;
    while (s < to) {
        uint32_t lba;
        int err = fat_dir_slot_lba(vol, dclus, s, &lba);
        if (err || (err = fat_win_load(vol, lba)))
            return err;
        do {
            vol->win[(s % ENTRIES_PER_SECTOR) * ENTRY_SIZE] = SLOT_FREE;
            s++;
        } while (s < to && s % ENTRIES_PER_SECTOR != 0);
        if ((err = fat_win_defer(vol)))
            return err;
    }
    return SDB_OK;
}

/* Place a built entry set in dclus and fill loc; keeps the hint's end and low. */
static int place_entries(struct sdb_fat_vol *vol, uint32_t dclus, uint8_t entries[][ENTRY_SIZE],
                         unsigned n, struct fat_loc *loc)
{
    uint32_t first, end;
    int err = find_free_run(vol, dclus, n, &first, &end);
    if (err)
        return err;
    if (end < first && (err = unmark_end(vol, dclus, end, first)))
        return err;
    if ((err = write_slots(vol, dclus, first, entries, n)))
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
    return fat_dir_slot_lba(vol, dclus, loc->sfn_slot, &loc->sfn_lba);
}

int fat_dir_create(struct sdb_fat_vol *vol, uint32_t dclus, const char *name,
                   const uint8_t proto[ENTRY_SIZE], struct fat_loc *loc)
{
    if (vol->read_only)
        return SDB_FAT_EROFS;
    uint8_t entries[MAX_LFN_SLOTS + 1][ENTRY_SIZE];
    unsigned n;
    int err = fat_build_entries(vol, dclus, name, proto, UINT32_MAX, entries, &n);
    if (err)
        return err;
    fat_hint_unfresh(vol, dclus); /* its alias was not numbered by the hint */
    return place_entries(vol, dclus, entries, n, loc);
}

bool fat_dir_can_skip_lookup(struct sdb_fat_vol *vol, uint32_t dclus, const char *name)
{
    const struct sdb_fat_dir_hint *h = fat_hint_get(vol, dclus);
    /* A '~' in the name could equal a numbered alias: such names take the long way. */
    return h->fresh && h->end != UINT32_MAX && !strchr(name, '~');
}

int fat_dir_create_unique(struct sdb_fat_vol *vol, uint32_t dclus, const char *name,
                          const uint8_t proto[ENTRY_SIZE], struct fat_loc *loc)
{
    if (vol->read_only)
        return SDB_FAT_EROFS;
    int err = fat_name_check(name);
    if (err)
        return err;
    uint8_t entries[MAX_LFN_SLOTS + 1][ENTRY_SIZE], sfn[11];
    bool lossy;
    unsigned n;
    /* Every entry of a fresh directory came through here: an 8.3 name (no '~')
     * equals another only when the names are equal, which the caller excludes,
     * and a numbered alias (with '~') is new by its number. */
    if (fat_name_is_sfn(name, sfn)) {
        n = put_entry_set(NULL, 0, sfn, proto, entries);
    } else {
        uint16_t units[MAX_LFN_SLOTS * LFN_CHARS];
        int len = fat_utf8_to_ucs2(name, units, MAX_LFN_SLOTS * LFN_CHARS);
        if (len <= 0)
            return SDB_FAT_ENAME;
        fat_sfn_basis(name, sfn, &lossy);
        /* The end slot grows with every entry: a number no other alias has. */
        if (lossy)
            fat_sfn_add_tail(sfn, fat_hint_get(vol, dclus)->end);
        n = put_entry_set(units, len, sfn, proto, entries);
    }
    return place_entries(vol, dclus, entries, n, loc);
}

int fat_dir_remove(struct sdb_fat_vol *vol, const struct fat_loc *loc)
{
    if (vol->read_only)
        return SDB_FAT_EROFS;
    uint32_t s = loc->first_slot;
    while (s <= loc->sfn_slot) {
        uint32_t lba;
        int err = fat_dir_slot_lba(vol, loc->dclus, s, &lba);
        if (err || (err = fat_win_load(vol, lba)))
            return err;
        do {
            vol->win[(s % ENTRIES_PER_SECTOR) * ENTRY_SIZE] = SLOT_FREE;
            s++;
        } while (s <= loc->sfn_slot && s % ENTRIES_PER_SECTOR != 0);
        if ((err = fat_win_store(vol)))
            return err;
    }
    return SDB_OK;
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
