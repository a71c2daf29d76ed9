/* Internals shared by the FAT driver's files. Not a public interface. */
#ifndef SDBOOT_FAT_INTERNAL_H
#define SDBOOT_FAT_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include "sdboot/bytes.h"
#include "sdboot/fat.h"
#include "sdboot/fat_layout.h"

#define ENTRY_SIZE 32u
#define ENTRIES_PER_SECTOR (SDB_SECTOR_SIZE / ENTRY_SIZE)
#define LFN_CHARS 13u
#define MAX_LFN_SLOTS 20u /* 255 UCS-2 units / 13 */

#define ATTR_READ_ONLY 0x01
#define ATTR_HIDDEN 0x02
#define ATTR_SYSTEM 0x04
#define ATTR_VOLUME 0x08
#define ATTR_DIR 0x10
#define ATTR_ARCHIVE 0x20
#define ATTR_LFN 0x0F

#define SLOT_FREE 0xE5
#define SLOT_END 0x00

#define WIN_NONE 0xFFFFFFFFu
#define FREE_UNKNOWN 0xFFFFFFFFu

/* Fixed timestamp for new entries: the core has no clock. 2026-01-01 00:00. */
#define FAT_DATE (((2026 - 1980) << 9) | (1 << 5) | 1)
#define FAT_TIME 0

/* Short names for the on-disk field helpers of sdboot/bytes.h. */
#define rd16 sdb_get_le16
#define rd32 sdb_get_le32
#define wr16 sdb_put_le16
#define wr32 sdb_put_le32

/* ---- fat_vol.c: sector cache, FAT table, clusters ---- */
/* Make vol->win the cached copy of sector lba (read on a miss). vol->win stays
 * valid until the next load/claim. */
int fat_win_load(struct sdb_fat_vol *vol, uint32_t lba);
/* As load, for a sector about to be rewritten whole: zeroed, not read. */
int fat_win_claim(struct sdb_fat_vol *vol, uint32_t lba);
/* win[] (not a FAT sector) changed: written now, after every pending change. */
int fat_win_store(struct sdb_fat_vol *vol);
/* win[] (a directory sector) changed: written by the next fat_cache_flush.
 * Only one such sector waits at a time (another pending one is written
 * first). For changes whose early loss leaves only lost clusters: new entries,
 * a written file's size and first cluster. */
int fat_win_defer(struct sdb_fat_vol *vol);
void fat_win_dirty(struct sdb_fat_vol *vol); /* win[] is a FAT sector with a pending change */
int fat_win_flush(struct sdb_fat_vol *vol);  /* write pending FAT changes now, in order */
/* Write every pending change now: FAT copies, then (after a device sync) the
 * pending directory sector. */
int fat_cache_flush(struct sdb_fat_vol *vol);
/* Sectors written around the cache: drop (or refresh) cached copies of them. */
void fat_cache_forget(struct sdb_fat_vol *vol, uint32_t lba, uint32_t count);
void fat_cache_update(struct sdb_fat_vol *vol, uint32_t lba, const uint8_t *data);
uint32_t fat_eoc(const struct sdb_fat_vol *vol);
bool fat_is_eoc(const struct sdb_fat_vol *vol, uint32_t val);
/* 2 <= c < nclusters + 2 in one unsigned compare (c - 2 wraps below 2, and
 * fat_parse_bpb's FAT size test keeps nclusters far from 2^32): small enough
 * to be inlined at every use instead of called. */
static inline bool fat_valid_clus(const struct sdb_fat_vol *vol, uint32_t c)
{
    return c - 2 < vol->nclusters;
}
static inline uint32_t fat_clus_lba(const struct sdb_fat_vol *vol, uint32_t c)
{
    return vol->data_lba + (c - 2) * vol->sec_per_clus;
}
int fat_get(struct sdb_fat_vol *vol, uint32_t clus, uint32_t *val);
int fat_set(struct sdb_fat_vol *vol, uint32_t clus, uint32_t val); /* every FAT copy */
/* Next cluster of a chain: *next = 0 at the end. ECORRUPT on a free/bad/out-of-range link. */
int fat_next(struct sdb_fat_vol *vol, uint32_t clus, uint32_t *next);
/* Allocate one cluster, marked end-of-chain, then linked after `prev` (0: none).
 * With `zero`, its sectors are zeroed before it is linked. The search starts
 * right after `prev` (so a growing file stays contiguous), else at the
 * volume's next-free hint. */
