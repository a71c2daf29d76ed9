/*
 * sdboot FAT12/16/32 driver with VFAT long names, mkfs and check/repair.
 *
 * Works on a block device only (blockdev.h); no OS calls, no allocation. The
 * caller owns every object: the volume (its sector cache inside), files,
 * directory iterators and the check workspace.
 *
 * RAM: sizeof(struct sdb_fat_vol) is 1308 bytes on Cortex-M4 with the default
 * cache (2 sectors: 1 FAT + 1 directory, 1024 bytes; each more is 512 + 12;
 * 4 directory hints, 28 bytes each; the remembered folder path, 64). Write-back
 * of the directory sector costs no RAM (the slot's dirty stamp); the run of
 * consecutive links 8 bytes, paid by dropping two unused fields.
 * sdb_fat_file 32, sdb_fat_dir 12. Stack: creating a name with its long-name entries is the
 * deepest call, about 1.5 KiB (docs/BENCHMARKS.md has the measured figures).
 *
 * Paths are '/'-separated and absolute ("/app/lib/x.py"); names are UTF-8,
 * stored as VFAT long names (UCS-2) with a generated 8.3 alias. Lookup is
 * case-insensitive for ASCII letters, as on FAT; names are stored as given.
 * Limits: path SDB_FAT_PATH_MAX bytes, name SDB_FAT_NAME_MAX bytes (UTF-8),
 * file size < 4 GiB.
 *
 * Power loss: every operation writes its sectors in a fixed order chosen so
 * that a cut between any two writes leaves a volume that mounts, whose live
 * files are intact, and that sdb_fat_check(repair) brings back to a state
 * `fsck.fat -n` finds clean. src/fat/POWERLOSS.md lists the order and the
 * leftovers for each operation. Data sectors go to the device at once;
 * changes to FAT sectors are gathered in the cache and written (to every FAT
 * copy, in the order made) before any directory write, at every ordering
 * barrier, and by sync/unmount, which also write the FSInfo counts. New entries
 * and the size a closed file got wait in the cache too, in at most one
 * directory sector, written after the FAT copies and a device sync: files
 * created one after another in a folder share that sector's one write. Close
 * does not write; sync (or flush) does.
 *
 * Card requests: file data moves in one request per run of consecutive
 * clusters the caller's buffer covers (a growing file is allocated
 * contiguously from the next-free hint); creating n files in a directory reads
 * O(n) entries in total when the names are new (SDB_FAT_UNIQUE) and the
 * directory was made by this mount, O(n) per file otherwise (the lookup).
 */
#ifndef SDBOOT_FAT_H
#define SDBOOT_FAT_H

#include <stdbool.h>
#include <stdint.h>
#include "sdboot/blockdev.h"

#define SDB_FAT_NAME_MAX 255 /* bytes of a UTF-8 name, NUL excluded */
#define SDB_FAT_PATH_MAX 320 /* bytes of a path, NUL excluded */
#define SDB_FAT_MAX_DEPTH 16 /* deepest directory nesting walked by check */

