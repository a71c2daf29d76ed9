/*
 * Volume geometry, the sector cache, the FAT table and cluster allocation.
 *
 * Write order (see POWERLOSS.md): FAT changes gather in the cache and are
 * flushed (FAT 1, then each other copy, in the order made) on eviction, before
 * the pending directory sector and at barriers and sync. At most one directory
 * sector waits in the cache with a change; it goes to the card after every FAT
 * change made before it and a device sync, so an entry never lands before the
 * chain it names. Allocation marks the new cluster end-of-chain before
 * linking it, so a cut leaves at worst a lost cluster, never a chain that
 * points at a free cluster.
 * SDB_FAT12 0 (sdboot/fat.h) leaves out FAT12's entries (12 bits that may
 * straddle two sectors): the mount refuses a FAT12 volume (SDB_FAT_EFAT12).
 */
#include "fat_internal.h"

/* ---- the sector cache ----
 *
 * FAT sectors and other sectors have their own slots (fat_is_fat_lba decides),
 * so neither kind evicts the other. FAT slots are write-back: a change waits in
 * its slot and reaches every FAT copy on eviction, before the pending directory
 * sector is written, at every barrier and at sync; dirty slots are flushed in
 * the order they were first changed, which keeps the on-card order of the
 * one-window driver this replaces (POWERLOSS.md). Other slots hold directory,
 * boot, FSInfo and data sectors. One of them at a time may hold a change not
 * yet on the card (fat_win_defer: new entries, a written file's size and first
 * cluster); it is written by fat_cache_flush (FAT copies, device sync, then
 * it), which eviction, a change to another directory sector, every
 * write-through (fat_win_store), barriers and sync call. */

static bool is_fat_lba(const struct sdb_fat_vol *vol, uint32_t lba)
{
    return lba >= vol->fat_lba && lba - vol->fat_lba < vol->fat_sectors;
}

static void cache_use(struct sdb_fat_vol *vol, unsigned i)
{
    vol->slot[i].used = ++vol->clock;
    vol->win_slot = (uint8_t)i;
    vol->win = vol->cache[i];
}

static void cache_drop(struct sdb_fat_vol *vol, unsigned i)
{
    vol->slot[i].lba = WIN_NONE;
    vol->slot[i].dirty = 0;
}

/* Write one dirty FAT slot to the same sector of every FAT copy. */
static int store_fat_slot(struct sdb_fat_vol *vol, unsigned i)
{
    uint32_t lba = vol->slot[i].lba;
    vol->slot[i].dirty = 0;
    for (uint8_t k = 0; k < vol->nfats; k++) {
        int err = sdb_bd_write(vol->bd, lba + k * vol->fat_sectors, 1, vol->cache[i]);
        if (err) {
            cache_drop(vol, i);
            return err;
        }
    }
    return SDB_OK;
}

int fat_win_flush(struct sdb_fat_vol *vol)
{
    for (;;) {
        unsigned oldest = SDB_FAT_CACHE_SLOTS;
        for (unsigned i = 0; i < SDB_FAT_CACHE_FAT; i++)
            if (vol->slot[i].dirty &&
                (oldest == SDB_FAT_CACHE_SLOTS || vol->slot[i].dirty < vol->slot[oldest].dirty))
                oldest = i;
        if (oldest == SDB_FAT_CACHE_SLOTS)
            return SDB_OK;
        int err = store_fat_slot(vol, oldest);
        if (err)
            return err;
    }
}

/* The directory (non-FAT) slot holding a change not on the card, if any. */
static unsigned pending_slot(const struct sdb_fat_vol *vol)
{
    for (unsigned i = SDB_FAT_CACHE_FAT; i < SDB_FAT_CACHE_SLOTS; i++)
        if (vol->slot[i].dirty)
            return i;
    return SDB_FAT_CACHE_SLOTS;
}

int fat_cache_flush(struct sdb_fat_vol *vol)
{
    int err = fat_win_flush(vol);
    unsigned i = pending_slot(vol);
    if (err || i == SDB_FAT_CACHE_SLOTS)
        return err;
    /* The chains its entries name are on the card (every copy) before it. */
    if ((err = sdb_bd_sync(vol->bd)) == SDB_OK)
        err = sdb_bd_write(vol->bd, vol->slot[i].lba, 1, vol->cache[i]);
    vol->slot[i].dirty = 0;
    if (err) {
        cache_drop(vol, i); /* device state unknown: reload next time */
        fat_hint_reset(vol);
    }
    return err;
}

