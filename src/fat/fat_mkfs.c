/*
 * mkfs: lays out an empty FAT volume over the whole device. Without a forced
 * type, as SD cards ship (the SD Association's File System Specification,
 * docs/card-layout.md): cluster size and erase-block boundary by capacity, the
 * FAT type that cluster count needs, the data area on a boundary counted from
 * the card's first sector (opts.hidden). With a forced type, as mkfs.fat does:
 * its cluster size, data area aligned to the cluster. Two FATs, FSInfo and a
 * backup boot sector on FAT32.
 * The result depends only on the device size and the options (reproducible).
 * Write order: FATs and root directory first, boot sector last, so a cut
 * during mkfs leaves a card without a valid boot sector (detected as blank or
 * foreign, formatted again), never a half-made volume that mounts.
 * SDB_FAT_MKFS 0 (sdboot/fat.h) leaves only a refusal: SDB_E_NOTSUP, nothing written.
 */
#include "fat_internal.h"

#if SDB_FAT_MKFS

struct layout {
    uint8_t type, spc;
    uint32_t total, reserved, fatsz, root_entries, root_secs, nclus;
    uint32_t align, hidden; /* data area at a multiple of align from the card's start */
};

/* SD Association layout by capacity: sectors per cluster and boundary unit. */
struct sd_row {
    uint32_t max_mib;
    uint8_t spc;
    uint32_t boundary;
};
static const struct sd_row sd_rows[] = {
    {8, 16, 16},            /* up to 8 MB: 8 KiB clusters */
    {64, 32, 32},           /* up to 64 MB: 16 KiB */
    {256, 32, 64},          /* up to 256 MB: 16 KiB */
    {1024, 32, 128},        /* up to 1 GB: 16 KiB */
    {2048, 64, 128},        /* up to 2 GB: 32 KiB */
    {UINT32_MAX, 64, 8192}, /* SDHC: FAT32, 32 KiB clusters, 4 MiB boundary */
};

static const struct sd_row *sd_row_for(uint32_t total)
{
    uint64_t mib = (uint64_t)total * SDB_SECTOR_SIZE >> 20;
    size_t i = 0;
    while (mib > sd_rows[i].max_mib)
        i++;
    return &sd_rows[i];
}

/* The FAT type a cluster count needs. */
static uint8_t type_for_count(uint32_t nclus)
{
    return nclus < 4085 ? 12 : nclus < 65525 ? 16 : 32;
}

static uint8_t default_spc(uint8_t type, uint32_t total)
{
    uint64_t mib = (uint64_t)total * SDB_SECTOR_SIZE >> 20;
    if (type == 32)
        return mib <= 260 ? 1 : mib <= 8192 ? 8 : mib <= 16384 ? 16 : mib <= 32768 ? 32 : 64;
    if (type == 16)
        return mib <= 16     ? 2
               : mib <= 128  ? 4
               : mib <= 256  ? 8
               : mib <= 512  ? 16
               : mib <= 1024 ? 32
                             : 64;
    uint8_t spc = 1; /* FAT12: the smallest cluster that keeps the count legal */
    while (spc < 64 && total / spc >= 4085)
        spc <<= 1;
    return spc;
}

static bool count_fits(uint8_t type, uint32_t nclus)
{
    return type == 12   ? nclus >= 1 && nclus < 4085
           : type == 16 ? nclus >= 4085 && nclus < 65525
                        : nclus >= 65525 && nclus < 0x0FFFFFF5;
}

/* Size the FATs and pad the reserved area until the data area is aligned. */
static bool compute_layout(struct layout *l)
{
    unsigned bits = l->type == 12 ? 12 : l->type;
    l->reserved = l->type == 32 ? 32 : 1;
    l->root_entries = l->type == 32 ? 0 : l->total < 8192 ? 224 : 512;
    l->root_secs = l->root_entries * ENTRY_SIZE / SDB_SECTOR_SIZE;
    for (int round = 0; round < 8; round++) {
        l->fatsz = 1;
        for (int i = 0; i < 16; i++) {
            uint64_t meta = l->reserved + 2ull * l->fatsz + l->root_secs;
            if (meta >= l->total)
                return false;
            l->nclus = (l->total - (uint32_t)meta) / l->spc;
            uint64_t bytes = ((uint64_t)l->nclus + 2) * bits / 8 + 1;
            uint32_t need = (uint32_t)((bytes + SDB_SECTOR_SIZE - 1) / SDB_SECTOR_SIZE);
            if (need <= l->fatsz)
                break;
            l->fatsz = need;
        }
        uint32_t meta = l->reserved + 2 * l->fatsz + l->root_secs,
                 at = (l->hidden + meta) % l->align;
        if (at == 0)
            return count_fits(l->type, l->nclus);
        l->reserved += l->align - at;
    }
    return false;
}