enum sdb_fat_err {
    SDB_FAT_ENOFS = -32,       /* no FAT file system on the device */
    SDB_FAT_ECORRUPT = -33,    /* on-disk structure is inconsistent */
    SDB_FAT_ENOENT = -34,      /* no such file or directory */
    SDB_FAT_EEXIST = -35,      /* name exists already */
    SDB_FAT_ENOTDIR = -36,     /* a path component is not a directory */
    SDB_FAT_EISDIR = -37,      /* is a directory */
    SDB_FAT_ENOTEMPTY = -38,   /* directory not empty */
    SDB_FAT_ENOSPC = -39,      /* no free cluster */
    SDB_FAT_EDIRFULL = -40,    /* FAT12/16 root directory has no free entry */
    SDB_FAT_ENAME = -41,       /* name empty, too long or has characters FAT refuses */
    SDB_FAT_EPATH = -42,       /* path not absolute or too long */
    SDB_FAT_EACCES = -43,      /* file not opened for this access, or read-only entry */
    SDB_FAT_EFBIG = -44,       /* file would exceed 4 GiB - 1 */
    SDB_FAT_EROFS = -45,       /* volume mounted read-only */
    SDB_FAT_ELOOP = -46,       /* cluster chain or directory cycle */
    SDB_FAT_ENOFIT = -47,      /* mkfs: the requested type does not fit the size */
    SDB_FAT_ENOTINPLACE = -48, /* rename_inplace: the new name does not fit the old slots */
    SDB_FAT_EALIGN = -49,      /* overwrite_sector: offset not sector-aligned or past EOF */
    SDB_FAT_EBUSY = -50,       /* rmdir/rename of the root, or a directory into itself */
    SDB_FAT_EDEPTH = -51,      /* directory nesting deeper than SDB_FAT_MAX_DEPTH */
    SDB_FAT_EFAT12 = -52,      /* mount: a FAT12 volume, in a build without FAT12 (SDB_FAT12 0) */
    /* What detection found wrong with a damaged FAT card (sdb_card_info.damage). */
    SDB_FAT_EBOOTSECT = -60, /* FAT traces, but the boot sector is missing or invalid */
    SDB_FAT_EGEOMETRY = -61, /* the boot sector does not match the FAT and directories */
    SDB_FAT_EVOLSIZE = -62,  /* the volume is larger than the card */
    SDB_FAT_EMBR = -63,      /* a FAT volume behind a damaged partition table */
};

enum sdb_card_class {
    SDB_CARD_NONE = 0,        /* no card (the device says no medium) */
    SDB_CARD_IO_ERROR = 1,    /* the card answered with read errors: never format it */
    SDB_CARD_BLANK = 2,       /* all zeros or all ones where a file system would be */
    SDB_CARD_FAT = 3,         /* a FAT volume that mounts */
    SDB_CARD_OTHER_FS = 4,    /* another file system, or content with no FAT sign */
    SDB_CARD_DAMAGED_FAT = 5, /* FAT signs, but it does not mount as it is: never formatted */
};

enum sdb_card_mend {
    SDB_MEND_NONE = 0,
    SDB_MEND_BACKUP = 1, /* copy the FAT32 backup boot sector over the damaged one */
};

/* What sdb_fat_probe found, and why. */
struct sdb_card_info {
    enum sdb_card_class cls;
    int damage;              /* DAMAGED_FAT: SDB_FAT_EBOOTSECT/EGEOMETRY/EVOLSIZE/EMBR;
                                NONE/IO_ERROR: the device's error */
    enum sdb_card_mend mend; /* DAMAGED_FAT: the safe mend, or SDB_MEND_NONE */
    uint32_t vol_lba;        /* FAT, DAMAGED_FAT: first sector of the volume */
    uint32_t vol_sectors;    /* sectors its (usable) boot sector claims; 0 unknown */
    uint32_t mend_from;      /* SDB_MEND_BACKUP: sector of the backup boot sector */
    uint8_t type;            /* 12, 16 or 32 when a boot sector says; else 0 */
    const char *foreign;     /* OTHER_FS: "exFAT", "NTFS", ...; NULL = unrecognised */
};

/* Sector cache: FAT sectors and directory (and other metadata) sectors each have
 * their own slots, so a directory walk never evicts the FAT sector an
 * allocation is filling, and the reverse. Sizes are compile-time; each slot is
 * one sector of RAM. */
#ifndef SDB_FAT_CACHE_FAT
#define SDB_FAT_CACHE_FAT 1 /* FAT sectors (write-back, flushed in the order changed) */
#endif
#ifndef SDB_FAT_CACHE_DIR
#define SDB_FAT_CACHE_DIR                                                                          \
    1 /* directory/boot/FSInfo sectors (one change may wait: new entries, sizes) */
#endif
#ifndef SDB_FAT_WALK_PATH
/* Longest folder path whose first cluster the driver remembers after a lookup
 * (the folder the installer fills), so n files in it walk the path once. */