/* The slot for lba: a hit, else the least recently used of its kind (whose
 * pending changes are flushed first). *hit tells which. */
static int cache_slot(struct sdb_fat_vol *vol, uint32_t lba, unsigned *slot, bool *hit)
{
    bool fat = is_fat_lba(vol, lba);
    unsigned lo = fat ? 0 : SDB_FAT_CACHE_FAT, hi = fat ? SDB_FAT_CACHE_FAT : SDB_FAT_CACHE_SLOTS;
    unsigned victim = lo;
    for (unsigned i = lo; i < hi; i++) {
        if (vol->slot[i].lba == lba) {
            *slot = i;
            *hit = true;
            return SDB_OK;
        }
        if (vol->slot[i].used < vol->slot[victim].used)
            victim = i;
    }
    *hit = false;
    if (vol->slot[victim].dirty) {
        /* keeps the order the changes were made in */
        int err = fat ? fat_win_flush(vol) : fat_cache_flush(vol);
        if (err)
            return err;
    }
    cache_drop(vol, victim);
    *slot = victim;
    return SDB_OK;
}

/* Make vol->win the slot of lba: read on a miss, or zeroed (`claim`: the
 * caller rewrites the sector whole). */
static int win_get(struct sdb_fat_vol *vol, uint32_t lba, bool claim)
{
    unsigned i;
    bool hit;
    int err = cache_slot(vol, lba, &i, &hit);
    if (err)
        return err;
    if (claim)
        memset(vol->cache[i], 0, SDB_SECTOR_SIZE);
    else if (!hit && (err = sdb_bd_read(vol->bd, lba, 1, vol->cache[i])))
        return err;
    vol->slot[i].lba = lba;
    cache_use(vol, i);
    return SDB_OK;
}

int fat_win_load(struct sdb_fat_vol *vol, uint32_t lba)
{
    return win_get(vol, lba, false);
}

int fat_win_claim(struct sdb_fat_vol *vol, uint32_t lba)
{
    return win_get(vol, lba, true);
}

void fat_win_dirty(struct sdb_fat_vol *vol)
{
    struct sdb_fat_cache_slot *sl = &vol->slot[vol->win_slot];
    if (!sl->dirty)
        sl->dirty = ++vol->clock;
}

int fat_win_defer(struct sdb_fat_vol *vol)
{
    if (vol->read_only)
        return SDB_FAT_EROFS;
    struct sdb_fat_cache_slot *sl = &vol->slot[vol->win_slot];
    if (sl->dirty)
        return SDB_OK;
    /* One pending directory sector at a time: another one goes first. */
    int err = pending_slot(vol) < SDB_FAT_CACHE_SLOTS ? fat_cache_flush(vol) : SDB_OK;
    if (err)
        return err;
    sl->dirty = ++vol->clock;
    return SDB_OK;
}

int fat_win_store(struct sdb_fat_vol *vol)
{
    int err = fat_win_defer(vol);
    return err ? err : fat_cache_flush(vol);
}

void fat_cache_forget(struct sdb_fat_vol *vol, uint32_t lba, uint32_t count)
{
    for (unsigned i = SDB_FAT_CACHE_FAT; i < SDB_FAT_CACHE_SLOTS; i++)
        if (vol->slot[i].lba != WIN_NONE && vol->slot[i].lba - lba < count)
            cache_drop(vol, i);
}

void fat_cache_update(struct sdb_fat_vol *vol, uint32_t lba, const uint8_t *data)
{
    for (unsigned i = SDB_FAT_CACHE_FAT; i < SDB_FAT_CACHE_SLOTS; i++)
        if (vol->slot[i].lba == lba)
            memcpy(vol->cache[i], data, SDB_SECTOR_SIZE);
}

static void cache_reset(struct sdb_fat_vol *vol)
{
    for (unsigned i = 0; i < SDB_FAT_CACHE_SLOTS; i++)
        vol->slot[i] = (struct sdb_fat_cache_slot){.lba = WIN_NONE};
    vol->win_slot = 0;
    vol->win = vol->cache[0];
    vol->run_len = 0;
}

