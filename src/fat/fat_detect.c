/*
 * Card detection: classify what a card holds before anything writes to it.
 *
 * Contract (fat.h, sdb_fat_probe): blank / foreign / FAT / damaged FAT / I/O
 * error / no card. Reads only. A card is FAT only when the boot sector that
 * sdb_fat_mount would use is consistent with the card itself: the FAT starts
 * where the boot sector says (media byte, every copy), nothing FAT-like follows
 * the last copy, the root directory looks like a directory, the root's
 * subdirectories find their "." and ".." where the geometry puts them (one
 * past cluster 2 at least, as only those move with the cluster size), the
 * volume fits on the card, and on FAT32 the boot sector agrees with its backup.
 * Any FAT sign that is left when those fail (a parsable or half-parsable boot
 * sector, the FAT type strings, a FAT-type partition entry, a FAT32 backup boot
 * sector, a FAT signature where a FAT would be) makes the card a damaged FAT,
 * which is never formatted. The one mend detection proposes is copying a
 * FAT32 backup boot sector that passes every check over the damaged one
 * (sdb_fat_mend: one sector write).
 *
 * RAM: no state. Stack: about 3.4 KiB on Cortex-M (-Os): one volume geometry
 * (struct sdb_fat_vol, 1.2 KiB with its unused cache; every parse reuses it)
 * and four sectors (two without the detail).
 * Power loss: probing writes nothing; the mend is one sector write, and a torn
 * mend leaves a boot sector the next probe judges again (the backup is intact).
 * Ownership: reads any sector of the card; writes only in sdb_fat_mend.
 * SDB_FAT_CARD_SEARCH 0 (sdboot/fat.h; only without the formatter) leaves out
 * the searches that tell a card worth keeping from a blank one: another file
 * system's signature, FAT signs where a boot sector is gone, a volume behind a
 * wiped partition table. Such a card is then blank or foreign (never
 * formatted: there is no formatter); a FAT boot sector at sector 0 or in a
 * partition is judged, damaged and mended as always.
 * SDB_FAT_PROBE_DETAIL 0 (only without the searches) keeps only the volume
 * sdb_fat_mount would use: sector 0's boot sector, else the MBR's first FAT
 * partition, judged once with every check above but the FAT32 backup's, and
 * never mended; the backup, other partitions, and the FAT signs of a sector 0
 * that does not parse, are not looked at. A good card is read as with the
 * detail less the FAT32 backup's place (and, without a partition table, the
 * second read of sector 0); stack: two sectors instead of three.
 */
#include "fat_internal.h"

#if SDB_FAT_CARD_SEARCH
/* Where SD cards and formatters put the first partition; probed when sector 0
 * names none (a wiped or damaged partition table). */
static const uint32_t usual_starts[] = {2048, 8192, 32768, 63};
#endif
#define FAT_SIGN_SCAN 64u   /* sectors scanned for a FAT at the start of a volume */
#define SUBDIRS_CHECKED 4u  /* root subdirectories whose dot entries are checked */
#define FAT32_BACKUP_LBA 6u /* where formatters put the FAT32 backup boot sector */

static int read_sector(sdb_bd_t *bd, uint32_t lba, uint8_t *s)
{
    if (lba >= bd->sector_count)
        return SDB_FAT_ENOENT; /* past the card's end: nothing there */
    return sdb_bd_read(bd, lba, 1, s);
}

static bool all_bytes(const uint8_t *s, uint8_t v)
{
    for (unsigned i = 0; i < SDB_SECTOR_SIZE; i++)
        if (s[i] != v)
            return false;
    return true;
}

static bool erased(const uint8_t *s)
{
    return all_bytes(s, 0x00) || all_bytes(s, 0xFF);
}

/* The first bytes of a FAT: the media byte, then all ones. (Media 0xFF is
 * legal but unused; refusing it keeps an erased sector from looking like a FAT.) */