#define SDB_FAT_WALK_PATH 64
#endif
#ifndef SDB_FAT_DIR_HINTS
#define SDB_FAT_DIR_HINTS 4 /* directories whose position and free end are remembered */
#endif
#define SDB_FAT_CACHE_SLOTS (SDB_FAT_CACHE_FAT + SDB_FAT_CACHE_DIR)
/* SDB_FAT_MKFS 0 builds a driver without its formatter (about 1.7 KiB of
 * flash on Cortex-M4): sdb_fat_mkfs returns SDB_E_NOTSUP, so a boot engine
 * never formats a card (a blank or foreign card takes the no-card path,
 * docs/boot.md). For a device whose cards are formatted before they reach it. */
#ifndef SDB_FAT_MKFS
#define SDB_FAT_MKFS 1
#endif
/* SDB_FAT_CARD_SEARCH 0 leaves out the card classifier's searches for what
 * a formatter must not destroy (another file system, a FAT whose boot sector
 * or partition table is gone; fat_detect.c): about 0.4 KiB. Only allowed
 * without the formatter, which relies on them (invariant: a card is never
 * formatted over a file system). */
#ifndef SDB_FAT_CARD_SEARCH
#define SDB_FAT_CARD_SEARCH SDB_FAT_MKFS
#endif
#if SDB_FAT_MKFS && !SDB_FAT_CARD_SEARCH
#error "SDB_FAT_MKFS needs SDB_FAT_CARD_SEARCH: a formatter must know what it would destroy"
#endif
/* SDB_FAT_PROBE_DETAIL 0 keeps of the card classifier only what a device
 * without the formatter acts on (fat_detect.c; about 0.9 KiB): sdb_fat_probe
 * judges the one volume sdb_fat_mount would use (the boot sector at sector 0,
 * else the first FAT partition of an MBR) with every check of its FATs,
 * directories and size, and says FAT (mount it), damaged FAT (that boot
 * sector fails a check, or the partition lies past the card's end: untouched), blank
 * (sector 0 all zeros or all ones) or another file system (anything else:
 * untouched); no card and read errors as always. Left out: the other
 * partitions (a FAT behind a non-FAT partition type), the FAT signs of a
 * sector 0 that no longer parses, the FAT32 backup boot sector (not read: a
 * primary that passes every check is the one the mount uses, whatever the
 * backup says), the mend (never proposed: a FAT32 card whose backup boot
 * sector would mend it stays damaged and untouched, and sdb_fat_mend returns
 * SDB_FAT_ENOFS, writing nothing) and the searches of
 * SDB_FAT_CARD_SEARCH. Only allowed without those searches (so without the
 * formatter, which needs the detail). */
#ifndef SDB_FAT_PROBE_DETAIL
#define SDB_FAT_PROBE_DETAIL 1
#endif
#if SDB_FAT_CARD_SEARCH && !SDB_FAT_PROBE_DETAIL
#error "SDB_FAT_CARD_SEARCH needs SDB_FAT_PROBE_DETAIL: the searches are part of the detailed probe"
#endif
/* SDB_FAT12 0 builds a driver for FAT16 and FAT32 volumes only (about 0.2 KiB
 * of flash on Cortex-M4): every FAT entry then lies whole in one sector, with
 * no 12-bit entries straddling two. SD cards ship FAT16 (SDSC) or FAT32
 * (SDHC); FAT12 is a volume of under 4085 clusters (a card of a few MiB, or
 * one formatted so on purpose). sdb_fat_probe still classes a FAT12 card as
 * FAT (it judges it as always), but sdb_fat_mount refuses it with
 * SDB_FAT_EFAT12 having read only its boot sector, so a boot engine leaves it
 * untouched and takes the no-card path with that code. Only allowed without
 * the formatter, which makes FAT12 on small cards. */
#ifndef SDB_FAT12
#define SDB_FAT12 1
#endif
#if SDB_FAT_MKFS && !SDB_FAT12
#error "SDB_FAT12 0 needs SDB_FAT_MKFS 0: the formatter makes FAT12 volumes on small cards"
#endif
/* Zeroing (a new directory's cluster, mkfs's FATs and root) writes a constant
 * zero buffer of SDB_FAT_ZERO_SECTORS sectors per request: flash, not RAM. A
 * bootloader short of flash takes 1 (512 B instead of 4 KiB; the same sectors
 * written, in more requests), or 0 without the formatter: no constant at all,
 * a new directory's cluster is zeroed from a sector on the stack (512 B of
 * stack while it runs; the same sectors and requests as 1). */