int sdb_fat_invalidate(struct sdb_fat_vol *vol)
{
    if (!vol)
        return SDB_E_INVAL;
    int err = fat_cache_flush(vol);
    cache_reset(vol);
    fat_hint_reset(vol);
    return err;
}

/* The end-of-chain mark, all ones: also the mask of an entry's bits (FAT32's
 * upper 4 are reserved). */
uint32_t fat_eoc(const struct sdb_fat_vol *vol)
{
    return vol->type == 32 ? 0x0FFFFFFFu : (1u << vol->type) - 1;
}

bool fat_is_eoc(const struct sdb_fat_vol *vol, uint32_t val)
{
    return val >= fat_eoc(vol) - 7; /* 0x...FF8 to 0x...FFF */
}

/* A FAT12 volume: its 12-bit entries may straddle two sectors. A build
 * without FAT12 (SDB_FAT12 0) never mounts one: every entry it reads lies
 * whole in one sector. */
#if SDB_FAT12
#define IS_FAT12(vol) ((vol)->type == 12)
#else
#define IS_FAT12(vol) false
#endif

/* Byte offset of a FAT entry inside one FAT copy. */
static uint32_t fat_byte_offset(const struct sdb_fat_vol *vol, uint32_t clus)
{
    return IS_FAT12(vol) ? clus + clus / 2 : clus * (vol->type / 8u);
}

/* A FAT16/32 entry at p (in a sector): its value (FAT32's upper 4 bits are reserved). */
static uint32_t entry_at(const struct sdb_fat_vol *vol, const uint8_t *p)
{
    return vol->type == 16 ? rd16(p) : rd32(p) & 0x0FFFFFFFu;
}

/* The sector of FAT 1 holding byte `off` of the FAT, into vol->win; the byte. */
static int fat_byte(struct sdb_fat_vol *vol, uint32_t off, uint8_t **b)
{
    int err = fat_win_load(vol, vol->fat_lba + off / SDB_SECTOR_SIZE);
    *b = vol->win + off % SDB_SECTOR_SIZE;
    return err;
}

#if SDB_FAT12
/* A FAT12 entry: 12 bits of its two bytes (little-endian), which may lie in
 * two sectors; an odd entry takes the upper 12. With `set` *val is written
 * into them (each sector marked changed), else read from them. */
static int fat12_entry(struct sdb_fat_vol *vol, uint32_t clus, uint32_t *val, bool set)
{
    uint32_t off = clus + clus / 2, raw = 0;
    unsigned shift = clus & 1 ? 4u : 0u;
    uint32_t mask = 0xFFFu << shift, bits = *val << shift;
    for (unsigned i = 0; i < 2; i++) {
        uint8_t *b, m = (uint8_t)(mask >> (8 * i));
        int err = fat_byte(vol, off + i, &b);
        if (err)
            return err;
        if (set) {
            *b = (uint8_t)((*b & ~m) | ((bits >> (8 * i)) & m));
            fat_win_dirty(vol);
        }
        raw |= (uint32_t)*b << (8 * i);
    }
    if (!set)
        *val = (raw >> shift) & 0xFFFu;
    return SDB_OK;
}
#endif

int fat_get(struct sdb_fat_vol *vol, uint32_t clus, uint32_t *val)
{
    if (clus >= vol->nclusters + 2)
        return SDB_FAT_ECORRUPT;
#if SDB_FAT12
    if (vol->type == 12)
        return fat12_entry(vol, clus, val, false);
#endif
    uint8_t *b;
    int err = fat_byte(vol, fat_byte_offset(vol, clus), &b);
    if (err == SDB_OK)
        *val = entry_at(vol, b);
    return err;
}