int fat_alloc(struct sdb_fat_vol *vol, uint32_t prev, bool zero, uint32_t *out);
/* Write zeros over sectors [lba, lba + count), in requests of up to SDB_FAT_ZERO_SECTORS
 * (mkfs and cluster zeroing share its one constant buffer; none with SDB_FAT_ZERO_SECTORS 0). */
int fat_zero_sectors(sdb_bd_t *bd, uint32_t lba, uint32_t count);
/* How many clusters from `clus` on are consecutive in its chain (at least 1,
 * at most `max`): one card request can cover them all. */
int fat_run_length(struct sdb_fat_vol *vol, uint32_t clus, uint32_t max, uint32_t *run);
/* Free a chain from `first`; bounded by the cluster count. */
int fat_free_chain(struct sdb_fat_vol *vol, uint32_t first);
void fat_count_free_delta(struct sdb_fat_vol *vol, int delta);
int fat_count_free(struct sdb_fat_vol *vol, uint32_t *count);
/* FAT entries read in runs of whole FAT 1 sectors into a caller's buffer, for
 * scans over the whole FAT: one request per `sectors` instead of per sector.
 * Pending FAT changes are flushed before each refill, so a run holds what the
 * cache holds; an entry changed after its run was read is not seen again (the
 * scans change only the entry just read). sectors 0 (or FAT12): fat_get. */
struct fat_run {
    uint8_t *buf;
    uint32_t sectors;     /* buf holds this many sectors */
    uint32_t last;        /* the highest cluster the scan asks for: no read past it */
    uint32_t first, have; /* FAT sectors [first, first + have) are in buf */
};
int fat_run_get(struct sdb_fat_vol *vol, struct fat_run *run, uint32_t clus, uint32_t *val);
/* Parse a boot sector; on success fills the geometry fields of vol. */
int fat_parse_bpb(struct sdb_fat_vol *vol, const uint8_t *bs, uint32_t vol_lba,
                  uint32_t dev_sectors);
int fat_write_fsinfo(struct sdb_fat_vol *vol);
/* The FSInfo sector into vol->win: SDB_OK when the volume has a valid one,
 * SDB_FAT_ENOENT when it has none. */
int fat_fsinfo_load(struct sdb_fat_vol *vol);
/* The first sector of the first FAT partition, if sector 0 is an MBR naming
 * one (the partition sdb_fat_mount uses when sector 0 is no boot sector). */
bool fat_mbr_first(const uint8_t *s0, uint32_t *start);

/* Ordering barrier: a card with a write cache may reorder writes between syncs,
 * so where a later write must not land before an earlier one, sync between. */
static inline int fat_barrier(struct sdb_fat_vol *vol)
{
    int err = fat_cache_flush(vol);
    return err ? err : sdb_bd_sync(vol->bd);
}

/* ---- fat_name.c: names ---- */
int fat_name_check(const char *name);
/* The UCS-2 unit the UTF-8 sequence at *s (not at its end) encodes, *s moved
 * past it; -1 for invalid UTF-8 or a character outside the BMP. */
int fat_utf8_next(const char **s);
/* UCS-2 -> UTF-8 (NUL-terminated) of u[0..n) up to its first 0; false when
 * that is empty or does not fit. */
bool fat_ucs2_to_utf8(const uint16_t *u, unsigned n, char *out, size_t cap);
/* Basis 8.3 name for a name (no tail yet). Returns 0 when the name is that 8.3
 * name itself, else SFN_CASE (it differs in case only) and/or SFN_LOSSY (a
 * tail is needed). */
#define SFN_CASE 1u
#define SFN_LOSSY 2u
unsigned fat_sfn_basis(const char *name, uint8_t sfn[11]);
void fat_sfn_add_tail(uint8_t sfn[11], uint32_t n);
uint8_t fat_lfn_checksum(const uint8_t sfn[11]);
/* "NAME.EXT"; `lower` (an entry's byte 12) shows the base (0x08) or the
 * extension (0x10) in lower case, as Windows NT and Linux mark them. */
void fat_sfn_to_str(const uint8_t sfn[11], uint8_t lower, char out[13]);
bool fat_name_equal(const char *a, const char *b); /* ASCII case-insensitive */

/* ---- fat_dir.c: directories ---- */
/* Directory hints (struct sdb_fat_dir_hint): found or made (least recently used
 * one replaced), dropped for one directory, or all forgotten. */