#ifndef SDB_FAT_ZERO_SECTORS
#define SDB_FAT_ZERO_SECTORS 8
#endif
#if SDB_FAT_MKFS && !SDB_FAT_ZERO_SECTORS
#error "SDB_FAT_ZERO_SECTORS 0 needs SDB_FAT_MKFS 0: mkfs zeroes its FATs from the constant"
#endif

struct sdb_fat_cache_slot {
    uint32_t lba;   /* 0xFFFFFFFF = empty */
    uint32_t used;  /* last use, for LRU */
    uint32_t dirty; /* 0 = clean, else the order in which it was first changed */
};

/* What the driver remembers about a directory it walked or created into, so
 * that n creations cost O(n) entry reads in total. Dropped when anything the
 * hint relies on may have changed (free of its chain, check, an error). */
struct sdb_fat_dir_hint {
    uint32_t dclus;     /* directory (0 = FAT12/16 fixed root) */
    uint32_t pos_index; /* a cluster of its chain: index ... */
    uint32_t pos_clus;  /* ... and number, to walk on from instead of its start */
    uint32_t end;       /* slots from here on are all end-of-directory (UINT32_MAX: unknown) */
    uint32_t low;       /* slots below this are all free (nothing live before it) */
    uint32_t used;      /* last use, for LRU */
    bool valid;
    bool fresh; /* made by this mount and every entry since made through the hint */
};

struct sdb_fat_vol {
    sdb_bd_t *bd;
    uint8_t type; /* 12, 16 or 32 */
    bool read_only;
    uint8_t sec_per_clus; /* sectors per cluster */
    uint8_t nfats;
    bool fsinfo_dirty;
    uint8_t win_slot; /* vol->win is cache[win_slot] (below) */
    uint32_t vol_lba; /* first sector of the volume (partition start) */
    uint32_t vol_sectors;
    uint32_t fat_lba;      /* first FAT */
    uint32_t fat_sectors;  /* sectors per FAT */
    uint32_t root_lba;     /* FAT12/16: fixed root directory */
    uint32_t root_sectors; /* FAT12/16: its size (0 on FAT32) */
    uint32_t root_clus;    /* FAT32: first cluster of the root */
    uint32_t data_lba;     /* cluster 2 */
    uint32_t nclusters;    /* data clusters: valid numbers are 2 .. nclusters+1 */
    uint32_t fsinfo_lba;   /* FAT32: 0 when none */
    uint32_t free_count;   /* free clusters, 0xFFFFFFFF = unknown */
    uint32_t next_free;    /* allocation hint (FSInfo on FAT32, RAM otherwise) */
    /* The sector the driver works on: win points into cache[] at slot win_slot. */
    uint8_t *win;
    uint32_t clock; /* use counter for LRU, and the change order of dirty slots */
    /* Clusters run_first .. run_first + run_len - 1 each link to the next
     * one (learnt from a FAT sector a chain walk loaded, dropped by any change
     * inside it): walking a contiguous file needs its FAT sector once, not
     * once per read, so it does not evict the sector allocations fill. */
    uint32_t run_first, run_len;
    struct sdb_fat_cache_slot slot[SDB_FAT_CACHE_SLOTS];
    struct sdb_fat_dir_hint hint[SDB_FAT_DIR_HINTS];
    /* The folder the last parent lookup resolved: path (walk_len bytes, 0 =
     * none) and first cluster. Dropped with the hints and on every rename. */
    uint32_t walk_clus;
    uint8_t walk_len;
    char walk_path[SDB_FAT_WALK_PATH];
    uint8_t cache[SDB_FAT_CACHE_SLOTS][SDB_SECTOR_SIZE];
};