static void put_label(uint8_t *dst, const char *label)
{
    memset(dst, ' ', 11);
    const char *src = label && label[0] ? label : "NO NAME";
    for (size_t i = 0; i < 11 && src[i]; i++)
        dst[i] = (uint8_t)(src[i] >= 'a' && src[i] <= 'z' ? src[i] - 32 : src[i]);
}

static void build_boot_sector(uint8_t *bs, const struct layout *l, const struct sdb_mkfs_opts *o)
{
    memset(bs, 0, SDB_SECTOR_SIZE);
    bool f32 = l->type == 32;
    bs[0] = 0xEB;
    bs[1] = f32 ? 0x58 : 0x3C;
    bs[2] = 0x90;
    memcpy(bs + 3, "SDBOOT  ", 8);
    wr16(bs + 11, SDB_SECTOR_SIZE);
    bs[13] = l->spc;
    wr16(bs + 14, (uint16_t)l->reserved);
    bs[16] = 2;
    wr16(bs + 17, (uint16_t)l->root_entries);
    if (l->total < 65536 && !f32)
        wr16(bs + 19, (uint16_t)l->total);
    else
        wr32(bs + 32, l->total);
    bs[21] = 0xF8;
    if (!f32)
        wr16(bs + 22, (uint16_t)l->fatsz);
    wr16(bs + 24, 32); /* sectors per track: CHS geometry nobody uses */
    wr16(bs + 26, 64); /* heads */
    wr32(bs + 28, l->hidden);
    uint8_t *ext = bs + (f32 ? 64 : 36);
    if (f32) {
        wr32(bs + 36, l->fatsz);
        wr32(bs + 44, 2); /* root cluster */
        wr16(bs + 48, 1); /* FSInfo sector */
        wr16(bs + 50, 6); /* backup boot sector */
    }
    ext[0] = 0x80;
    ext[2] = 0x29;
    wr32(ext + 3, o->volume_id);
    put_label(ext + 7, o->label);
    memcpy(ext + 18, l->type == 12 ? "FAT12   " : l->type == 16 ? "FAT16   " : "FAT32   ", 8);
    /* Boot code: print nothing, halt. A card is never booted by a PC BIOS. */
    uint8_t *code = bs + (f32 ? 90 : 62);
    code[0] = 0xF4; /* hlt */
    code[1] = 0xEB; /* jmp back to hlt */
    code[2] = 0xFD;
    sdb_put_boot_sig(bs);
}

static void build_fsinfo(uint8_t *s, uint32_t free_count)
{
    memset(s, 0, SDB_SECTOR_SIZE);
    wr32(s, SDB_FSINFO_LEAD_SIG);
    wr32(s + SDB_FSINFO_STRUC_AT, SDB_FSINFO_STRUC_SIG);
    wr32(s + SDB_FSINFO_FREE_AT, free_count);
    wr32(s + SDB_FSINFO_NEXT_AT, 3);
    wr32(s + SDB_FSINFO_TRAIL_AT, SDB_FSINFO_TRAIL_SIG);
}

static int write_fats(sdb_bd_t *bd, const struct layout *l)
{
    uint8_t s[SDB_SECTOR_SIZE];
    int err;
    for (int copy = 0; copy < 2; copy++) {
        uint32_t fat = l->reserved + copy * l->fatsz;
        if ((err = fat_zero_sectors(bd, fat + 1, l->fatsz - 1)))
            return err;
        memset(s, 0, sizeof s);
        if (l->type == 12) {
            s[0] = 0xF8, s[1] = 0xFF, s[2] = 0xFF;
        } else if (l->type == 16) {
            wr16(s, 0xFFF8), wr16(s + 2, 0xFFFF);
        } else {
            wr32(s, 0x0FFFFFF8), wr32(s + 4, 0x0FFFFFFF), wr32(s + 8, 0x0FFFFFFF);
        }
        if ((err = sdb_bd_write(bd, fat, 1, s)))
            return err;
    }
    return SDB_OK;
}