static bool fat_signature(const uint8_t *s, uint8_t media)
{
    return s[0] == media && (media == 0xF0 || (media >= 0xF8 && media != 0xFF)) && s[1] == 0xFF &&
           s[2] == 0xFF;
}

#if SDB_FAT_PROBE_DETAIL
static bool fat_type_string(const uint8_t *bs)
{
    return !memcmp(bs + 54, "FAT12   ", 8) || !memcmp(bs + 54, "FAT16   ", 8) ||
           !memcmp(bs + 54, "FAT     ", 8) || !memcmp(bs + 82, "FAT32   ", 8);
}
#endif

/* ---- is this sector a directory? ---- */

static bool sfn_char_ok(uint8_t c)
{
    static const char bad[] = "\"*+,./:;<=>?[\\]|";
    return c >= 0x20 && !memchr(bad, c, sizeof bad - 1);
}

/* One 32-byte entry of a root directory: 1 plausible, 0 end of directory,
 * -1 not an entry (the root has no "." or ".."; '.' is no 8.3 character). */
static int entry_kind(const uint8_t *e)
{
    if (e[0] == SLOT_END)
        return 0;
    if (e[0] == SLOT_FREE)
        return 1;
    if ((e[11] & 0x3F) == ATTR_LFN)
        return (e[0] & 0x3F) >= 1 && (e[0] & 0x3F) <= MAX_LFN_SLOTS && rd16(e + 26) == 0 ? 1 : -1;
    if (e[11] & 0xC0 || e[0] == ' ' || !(sfn_char_ok(e[0]) || e[0] == 0x05))
        return -1;
    for (int i = 1; i < 11; i++)
        if (!sfn_char_ok(e[i]))
            return -1;
    return 1;
}

/* Most entries of the sector read as root directory entries (one damaged
 * entry does not make a directory something else; data almost never passes). */
static bool root_plausible(const uint8_t *s)
{
    if (s[0] == '.')
        return false; /* a subdirectory */
    unsigned good = 0, bad = 0;
    for (unsigned i = 0; i < ENTRIES_PER_SECTOR; i++) {
        int k = entry_kind(s + i * ENTRY_SIZE);
        if (k == 0)
            break;
        if (k > 0)
            good++;
        else
            bad++;
    }
    return bad == 0 || (good >= 2 && bad * 4 <= good);
}

static bool dot_entries_at(const struct sdb_fat_vol *v, const uint8_t *s, uint32_t clus)
{
    return !memcmp(s, ".          ", 11) && (s[11] & ATTR_DIR) && fat_entry_clus(v, s) == clus &&
           !memcmp(s + ENTRY_SIZE, "..         ", 11) && (s[ENTRY_SIZE + 11] & ATTR_DIR);
}

/* ---- is this boot sector consistent with the card? ---- */

struct judge {
    sdb_bd_t *bd;
    struct sdb_fat_vol v;
    uint8_t s[SDB_SECTOR_SIZE];
};

/* A FAT32 entry (only the root cluster's is needed). */
static int fat32_entry_of(struct judge *j, uint32_t clus, uint32_t *val)
{
    int err = read_sector(j->bd, j->v.fat_lba + clus / (SDB_SECTOR_SIZE / 4), j->s);
    if (err == SDB_OK)
        *val = rd32(j->s + clus % (SDB_SECTOR_SIZE / 4) * 4) & 0x0FFFFFFF;
    return err;
}

static int check_fats(struct judge *j, uint8_t media)
{
    for (uint32_t copy = 0; copy <= j->v.nfats; copy++) {
        int err = read_sector(j->bd, j->v.fat_lba + copy * j->v.fat_sectors, j->s);
        if (err == SDB_FAT_ENOENT)
            return SDB_FAT_EVOLSIZE;
        if (err)
            return err;
        /* Every copy starts with the signature; the sector after the last
         * does not (else the counts or sizes in the boot sector are wrong). */
        if (fat_signature(j->s, media) != (copy < j->v.nfats))
            return SDB_FAT_EGEOMETRY;
    }
    return SDB_OK;
}