enum sdb_fat_open_flags {
    SDB_FAT_READ = 1u << 0,
    SDB_FAT_WRITE = 1u << 1,
    SDB_FAT_CREATE = 1u << 2, /* create when missing */
    SDB_FAT_TRUNC = 1u << 3,  /* truncate to 0 on open */
    SDB_FAT_APPEND = 1u << 4, /* every write goes to the end */
    SDB_FAT_EXCL = 1u << 5,   /* with CREATE: fail with EEXIST if it exists */
    /* With CREATE|EXCL: the caller promises the name is not in its directory
     * (it made the directory during this mount and never gives one name twice,
     * as the installer does with names the tar reader checked for duplicates).
     * In a directory made by this mount the driver then skips the lookup; in
     * any other it looks the name up as usual. */
    SDB_FAT_UNIQUE = 1u << 6,
};

struct sdb_fat_file {
    struct sdb_fat_vol *vol;
    uint32_t entry_lba; /* sector holding the 8.3 entry */
    uint16_t entry_off; /* byte offset of the 8.3 entry in that sector */
    uint8_t flags;
    bool entry_dirty; /* size or first cluster changed since the last write of the entry */
    uint32_t first_clus;
    uint32_t size;
    uint32_t pos;
    uint32_t clus;       /* cluster holding pos (0 = not yet walked) */
    uint32_t clus_index; /* its index in the chain */
};

struct sdb_fat_dir {
    struct sdb_fat_vol *vol;
    uint32_t first_clus; /* 0 = FAT12/16 fixed root */
    uint32_t index;      /* next entry slot */
};

struct sdb_fat_stat {
    uint32_t size;
    uint32_t first_clus;
    uint8_t attr;
    bool is_dir;
};

struct sdb_fat_dirent {
    char name[SDB_FAT_NAME_MAX + 1]; /* long name, or the 8.3 name when it has none */
    char short_name[13];             /* "NAME.EXT" */
    struct sdb_fat_stat st;
};

struct sdb_mkfs_opts {
    /* 0 = choose as SD cards ship (SD Association's File System Specification,
     * docs/card-layout.md): FAT12/16 with 8-32 KiB clusters up to 2 GiB, FAT32
     * with 32 KiB clusters above, data area on an erase-block boundary.
     * 12/16/32 = that type, with clusters chosen like mkfs.fat. */
    uint8_t type;
    uint8_t sec_per_clus; /* 0 = choose (see type) */
    uint32_t volume_id;   /* serial number written to the boot sector */
    char label[12];       /* up to 11 characters; "" = "NO NAME" */
    uint32_t hidden;      /* sectors before the volume on the card (its partition's start) */
};

struct sdb_fat_check_report {
    uint32_t lost_clusters;    /* allocated but used by nothing: freed */
    uint32_t cross_links;      /* entries sharing clusters: later entry cut or removed */
    uint32_t chains_truncated; /* chain longer than the size, looped, or invalid */
    uint32_t sizes_fixed;      /* size larger than the chain: shrunk to it */
    uint32_t orphan_lfn;       /* long-name parts without their 8.3 entry: removed */
    uint32_t bad_entries;      /* entries pointing outside the volume: removed */
    uint32_t fat_copies_fixed; /* FAT sectors that differed from FAT 1: rewritten */
    uint32_t fsinfo_fixed;     /* FSInfo free count / hint corrected */
    uint32_t files, dirs;      /* what the walk saw */
    uint32_t left_alone;       /* problems in entries the caller does not own: not changed */
};

/* Who owns what, for a repair that may change only what its caller owns. */
struct sdb_fat_check_opts {
    /* True when the caller owns `path` (absolute): only owned entries are cut,
     * shrunk or removed, and a cluster shared with an entry it does not own
     * stays with that entry. NULL: everything is owned (a plain fsck). */
    bool (*owned)(void *ctx, const char *path, bool is_dir);
    /* Told about each problem found in an entry, by path; `fixed` says whether
     * it was changed (repair of an owned entry) or left as it was; `what` says
     * what it was ("" in a build with SDB_ERROR_MESSAGES 0). May be NULL. */
    void (*note)(void *ctx, const char *path, const char *what, bool fixed);
    void *ctx;
    /* Optional scratch the check may overwrite (NULL: none): the FAT-wide scans
     * (FAT copies compared, lost-cluster sweep) read whole sectors into it, up
     * to scan_bytes / 512 a request, instead of one sector a request. */
    uint8_t *scan;
    uint32_t scan_bytes;
    /* Chains only (read-only checks; SDB_E_INVAL with repair): walk the tree
     * and every chain it names (cross-links, broken or overlong chains, bad
     * entries, sizes) but skip the FAT-wide scans (copies compared, lost
     * clusters swept, FSInfo recounted), and walk a window of clusters again
     * only when an owned chain reaches into it. The boot's guard before it
     * frees a chain of its own asks this: what it skips protects nothing a
     * delete depends on (POWERLOSS.md, "When the FAT-wide scans run"). */
    bool chains_only;
};