struct sdb_fat_dir_hint *fat_hint_get(struct sdb_fat_vol *vol, uint32_t dclus);
void fat_hint_drop(struct sdb_fat_vol *vol, uint32_t dclus);
void fat_hint_reset(struct sdb_fat_vol *vol);
/* A directory just made (".", ".." only): fresh, its end at slot 2. */
void fat_hint_new_dir(struct sdb_fat_vol *vol, uint32_t dclus);
/* Entries of dclus were made or renamed outside the fresh path. */
void fat_hint_unfresh(struct sdb_fat_vol *vol, uint32_t dclus);
struct fat_loc {
    uint8_t raw[ENTRY_SIZE]; /* the 8.3 entry (first: its bytes within Thumb's short offsets) */
    uint32_t dclus;          /* directory: first cluster, 0 = fixed root */
    uint32_t first_slot;     /* first slot of the entry set (LFN parts, or the 8.3 entry) */
    uint32_t sfn_slot;       /* slot of the 8.3 entry */
    uint32_t sfn_lba;
    uint16_t sfn_off;
};

uint32_t fat_root_clus(const struct sdb_fat_vol *vol); /* 0 on FAT12/16 */
static inline uint32_t fat_entry_clus(const struct sdb_fat_vol *vol, const uint8_t *e)
{
    uint32_t c = rd16(e + 26);
    if (vol->type == 32)
        c |= (uint32_t)rd16(e + 20) << 16;
    return c;
}
void fat_entry_set_clus(const struct sdb_fat_vol *vol, uint8_t *e, uint32_t c);
/* Creation, access and write times of a new entry (the fixed FAT_DATE/FAT_TIME). */
void fat_entry_stamp(uint8_t *e);
/* lba of slot `slot` of directory dclus; SDB_FAT_ENOENT past its end. */
int fat_dir_slot_lba(struct sdb_fat_vol *vol, uint32_t dclus, uint32_t slot, uint32_t *lba);
/* Iterate live entries from *slot: fills loc and the long (or 8.3) name. ENOENT at end. */
int fat_dir_next(struct sdb_fat_vol *vol, uint32_t dclus, uint32_t *slot, struct fat_loc *loc,
                 char *name, size_t cap);
int fat_dir_find(struct sdb_fat_vol *vol, uint32_t dclus, const char *name, struct fat_loc *loc);
/* Resolve a path: the entry itself (loc) and its parent directory; for "/" the
 * root has no entry and *is_root is set. */
int fat_lookup(struct sdb_fat_vol *vol, const char *path, struct fat_loc *loc, uint32_t *parent,
               bool *is_root);
/* Resolve the parent directory of a path and return the final name (checked)
 * in name[SDB_FAT_NAME_MAX + 1]; SDB_FAT_EBUSY for "/". */
int fat_lookup_parent(struct sdb_fat_vol *vol, const char *path, uint32_t *parent,
                      char name[SDB_FAT_NAME_MAX + 1]);
/* Create entries for `name` (checked: fat_lookup_parent gives it so) in
 * dclus of a writable volume (every caller refuses a read-only one first);
 * `proto` supplies the 8.3 fields after the name (attr, times, cluster,
 * size; NULL: an empty file's). Fills loc. With `unique` (a name
 * fat_dir_can_skip_lookup allowed): no alias scan, placed at the end. */
int fat_dir_create(struct sdb_fat_vol *vol, uint32_t dclus, const char *name,
                   const uint8_t proto[ENTRY_SIZE], bool unique, struct fat_loc *loc);
/* Whether a name known to be absent (SDB_FAT_UNIQUE) can skip its lookup in
 * dclus: the directory is fresh and the name cannot collide with an alias. */
bool fat_dir_can_skip_lookup(struct sdb_fat_vol *vol, uint32_t dclus, const char *name);
/* Mark the entry set deleted: long-name parts first, then the 8.3 entry. */
int fat_dir_remove(struct sdb_fat_vol *vol, const struct fat_loc *loc);
/* Rewrite the 8.3 entry of loc from loc->raw (one sector write). */
int fat_dir_update(struct sdb_fat_vol *vol, const struct fat_loc *loc);
int fat_dir_is_empty(struct sdb_fat_vol *vol, uint32_t dclus, bool *empty);
/* Build the entry set of `name` (LFN parts + 8.3) with a unique alias in dclus,
 * skipping the entry at skip_slot (its own old slots on an in-place rename). */
int fat_build_entries(struct sdb_fat_vol *vol, uint32_t dclus, const char *name,
                      const uint8_t proto[ENTRY_SIZE], uint32_t skip_slot,
                      uint8_t out[][ENTRY_SIZE], unsigned *count);

#endif