/* The root's first sector, and the dot entries of the subdirectories it lists. */
static int check_dirs(struct judge *j)
{
    uint32_t root_lba = j->v.root_lba;
    int err;
    if (j->v.type == 32) {
        uint32_t val;
        if ((err = fat32_entry_of(j, j->v.root_clus, &val)))
            return err == SDB_FAT_ENOENT ? SDB_FAT_EVOLSIZE : err;
        if (val == 0 || val == 0x0FFFFFF7)
            return SDB_FAT_EGEOMETRY; /* the root cluster is free or bad */
        root_lba = fat_clus_lba(&j->v, j->v.root_clus);
    }
    if ((err = read_sector(j->bd, root_lba, j->s)))
        return err == SDB_FAT_ENOENT ? SDB_FAT_EVOLSIZE : err;
    if (!root_plausible(j->s))
        return SDB_FAT_EGEOMETRY;
    uint32_t subdirs[SUBDIRS_CHECKED], n = 0;
    for (unsigned i = 0; i < ENTRIES_PER_SECTOR && n < SUBDIRS_CHECKED; i++) {
        const uint8_t *e = j->s + i * ENTRY_SIZE;
        if (e[0] == SLOT_END)
            break;
        uint32_t c = fat_entry_clus(&j->v, e);
        /* a directory (long-name parts carry the volume bit) */
        if (e[0] != SLOT_FREE && e[0] != '.' && (e[11] & (ATTR_DIR | ATTR_VOLUME)) == ATTR_DIR &&
            fat_valid_clus(&j->v, c))
            subdirs[n++] = c;
    }
    /* Bit 0: any subdirectory; bit 1: those past the first cluster, whose
     * place depends on the cluster size (cluster 2 is the data area's first
     * sector whatever the boot sector says of clusters). */
    unsigned readable = 0, found = 0;
    for (uint32_t i = 0; i < n; i++) {
        unsigned kinds = subdirs[i] > 2 ? 3u : 1u;
        err = read_sector(j->bd, fat_clus_lba(&j->v, subdirs[i]), j->s);
        if (err == SDB_FAT_ENOENT)
            continue; /* past the card's end: judged by the volume size */
        if (err)
            return err;
        readable |= kinds;
        if (dot_entries_at(&j->v, j->s, subdirs[i]))
            found |= kinds;
    }
    /* One damaged directory is the file system's business (check); none of
     * them where the geometry says means the geometry is wrong; so does none
     * of those that move with the cluster size (a changed cluster size would
     * pass on a directory at cluster 2 alone). */
    return readable & ~found ? SDB_FAT_EGEOMETRY : SDB_OK;
}

/* Formatters size the FAT for the clusters (the FAT32 formula of the
 * specification overshoots a little): a FAT far larger than the volume needs
 * means the sector count was misread. */
static bool fat_size_fits(const struct sdb_fat_vol *v)
{
    /* (clusters + 2) * bits / 8 / 512 in 32 bits: bits / 4 is 3, 4 or 8, and
     * no FAT has 2^28 clusters (FAT32's entries are 28 bits) */
    if (v->nclusters >= 0x0FFFFFF6)
        return false;
    uint32_t quarter_bits = v->type == 32 ? 8 : v->type / 4u;
    uint32_t need = (v->nclusters + 2) * quarter_bits / 1024 + 1;
    return v->fat_sectors <= need + need / 16 + 8;
}