/*
 * Contracts. Every function returns SDB_OK or a negative code. Common to all:
 * SDB_E_INVAL for a NULL or unusable argument (a caller bug); block device
 * errors (SDB_BD_EIO, SDB_BD_ENOMEDIUM, SDB_BD_EPOWER...) pass up unchanged and
 * leave what "power cut" says; every path argument may also give
 * SDB_FAT_EPATH, SDB_FAT_ENAME, SDB_FAT_ENOENT (a component is missing),
 * SDB_FAT_ENOTDIR, SDB_FAT_ECORRUPT or SDB_FAT_ELOOP (a hostile card). Every
 * writing call gives SDB_FAT_EROFS on a read-only mount, writing nothing.
 * "Power cut" says what a cut during the call leaves on the card; what
 * sdb_fat_check(repair) then fixes is in POWERLOSS.md.
 */

/* ---- detection, mkfs, mount ---- */

/* Classify what the device holds, reading only (fat_detect.c has the rules).
 * SDB_OK with info filled for every class (I/O errors are a class, not a
 * failure); an error only for a bad argument (SDB_E_INVAL). */
int sdb_fat_probe(sdb_bd_t *bd, struct sdb_card_info *info);
/* sdb_fat_probe, the class only. */
int sdb_fat_detect(sdb_bd_t *bd, enum sdb_card_class *cls);
/* Apply info->mend (one sector write, then sync); SDB_FAT_ENOFS when it has
 * none (always, writing nothing, in a build with SDB_FAT_PROBE_DETAIL 0).
 * Power cut: the damaged boot sector or the mended one. */
int sdb_fat_mend(sdb_bd_t *bd, const struct sdb_card_info *info);
const char *sdb_card_class_name(enum sdb_card_class cls);
/* Lay out an empty FAT volume over the whole device (superfloppy, as
 * mkfs.fat). SDB_FAT_ENOFIT when the requested type or cluster size cannot
 * fit the device; SDB_E_NOTSUP, writing nothing, in a build with
 * SDB_FAT_MKFS 0. Power cut: the old boot sector is invalidated first and the
 * new one written last, so a cut leaves a card that does not mount as FAT,
 * never a half volume that does. */
int sdb_fat_mkfs(sdb_bd_t *bd, const struct sdb_mkfs_opts *opts);
/* Mount the superfloppy volume or the first FAT partition of an MBR.
 * SDB_FAT_ENOFS when there is none, SDB_FAT_EFAT12 for a FAT12 volume in a
 * build without FAT12 (SDB_FAT12 0); reads only. */
int sdb_fat_mount(struct sdb_fat_vol *vol, sdb_bd_t *bd, bool read_only);
/* Write pending FAT and directory changes and FSInfo, then sync the device: everything
 * before this call is on the card when it returns SDB_OK. The volume stays
 * usable. Power cut: the FSInfo count may be stale (check fixes it). */
int sdb_fat_sync(struct sdb_fat_vol *vol);
/* sdb_fat_sync, then forget the volume (files must be closed first). */
int sdb_fat_unmount(struct sdb_fat_vol *vol);
/* Free clusters (counted once when FSInfo has no valid count). Reads only. */
int sdb_fat_free_clusters(struct sdb_fat_vol *vol, uint32_t *free_clusters);
/* Write pending changes, then forget every cached sector and directory hint:
 * for a caller that changed the card behind the driver's back (tests). */
int sdb_fat_invalidate(struct sdb_fat_vol *vol);
static inline uint32_t sdb_fat_cluster_bytes(const struct sdb_fat_vol *vol)
{
    return (uint32_t)vol->sec_per_clus * SDB_SECTOR_SIZE;
}