/* Forced type: mkfs.fat's cluster size (halved while the count is illegal). */
static bool forced_layout(struct layout *l, const struct sdb_mkfs_opts *o)
{
    l->type = o->type;
    l->spc = o->sec_per_clus ? o->sec_per_clus : default_spc(l->type, l->total);
    l->align = l->spc;
    if (compute_layout(l))
        return true;
    while (!o->sec_per_clus && l->spc > 1) {
        l->spc >>= 1;
        l->align = l->spc;
        if (compute_layout(l))
            return true;
    }
    return false;
}

/* SD layout: the row's cluster size (or the caller's), the type its cluster
 * count needs (FAT32 always above 2 GB, as SDHC cards), the row's boundary.
 * A volume too small for its row's cluster size takes smaller clusters. */
static bool sd_layout(struct layout *l, uint8_t spc)
{
    const struct sd_row *row = sd_row_for(l->total);
    l->spc = spc ? spc : row->spc;
    for (;;) {
        l->align = row->boundary > l->spc ? row->boundary : l->spc;
        uint32_t guess = l->total / l->spc;
        l->type = row->max_mib == UINT32_MAX ? 32 : type_for_count(guess);
        /* The count after the metadata may need the other type. */
        for (int tries = 0; tries < 2; tries++) {
            if (compute_layout(l))
                return true;
            uint8_t need = type_for_count(l->nclus);
            if (row->max_mib == UINT32_MAX || need == l->type)
                break;
            l->type = need;
        }
        if (spc || l->spc == 1)
            return false;
        l->spc >>= 1;
    }
}

int sdb_fat_mkfs(sdb_bd_t *bd, const struct sdb_mkfs_opts *opts)
{
    static const struct sdb_mkfs_opts defaults;
    if (!bd)
        return SDB_E_INVAL;
    const struct sdb_mkfs_opts *o = opts ? opts : &defaults;
    struct layout l = {.total = bd->sector_count, .hidden = o->hidden};
    if (o->type && o->type != 12 && o->type != 16 && o->type != 32)
        return SDB_E_INVAL;
    if (o->sec_per_clus && (o->sec_per_clus & (o->sec_per_clus - 1)))
        return SDB_E_INVAL;
    if (!o->type && sd_layout(&l, o->sec_per_clus)) {
        /* laid out as SD cards ship */
    } else if (!o->type) {
        return SDB_FAT_ENOFIT;
    } else if (!forced_layout(&l, o)) {
        return SDB_FAT_ENOFIT;
    }
    uint8_t s[SDB_SECTOR_SIZE];
    int err;
    /* Invalidate the old boot sector first: a cut mid-mkfs must not mount. */
    memset(s, 0, sizeof s);
    if ((err = sdb_bd_write(bd, 0, 1, s)))
        return err;
    if ((err = fat_zero_sectors(bd, 1, l.reserved - 1)) || (err = write_fats(bd, &l)))
        return err;
    if ((err = fat_zero_sectors(bd, l.reserved + 2 * l.fatsz,
                                l.root_secs + (l.type == 32 ? l.spc : 0))))
        return err;
    build_boot_sector(s, &l, o);
    if (l.type == 32) {
        uint8_t info[SDB_SECTOR_SIZE];
        build_fsinfo(info, l.nclus - 1);
        if ((err = sdb_bd_write(bd, 1, 1, info)) || (err = sdb_bd_write(bd, 7, 1, info)) ||
            (err = sdb_bd_write(bd, 6, 1, s)))
            return err;
    }
    if ((err = sdb_bd_write(bd, 0, 1, s)))
        return err;
    return sdb_bd_sync(bd);
}

#else

int sdb_fat_mkfs(sdb_bd_t *bd, const struct sdb_mkfs_opts *opts)
{
    (void)bd;
    (void)opts;
    return SDB_E_NOTSUP;
}

#endif