int fat_run_get(struct sdb_fat_vol *vol, struct fat_run *run, uint32_t clus, uint32_t *val)
{
    if (IS_FAT12(vol) || !run->sectors || clus >= vol->nclusters + 2)
        return fat_get(vol, clus, val);
    uint32_t off = fat_byte_offset(vol, clus), sec = off / SDB_SECTOR_SIZE;
    if (sec - run->first >= run->have) {
        uint32_t end = fat_byte_offset(vol, run->last) / SDB_SECTOR_SIZE + 1;
        if (end > vol->fat_sectors)
            end = vol->fat_sectors;
        uint32_t n = end - sec < run->sectors ? end - sec : run->sectors;
        run->have = 0;
        int err = fat_win_flush(vol); /* the card holds every change the cache has */
        if (err || (err = sdb_bd_read(vol->bd, vol->fat_lba + sec, n, run->buf)))
            return err;
        run->first = sec, run->have = n;
    }
    *val = entry_at(vol, run->buf + (sec - run->first) * SDB_SECTOR_SIZE + off % SDB_SECTOR_SIZE);
    return SDB_OK;
}

int fat_set(struct sdb_fat_vol *vol, uint32_t clus, uint32_t val)
{
    if (vol->read_only)
        return SDB_FAT_EROFS;
    if (!fat_valid_clus(vol, clus))
        return SDB_FAT_ECORRUPT;
    if (clus - vol->run_first < vol->run_len)
        vol->run_len = 0; /* a link inside the remembered run changes */
#if SDB_FAT12
    if (vol->type == 12)
        return fat12_entry(vol, clus, &val, true);
#endif
    uint8_t *b;
    int err = fat_byte(vol, fat_byte_offset(vol, clus), &b);
    if (err)
        return err;
    if (vol->type == 16)
        wr16(b, (uint16_t)val);
    else /* FAT32's upper 4 bits are kept */
        wr32(b, (rd32(b) & 0xF0000000u) | (val & 0x0FFFFFFFu));
    fat_win_dirty(vol);
    return SDB_OK;
}

/* clus links to clus + 1 and its FAT sector is in vol->win (FAT16/32): the
 * links after it in that sector that keep going to the next cluster make the
 * remembered run. */
static void learn_run(struct sdb_fat_vol *vol, uint32_t clus)
{
    uint32_t sec = fat_byte_offset(vol, clus) / SDB_SECTOR_SIZE, k = clus;
    /* up to the end of the sector; the last valid cluster links nowhere */
    for (uint32_t off; k < vol->nclusters + 1; k++)
        if ((off = fat_byte_offset(vol, k)) / SDB_SECTOR_SIZE != sec ||
            entry_at(vol, vol->win + off % SDB_SECTOR_SIZE) != k + 1)
            break;
    vol->run_first = clus;
    vol->run_len = k - clus;
}

int fat_next(struct sdb_fat_vol *vol, uint32_t clus, uint32_t *next)
{
    if (clus - vol->run_first < vol->run_len) {
        *next = clus + 1; /* no FAT access: the sector the cache holds stays */
        return SDB_OK;
    }
    uint32_t v;
    int err = fat_get(vol, clus, &v);
    if (err)
        return err;
    if (v == clus + 1 && !IS_FAT12(vol))
        learn_run(vol, clus);
    if (fat_is_eoc(vol, v)) {
        *next = 0;
        return SDB_OK;
    }
    if (!fat_valid_clus(vol, v))
        return SDB_FAT_ECORRUPT; /* free, reserved or bad cluster inside a chain */
    *next = v;
    return SDB_OK;
}

void fat_count_free_delta(struct sdb_fat_vol *vol, int delta)
{
    if (vol->free_count != FREE_UNKNOWN)
        vol->free_count = (uint32_t)((int64_t)vol->free_count + delta);
    vol->fsinfo_dirty = true;
}

int fat_count_free(struct sdb_fat_vol *vol, uint32_t *count)
{
    uint32_t n = 0;
    for (uint32_t c = 2; c < vol->nclusters + 2; c++) {
        uint32_t v;
        int err = fat_get(vol, c, &v);
        if (err)
            return err;
        n += v == 0;
    }
    *count = n;
    return SDB_OK;
}

#if SDB_FAT_ZERO_SECTORS
#define ZERO_SECTORS ((uint32_t)SDB_FAT_ZERO_SECTORS) /* sectors per zeroing request */

int fat_zero_sectors(sdb_bd_t *bd, uint32_t lba, uint32_t count)
{
    /* The one zero buffer of the driver (mkfs shares it): flash on an MCU. */
    static const uint8_t zeros[ZERO_SECTORS * SDB_SECTOR_SIZE];
    while (count) {
        uint32_t n = count < ZERO_SECTORS ? count : ZERO_SECTORS;
        int err = sdb_bd_write(bd, lba, n, zeros);
        if (err)
            return err;
        lba += n;
        count -= n;
    }
    return SDB_OK;
}