/* ---- files ---- */

/* Open (SDB_FAT_READ/WRITE/CREATE/TRUNC/APPEND/EXCL). SDB_FAT_EISDIR for a
 * directory, SDB_FAT_EEXIST with EXCL, SDB_FAT_EACCES to write a read-only
 * entry, SDB_FAT_ENOSPC / SDB_FAT_EDIRFULL when the entry cannot be created.
 * Power cut while creating: no entry, or an empty file, or orphaned long-name
 * parts; with TRUNC: the old content or an empty file (lost clusters). */
int sdb_fat_open(struct sdb_fat_vol *vol, struct sdb_fat_file *f, const char *path, unsigned flags);
/* Read from the position; *got < n only at end of file. SDB_FAT_EACCES when
 * not opened for reading, SDB_FAT_ECORRUPT when the chain is shorter than the
 * size. Reads only. */
int sdb_fat_read(struct sdb_fat_file *f, void *buf, uint32_t n, uint32_t *got);
/* Write at the position (the end with APPEND), growing the file. SDB_FAT_EACCES
 * when not opened for writing, SDB_FAT_EFBIG past 4 GiB - 1, SDB_FAT_ENOSPC
 * when the card is full (what fitted is written; f's size says how much).
 * Power cut: data past the last flushed size is lost (lost clusters at worst);
 * the file keeps its last flushed size and content up to it. */
int sdb_fat_write(struct sdb_fat_file *f, const void *buf, uint32_t n);
/* sdb_fat_write for a caller whose buffer holds `slack` more readable bytes
 * after buf[n) (the installer: the tar padding after a file's data). A last
 * partial sector past the file's end goes out whole from them, in the same
 * request as the sectors before it, instead of through the cache; the bytes
 * after n land past the file's size, where nothing reads them. */
int sdb_fat_write_slack(struct sdb_fat_file *f, const void *buf, uint32_t n, uint32_t slack);
/* Seek within [0, size]; SDB_E_INVAL beyond. No I/O until the next read/write. */
int sdb_fat_seek(struct sdb_fat_file *f, uint32_t pos);
static inline uint32_t sdb_fat_tell(const struct sdb_fat_file *f)
{
    return f->pos;
}
static inline uint32_t sdb_fat_size(const struct sdb_fat_file *f)
{
    return f->size;
}
/* Shrink (or keep) the file to `size` bytes; growing is done by writing.
 * SDB_FAT_EACCES when not writable. Power cut: the old size or the new one;
 * clusters cut off may be lost (check frees them). */
int sdb_fat_truncate(struct sdb_fat_file *f, uint32_t size);
/* Write the directory entry if it changed (size, first cluster, time), with
 * every change pending before it (FAT sectors, the one directory sector the
 * cache holds). After it, a cut keeps everything written so far. */
int sdb_fat_flush(struct sdb_fat_file *f);
/* Forget the file (also on error: never use f again), its entry updated in
 * the cache: on the card at the next sdb_fat_sync, flush, barrier of another
 * operation, or when the cache needs its slot. A cut before that leaves the
 * file as it was before it was opened (a new one absent: its clusters lost,
 * freed by check). */
int sdb_fat_close(struct sdb_fat_file *f);

/* ---- names ---- */

/* Entry of a path (the root too). Reads only. */
int sdb_fat_stat(struct sdb_fat_vol *vol, const char *path, struct sdb_fat_stat *st);
/* Iterate a directory: SDB_FAT_ENOTDIR for a file. Reads only. */
int sdb_fat_opendir(struct sdb_fat_vol *vol, struct sdb_fat_dir *d, const char *path);
/* SDB_OK with an entry, SDB_FAT_ENOENT at the end. Skips "." and "..". */
int sdb_fat_readdir(struct sdb_fat_dir *d, struct sdb_fat_dirent *ent);
/* Create a directory (the parent must exist). SDB_FAT_EEXIST, SDB_FAT_ENOSPC,
 * SDB_FAT_EDIRFULL. Power cut: no directory, or a complete empty one; at worst
 * a lost cluster or orphaned long-name parts. */