/* SDB_OK when the boot sector bs, read at lba, describes the card. */
static int judge_boot_sector(struct judge *j, const uint8_t *bs, uint32_t lba)
{
    if (fat_parse_bpb(&j->v, bs, lba, UINT32_MAX) != SDB_OK)
        return SDB_FAT_EBOOTSECT;
    if (!fat_size_fits(&j->v))
        return SDB_FAT_EGEOMETRY;
    int err = check_fats(j, bs[21]);
    if (err == SDB_OK)
        err = check_dirs(j);
    if (err == SDB_OK &&
        (j->v.vol_sectors > j->bd->sector_count || lba > j->bd->sector_count - j->v.vol_sectors))
        err = SDB_FAT_EVOLSIZE;
    return err;
}

/* ---- probing ---- */

struct probe {
    struct judge j;
    struct sdb_card_info *info;
    uint8_t bs[SDB_SECTOR_SIZE];
#if SDB_FAT_PROBE_DETAIL
    uint8_t backup[SDB_SECTOR_SIZE];
#endif
};

/* Whether bs parses as a boot sector at lba. The geometry is left in p->j.v,
 * the probe's one volume (1.2 KiB with its cache: never a local), valid until
 * the next parse or judge_boot_sector. */
static bool parses_at(struct probe *p, const uint8_t *bs, uint32_t lba)
{
    return fat_parse_bpb(&p->j.v, bs, lba, UINT32_MAX) == SDB_OK;
}

static int io_class(int err, struct sdb_card_info *info)
{
    info->cls = err == SDB_BD_ENOMEDIUM ? SDB_CARD_NONE : SDB_CARD_IO_ERROR;
    info->damage = err;
    return SDB_OK;
}

static void set_damaged(struct probe *p, uint32_t lba, int why)
{
    struct sdb_card_info *info = p->info;
    if (info->cls == SDB_CARD_DAMAGED_FAT)
        return; /* the first (most direct) finding stands */
    info->cls = SDB_CARD_DAMAGED_FAT;
    info->damage = why;
    info->vol_lba = lba;
}

#if SDB_FAT_PROBE_DETAIL

/* The FAT32 backup boot sector of a volume at lba, if there is one that
 * parses. primary: the boot sector there, when it parsed (its geometry is in
 * p->j.v), else NULL. */
static int read_backup(struct probe *p, uint32_t lba, const uint8_t *primary, bool *found)
{
    uint32_t at = FAT32_BACKUP_LBA;
    if (primary && p->j.v.type == 32 && rd16(primary + 50) &&
        rd16(primary + 50) < rd16(primary + 14))
        at = rd16(primary + 50);
    *found = false;
    int err = read_sector(p->j.bd, lba + at, p->backup);
    if (err == SDB_FAT_ENOENT)
        return SDB_OK;
    if (err)
        return err;
    *found = parses_at(p, p->backup, lba) && p->j.v.type == 32;
    if (*found)
        p->info->mend_from = lba + at;
    return SDB_OK;
}

/* The fields a FAT driver never rewrites after formatting (not the volume id or label). */
static bool geometry_differs(const uint8_t *a, const uint8_t *b)
{
    return memcmp(a + 11, b + 11, 64 - 11) != 0;
}

/* Judge the volume whose boot sector is (or should be) at lba. mbr_ok says the
 * partition table that leads here is itself intact. Returns SDB_OK having set
 * info->cls when it decided, SDB_FAT_ENOFS when nothing FAT is there. */