static int zero_cluster(struct sdb_fat_vol *vol, uint32_t clus)
{
    uint32_t lba = fat_clus_lba(vol, clus);
    int err = fat_zero_sectors(vol->bd, lba, vol->sec_per_clus);
    if (err)
        return err;
    fat_cache_forget(vol, lba, vol->sec_per_clus);
    return SDB_OK;
}
#else
/* No constant (SDB_FAT_ZERO_SECTORS 0): a zeroed sector on the stack,
 * written over each sector of the cluster, one a request: the same writes in
 * the same order as SDB_FAT_ZERO_SECTORS 1 (the host simulator's sectors),
 * and the cache is left as it was (its pending directory sector may not move
 * ahead of the zeros). 512 B of stack while it runs instead of 512 B of flash. */
static int zero_cluster(struct sdb_fat_vol *vol, uint32_t clus)
{
    uint8_t zero[SDB_SECTOR_SIZE];
    memset(zero, 0, sizeof zero);
    uint32_t lba = fat_clus_lba(vol, clus);
    for (uint32_t i = 0; i < vol->sec_per_clus; i++) {
        int err = sdb_bd_write(vol->bd, lba + i, 1, zero);
        if (err)
            return err;
    }
    fat_cache_forget(vol, lba, vol->sec_per_clus);
    return SDB_OK;
}
#endif

static uint32_t clus_after(const struct sdb_fat_vol *vol, uint32_t c)
{
    return c + 1 < vol->nclusters + 2 ? c + 1 : 2;
}

int fat_alloc(struct sdb_fat_vol *vol, uint32_t prev, bool zero, uint32_t *out)
{
    if (vol->read_only)
        return SDB_FAT_EROFS;
    /* Right after prev keeps a growing chain contiguous (one request covers
     * it); otherwise the next-free hint, so a search never rescans the used
     * front of the FAT. */
    uint32_t c = fat_valid_clus(vol, vol->next_free) ? vol->next_free : 2;
    if (prev && fat_valid_clus(vol, prev)) {
        uint32_t v, after = clus_after(vol, prev);
        int err = fat_get(vol, after, &v);
        if (err)
            return err;
        if (v == 0)
            c = after;
    }
    int err;
    for (uint32_t v, tried = 0;; c = clus_after(vol, c), tried++) {
        if (tried == vol->nclusters) {
            if (vol->free_count != FREE_UNKNOWN)
                vol->free_count = 0;
            return SDB_FAT_ENOSPC;
        }
        if ((err = fat_get(vol, c, &v)))
            return err;
        if (v == 0)
            break;
    }
    /* The zeros are on the card before the chain names the cluster: a card
     * cache that loses them would show a grown directory the entries the
     * cluster held before (a freed directory's "." and ".."). */
    if (zero && ((err = zero_cluster(vol, c)) || (err = sdb_bd_sync(vol->bd))))
        return err;
    if ((err = fat_set(vol, c, fat_eoc(vol))))
        return err;
    /* A link into another FAT sector waits for the end mark it points at: the
     * card never holds a chain that runs into a free cluster. */
    uint32_t per = SDB_SECTOR_SIZE * 8 / (IS_FAT12(vol) ? 12 : vol->type);
    if (prev && prev / per != c / per && (err = fat_win_flush(vol)))
        return err;
    if (prev && (err = fat_set(vol, prev, c)))
        return err;
    fat_count_free_delta(vol, -1);
    if (c >= vol->next_free || !fat_valid_clus(vol, vol->next_free))
        vol->next_free = clus_after(vol, c);
    *out = c;
    return SDB_OK;
}

int fat_run_length(struct sdb_fat_vol *vol, uint32_t clus, uint32_t max, uint32_t *run)
{
    uint32_t n = 1;
    while (n < max) {
        uint32_t next;
        int err = fat_next(vol, clus + n - 1, &next);
        if (err)
            return err;
        if (next != clus + n)
            break;
        n++;
    }
    *run = n;
    return SDB_OK;
}