int sdb_fat_mkdir(struct sdb_fat_vol *vol, const char *path);
/* Remove an empty directory. SDB_FAT_ENOTEMPTY, SDB_FAT_EBUSY for the root,
 * SDB_FAT_ENOTDIR for a file. Power cut: the directory, or none (lost cluster). */
int sdb_fat_rmdir(struct sdb_fat_vol *vol, const char *path);
/* Remove a file. SDB_FAT_EISDIR for a directory, SDB_FAT_EACCES for a
 * read-only entry. The entry goes before its chain is freed, so a cut leaves
 * the file or lost clusters, never a name on freed clusters. */
int sdb_fat_unlink(struct sdb_fat_vol *vol, const char *path);
/* Move a file or directory. With `replace`, an existing file `to` is replaced
 * (never a directory: SDB_FAT_EISDIR); without, SDB_FAT_EEXIST. SDB_FAT_EBUSY
 * for the root or a directory into itself. The new entry is written before the
 * old one is removed: a cut in between leaves two names for one chain
 * (sdb_fat_rename_settle, then check, repairs it). */
int sdb_fat_rename(struct sdb_fat_vol *vol, const char *from, const char *to, bool replace);

/* ---- power-loss primitives for the installer ---- */

/* Finish a rename a power cut interrupted: when both `from` and `to` exist and
 * name the same first cluster, drop the `from` name only (never the data) and,
 * for a directory, point its ".." at its new parent. SDB_OK when there was
 * nothing to do. Callers that rename under a journal run this before check.
 * Power cut: as an unlink of the `from` entry (the data stays under `to`). */
int sdb_fat_rename_settle(struct sdb_fat_vol *vol, const char *from, const char *to);

/* Overwrite 512 bytes of an existing file at a 512-aligned offset inside its
 * size: exactly one sector write, no FAT or directory write. SDB_FAT_EALIGN
 * for an unaligned offset or one past the end, SDB_FAT_EACCES when not
 * writable. Power cut: the old sector, the new one, or a torn mix (the boot
 * state records detect that with their CRC). */
int sdb_fat_overwrite_sector(struct sdb_fat_file *f, uint32_t offset,
                             const uint8_t data[SDB_SECTOR_SIZE]);
/* Rename `dir_path`/`old_name` to `new_name` in the same directory by rewriting
 * its entries in place, in one sector write. SDB_FAT_ENOTINPLACE when the new
 * name needs other slots (a different number of long-name parts, or the slots
 * cross a sector boundary); the volume is then unchanged. SDB_FAT_EEXIST when
 * new_name exists. Power cut: the old name or the new one. Not used by the
 * boot engine (its records are rewritten in place instead); kept as the
 * atomic-rename primitive for a journal that needs one. */
int sdb_fat_rename_inplace(struct sdb_fat_vol *vol, const char *dir_path, const char *old_name,
                           const char *new_name);

/* ---- check and repair ---- */

/* Walk the whole volume; with `repair`, fix what a power cut can leave behind
 * (see sdb_fat_check_report). `bitmap` is a caller buffer for cluster marks:
 * with fewer than nclusters/8 bytes the check runs in several passes. Without
 * `repair` nothing is written. Returns SDB_OK when the volume is (now) clean,
 * SDB_FAT_ECORRUPT when problems remain (always, in read-only mode, when any
 * were found), or an I/O error. Bounded: never loops on a hostile card. */
/* Power cut during a repair: a state a second check repairs (tested). */
int sdb_fat_check(struct sdb_fat_vol *vol, bool repair, uint8_t *bitmap, uint32_t bitmap_bytes,
                  struct sdb_fat_check_report *report);
/* sdb_fat_check with ownership (see sdb_fat_check_opts): walks the tree twice
 * per pass. With repair, SDB_OK even when problems in entries the caller does
 * not own remain (report->left_alone counts them). */
int sdb_fat_check_owned(struct sdb_fat_vol *vol, bool repair, uint8_t *bitmap,
                        uint32_t bitmap_bytes, const struct sdb_fat_check_opts *opts,
                        struct sdb_fat_check_report *report);

#endif