static int judge_volume(struct probe *p, uint32_t lba, bool mbr_ok)
{
    struct sdb_card_info *info = p->info;
    int err = read_sector(p->j.bd, lba, p->bs);
    if (err)
        return err == SDB_FAT_ENOENT ? SDB_FAT_ENOFS : err;
    bool parses = parses_at(p, p->bs, lba);
    uint8_t type = parses ? p->j.v.type : 0;
    uint32_t vol_sectors = parses ? p->j.v.vol_sectors : 0;
    bool has_backup;
    if ((err = read_backup(p, lba, parses ? p->bs : NULL, &has_backup)))
        return err;
    bool sign = parses || fat_type_string(p->bs) || has_backup;
    int primary = judge_boot_sector(&p->j, p->bs, lba);
    if (primary > SDB_ERR_BD_MIN && primary < 0)
        return primary; /* the card failed a read */
    info->type = type;
    info->vol_sectors = vol_sectors;
    /* A backup with the primary's geometry would be judged the same: only a
     * failing primary, or one that differs, needs the backup judged. */
    bool differs = has_backup && geometry_differs(p->bs, p->backup);
    int second = !has_backup                     ? SDB_FAT_EBOOTSECT
                 : primary == SDB_OK && !differs ? SDB_OK
                                                 : judge_boot_sector(&p->j, p->backup, lba);
    if (second > SDB_ERR_BD_MIN && second < 0)
        return second;
    bool backup_good = second == SDB_OK;
    if (primary == SDB_OK && !(backup_good && differs)) {
        if (!mbr_ok) {
            set_damaged(p, lba, SDB_FAT_EMBR);
            return SDB_OK;
        }
        info->cls = SDB_CARD_FAT;
        info->vol_lba = lba;
        return SDB_OK;
    }
    if (!sign)
        return SDB_FAT_ENOFS;
    /* A FAT that does not mount as it is: mend only from a backup that passes
     * every check (and only the boot sector; a damaged table is left alone). */
    set_damaged(p, lba, primary == SDB_OK ? SDB_FAT_EBOOTSECT : primary);
    if (backup_good && mbr_ok && info->vol_lba == lba) {
        parses_at(p, p->backup, lba); /* it does: judged good above */
        info->mend = SDB_MEND_BACKUP;
        info->type = p->j.v.type;
        info->vol_sectors = p->j.v.vol_sectors;
    }
    return SDB_OK;
}

#if SDB_FAT_CARD_SEARCH
/* Another file system's signature in the first sectors of a volume at lba. */
static int foreign_at(struct probe *p, uint32_t lba, const char **name)
{
    int err = read_sector(p->j.bd, lba, p->j.s);
    if (err)
        return err == SDB_FAT_ENOENT ? SDB_OK : err;
    if (parses_at(p, p->j.s, lba) || fat_type_string(p->j.s))
        return SDB_OK; /* FAT's own boot sector: never another file system */
    if (!memcmp(p->j.s + 3, "EXFAT   ", 8))
        *name = "exFAT";
    else if (!memcmp(p->j.s + 3, "NTFS    ", 8))
        *name = "NTFS";
    if (*name)
        return SDB_OK;
    if ((err = read_sector(p->j.bd, lba + 2, p->j.s)))
        return err == SDB_FAT_ENOENT ? SDB_OK : err;
    if (rd16(p->j.s + 56) == 0xEF53)
        *name = "ext2/3/4";
    return SDB_OK;
}

/* A FAT signature in the first sectors of a would-be volume: a FAT whose boot
 * sector is gone. */
static int scan_fat_signs(struct probe *p, uint32_t lba)
{
    for (uint32_t i = 1; i < FAT_SIGN_SCAN; i++) {
        int err = read_sector(p->j.bd, lba + i, p->j.s);
        if (err == SDB_FAT_ENOENT)
            return SDB_OK;
        if (err)
            return err;
        if (fat_signature(p->j.s, p->j.s[0])) {
            set_damaged(p, lba, SDB_FAT_EBOOTSECT);
            return SDB_OK;
        }
    }
    return SDB_OK;
}
#else
static int foreign_at(struct probe *p, uint32_t lba, const char **name)
{
    (void)p, (void)lba, (void)name;
    return SDB_OK;
}

static int scan_fat_signs(struct probe *p, uint32_t lba)
{
    (void)p, (void)lba;
    return SDB_OK;
}
#endif

/* Sector 0 as a partition table: judge each partition that it names. A
 * foreign file system where an entry points wins over the entry's type byte
 * (mkfs.ext4 on a partition keeps its FAT type); anything FAT-like there, or a
 * FAT-type entry over nothing, makes a damaged FAT. */