int fat_free_chain(struct sdb_fat_vol *vol, uint32_t first)
{
    fat_hint_drop(vol, first); /* it may have been a directory */
    uint32_t c = first;
    for (uint32_t n = 0; c && n <= vol->nclusters; n++) {
        uint32_t v;
        int err = fat_get(vol, c, &v);
        if (err)
            return err;
        if ((err = fat_set(vol, c, 0)))
            return err;
        fat_count_free_delta(vol, +1);
        if (c < vol->next_free)
            vol->next_free = c; /* the lowest free cluster known */
        if (fat_is_eoc(vol, v) || !fat_valid_clus(vol, v))
            return SDB_OK;
        c = v;
    }
    return c ? SDB_FAT_ELOOP : SDB_OK;
}

static bool power_of_two(uint32_t v)
{
    return v && !(v & (v - 1));
}

int fat_parse_bpb(struct sdb_fat_vol *vol, const uint8_t *bs, uint32_t vol_lba,
                  uint32_t dev_sectors)
{
    if (!(bs[0] == 0xEB || bs[0] == 0xE9) || !sdb_has_boot_sig(bs))
        return SDB_FAT_ENOFS;
    uint32_t bps = rd16(bs + 11), spc = bs[13], reserved = rd16(bs + 14), nfats = bs[16];
    uint32_t root_entries = rd16(bs + 17), total = rd16(bs + 19), fatsz = rd16(bs + 22);
    if (bps != SDB_SECTOR_SIZE || !power_of_two(spc) || reserved == 0 || nfats < 1 || nfats > 2)
        return SDB_FAT_ENOFS;
    if (total == 0)
        total = rd32(bs + 32);
    if (fatsz == 0)
        fatsz = rd32(bs + 36);
    if (total == 0 || fatsz == 0 || vol_lba >= dev_sectors || total > dev_sectors - vol_lba)
        return SDB_FAT_ENOFS;
    uint32_t root_sectors = (root_entries * ENTRY_SIZE + SDB_SECTOR_SIZE - 1) / SDB_SECTOR_SIZE;
    uint64_t meta = (uint64_t)reserved + (uint64_t)nfats * fatsz + root_sectors;
    if (meta >= total)
        return SDB_FAT_ENOFS;
    uint32_t nclus = (total - (uint32_t)meta) / spc; /* 32-bit: no libgcc division */
    uint8_t type = nclus < 4085 ? 12 : nclus < 65525 ? 16 : 32;
    if ((type == 32) != (root_entries == 0))
        return SDB_FAT_ENOFS;
    /* The FATs must hold an entry for every cluster (+2): sectors needed,
     * rounded up, in 32 bits (FAT12/16 have under 2^16 clusters; FAT32 128
     * entries a sector). */
    uint32_t need = type == 32 ? (nclus + 1) / 128 + 1 : ((nclus + 2) * type - 1) / 4096 + 1;
    if (fatsz < need)
        return SDB_FAT_ENOFS;
    vol->type = type;
    vol->sec_per_clus = (uint8_t)spc;
    vol->nfats = (uint8_t)nfats;
    vol->vol_lba = vol_lba;
    vol->vol_sectors = total;
    vol->fat_lba = vol_lba + reserved;
    vol->fat_sectors = fatsz;
    vol->root_lba = vol->fat_lba + nfats * fatsz;
    vol->root_sectors = root_sectors;
    vol->data_lba = vol->root_lba + root_sectors;
    vol->nclusters = nclus;
    vol->root_clus = 0;
    vol->fsinfo_lba = 0;
    if (type == 32) {
        vol->root_clus = rd32(bs + 44);
        if (!fat_valid_clus(vol, vol->root_clus))
            return SDB_FAT_ENOFS;
        uint32_t fsinfo = rd16(bs + 48);
        if (fsinfo && fsinfo < reserved)
            vol->fsinfo_lba = vol_lba + fsinfo;
    }
    return SDB_OK;
}

int fat_fsinfo_load(struct sdb_fat_vol *vol)
{
    if (!vol->fsinfo_lba)
        return SDB_FAT_ENOENT;
    int err = fat_win_load(vol, vol->fsinfo_lba);
    return err ? err : sdb_fsinfo_valid(vol->win) ? SDB_OK : SDB_FAT_ENOENT;
}