static int probe_partitions(struct probe *p, const uint8_t *s0, bool *any)
{
    uint8_t table[4 * SDB_MBR_ENTRY_SIZE];
    memcpy(table, s0 + SDB_MBR_TABLE_AT, sizeof table);
    bool signed_ok = sdb_has_boot_sig(s0);
    *any = false;
    for (int i = 0; i < 4; i++) {
        const uint8_t *e = table + SDB_MBR_ENTRY_SIZE * i;
        uint32_t start = rd32(e + SDB_MBR_E_LBA), count = rd32(e + SDB_MBR_E_SECTORS);
        bool fat_type = sdb_mbr_fat_type(e[SDB_MBR_E_TYPE]);
        if (start && count && start >= p->j.bd->sector_count && fat_type && signed_ok) {
            set_damaged(p, start, SDB_FAT_EVOLSIZE); /* a FAT partition past the card's end */
            return SDB_OK;
        }
        if (!start || !count || start >= p->j.bd->sector_count)
            continue;
        *any = true;
        const char *name = NULL;
        int err = foreign_at(p, start, &name);
        if (err)
            return err;
        if (name) {
            p->info->cls = SDB_CARD_OTHER_FS;
            p->info->foreign = name;
            return SDB_OK;
        }
        err = judge_volume(p, start, signed_ok && fat_type && (e[0] & 0x7F) == 0);
        if (err != SDB_FAT_ENOFS)
            return err;
        if ((err = scan_fat_signs(p, start)))
            return err;
        if (p->info->cls == SDB_CARD_BLANK && fat_type && signed_ok)
            set_damaged(p, start, SDB_FAT_EBOOTSECT); /* a FAT partition over nothing */
        if (p->info->cls != SDB_CARD_BLANK)
            return SDB_OK;
    }
    return SDB_OK;
}

/* Nothing recognisable at sector 0 or in a table: a partition table wiped, or
 * a superfloppy without its boot sector. */
static int probe_lost_volume(struct probe *p)
{
#if SDB_FAT_CARD_SEARCH
    int err = judge_volume(p, 0, true); /* a FAT32 backup at sector 6 */
    if (err != SDB_FAT_ENOFS)
        return err;
    for (size_t i = 0; i < sizeof usual_starts / sizeof usual_starts[0]; i++) {
        err = judge_volume(p, usual_starts[i], false);
        if (err != SDB_FAT_ENOFS)
            return err;
    }
    return scan_fat_signs(p, 0);
#else
    (void)p;
    return SDB_OK;
#endif
}

static int probe_card(struct probe *p)
{
    struct sdb_card_info *info = p->info;
    uint8_t s0[SDB_SECTOR_SIZE];
    int err = read_sector(p->j.bd, 0, s0);
    if (err)
        return err;
    if (parses_at(p, s0, 0) || fat_type_string(s0))
        return judge_volume(p, 0, true); /* a boot sector at 0: mount uses it */
    const char *name = NULL;
    if ((err = foreign_at(p, 0, &name)))
        return err;
    if (name) {
        info->cls = SDB_CARD_OTHER_FS;
        info->foreign = name;
        return SDB_OK;
    }
    bool any_partition = false;
    if (!erased(s0) && (err = probe_partitions(p, s0, &any_partition)))
        return err;
    if (info->cls == SDB_CARD_BLANK && (err = probe_lost_volume(p)))
        return err == SDB_FAT_ENOFS ? SDB_OK : err;
    if (info->cls == SDB_CARD_BLANK && (!erased(s0) || any_partition)) {
        info->cls = SDB_CARD_OTHER_FS; /* content, but no file system we know */
        info->foreign = any_partition ? "a partition table without FAT" : NULL;
    }
    return SDB_OK;
}

#else
/* The device's probe (SDB_FAT_PROBE_DETAIL 0): only the volume sdb_fat_mount
 * would use, its boot sector judged once (the FAT32 backup is not read: with
 * nothing to mend from it, a primary that passes every check is the one the
 * mount uses whatever the backup says). Sector 0 is read once: on a good card
 * the detailed probe reads the FAT32 backup's place too, and sector 0 twice
 * when it holds the boot sector. */
static int probe_card(struct probe *p)
{
    struct sdb_card_info *info = p->info;
    uint32_t lba = 0;
    int err = read_sector(p->j.bd, 0, p->bs);
    if (err)
        return err;
    if (!parses_at(p, p->bs, 0)) {
        if (!fat_mbr_first(p->bs, &lba)) {
            info->cls = erased(p->bs) ? SDB_CARD_BLANK : SDB_CARD_OTHER_FS;
            return SDB_OK;
        }
        /* the partition's boot sector; none past the card's end */
        if ((err = read_sector(p->j.bd, lba, p->bs)) == SDB_FAT_ENOENT)
            err = SDB_FAT_EVOLSIZE;
    }
    if (err == SDB_OK && (err = judge_boot_sector(&p->j, p->bs, lba)) != SDB_FAT_EBOOTSECT) {
        info->type = p->j.v.type; /* the boot sector parsed: its geometry */
        info->vol_sectors = p->j.v.vol_sectors;
    }
    if (err > SDB_ERR_BD_MIN && err < 0)
        return err; /* the card failed a read */
    if (err)
        set_damaged(p, lba, err);
    else
        info->cls = SDB_CARD_FAT, info->vol_lba = lba;
    return SDB_OK;
}
#endif

int sdb_fat_probe(sdb_bd_t *bd, struct sdb_card_info *info)
{
    if (!bd || !info)
        return SDB_E_INVAL;
    static const struct sdb_card_info none = {.cls = SDB_CARD_BLANK};
    *info = none;
    struct probe p = {.j = {.bd = bd}, .info = info};
    int err = probe_card(&p);
    if (err) {
        *info = none;
        return io_class(err, info);
    }
    if (info->cls != SDB_CARD_DAMAGED_FAT)
        info->mend = SDB_MEND_NONE;
    return SDB_OK;
}

int sdb_fat_detect(sdb_bd_t *bd, enum sdb_card_class *cls)
{
    if (!cls)
        return SDB_E_INVAL;
    struct sdb_card_info info;
    int err = sdb_fat_probe(bd, &info);
    if (err == SDB_OK)
        *cls = info.cls;
    return err;
}

int sdb_fat_mend(sdb_bd_t *bd, const struct sdb_card_info *info)
{
    if (!bd || !info)
        return SDB_E_INVAL;
    /* a probe without detail (SDB_FAT_PROBE_DETAIL 0) proposes no mend */
    if (!SDB_FAT_PROBE_DETAIL || info->cls != SDB_CARD_DAMAGED_FAT || info->mend != SDB_MEND_BACKUP)
        return SDB_FAT_ENOFS;
    uint8_t s[SDB_SECTOR_SIZE];
    int err = sdb_bd_read(bd, info->mend_from, 1, s);
    if (err || (err = sdb_bd_write(bd, info->vol_lba, 1, s)))
        return err;
    return sdb_bd_sync(bd);
}

const char *sdb_card_class_name(enum sdb_card_class cls)
{
    switch (cls) {
    case SDB_CARD_NONE:
        return "no card";
    case SDB_CARD_IO_ERROR:
        return "card with read errors";
    case SDB_CARD_BLANK:
        return "blank card";
    case SDB_CARD_FAT:
        return "FAT card";
    case SDB_CARD_OTHER_FS:
        return "card with another file system";
    case SDB_CARD_DAMAGED_FAT:
        return "damaged FAT card";
    }
    return "?";
}