static int read_fsinfo(struct sdb_fat_vol *vol)
{
    vol->free_count = FREE_UNKNOWN;
    vol->next_free = 2;
    int err = fat_fsinfo_load(vol);
    if (err)
        return err == SDB_FAT_ENOENT ? SDB_OK : err;
    const uint8_t *s = vol->win;
    uint32_t free_count = rd32(s + SDB_FSINFO_FREE_AT), hint = rd32(s + SDB_FSINFO_NEXT_AT);
    if (free_count <= vol->nclusters)
        vol->free_count = free_count;
    if (fat_valid_clus(vol, hint))
        vol->next_free = hint;
    return SDB_OK;
}

int fat_write_fsinfo(struct sdb_fat_vol *vol)
{
    if (!vol->fsinfo_lba || vol->read_only)
        return SDB_OK;
    int err;
    if (vol->free_count == FREE_UNKNOWN && (err = fat_count_free(vol, &vol->free_count)))
        return err;
    if ((err = fat_fsinfo_load(vol)))
        return err == SDB_FAT_ENOENT ? SDB_OK : err; /* no valid FSInfo to maintain */
    uint8_t *s = vol->win;
    wr32(s + SDB_FSINFO_FREE_AT, vol->free_count);
    wr32(s + SDB_FSINFO_NEXT_AT, vol->next_free);
    if ((err = fat_win_store(vol)))
        return err;
    vol->fsinfo_dirty = false;
    return SDB_OK;
}

bool fat_mbr_first(const uint8_t *s0, uint32_t *start)
{
    if (!sdb_has_boot_sig(s0))
        return false;
    for (int i = 0; i < 4; i++) {
        const uint8_t *e = s0 + SDB_MBR_TABLE_AT + SDB_MBR_ENTRY_SIZE * i;
        if ((e[SDB_MBR_E_STATUS] & 0x7F) == 0 && sdb_mbr_fat_type(e[SDB_MBR_E_TYPE]) &&
            rd32(e + SDB_MBR_E_LBA) && rd32(e + SDB_MBR_E_SECTORS)) {
            *start = rd32(e + SDB_MBR_E_LBA);
            return true;
        }
    }
    return false;
}

static int mount_at(struct sdb_fat_vol *vol, uint32_t lba)
{
    int err = fat_win_load(vol, lba);
    if (err == SDB_OK)
        err = fat_parse_bpb(vol, vol->win, lba, vol->bd->sector_count);
    /* a build without FAT12 refuses one, having read only its boot sector */
    return err == SDB_OK && !SDB_FAT12 && vol->type == 12 ? SDB_FAT_EFAT12 : err;
}

int sdb_fat_mount(struct sdb_fat_vol *vol, sdb_bd_t *bd, bool read_only)
{
    if (!vol || !bd)
        return SDB_E_INVAL;
    memset(vol, 0, sizeof *vol);
    vol->bd = bd;
    vol->read_only = read_only;
    cache_reset(vol);
    int err = mount_at(vol, 0);
    if (err == SDB_FAT_ENOFS) {
        uint32_t start;
        if ((err = fat_win_load(vol, 0)))
            return err;
        if (!fat_mbr_first(vol->win, &start))
            return SDB_FAT_ENOFS;
        err = mount_at(vol, start);
    }
    if (err)
        return err;
    return read_fsinfo(vol);
}

int sdb_fat_sync(struct sdb_fat_vol *vol)
{
    if (vol->read_only)
        return SDB_OK;
    int err = fat_cache_flush(vol);
    if (err == SDB_OK && vol->fsinfo_dirty)
        err = fat_write_fsinfo(vol);
    if (err == SDB_OK)
        err = sdb_bd_sync(vol->bd);
    return err;
}

int sdb_fat_unmount(struct sdb_fat_vol *vol)
{
    int err = sdb_fat_sync(vol);
    vol->bd = NULL;
    return err;
}

int sdb_fat_free_clusters(struct sdb_fat_vol *vol, uint32_t *free_clusters)
{
    if (vol->free_count == FREE_UNKNOWN) {
        int err = fat_count_free(vol, &vol->free_count);
        if (err)
            return err;
    }
    *free_clusters = vol->free_count;
    return SDB_OK;
}
