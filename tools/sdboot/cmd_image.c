/* sdboot image: create and edit FAT SD-card images with sdboot's own FAT driver. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "cli.h"
#include "sdboot/fat_layout.h"
#include "sdboot/boot.h"
#include "sdboot/bytes.h"
#include "sdboot/fat.h"
#include "sdboot/host.h"

static const char usage_text[] =
    "usage: sdboot image SUBCOMMAND IMG [ARGS]\n\n"
    "Create and edit FAT SD-card images with sdboot's own FAT driver.\n\n"
    "  create IMG --size SIZE [--fat 12|16|32] [--mbr] [--label NAME] [--force]\n"
    "                                 new image (SIZE like 64M; laid out as SD cards\n"
    "                                 ship: FAT12/16 up to 2 GiB, FAT32 above; --fat forces\n"
    "                                 --mbr: one FAT partition from 1 MiB, as on SD cards)\n"
    "  ls IMG [PATH]                  list a directory (default /)\n"
    "  get IMG PATH [OUTFILE|-]       copy a file out (default: its name, - = stdout)\n"
    "  put IMG LOCALFILE PATH         copy a file in (replaces an existing file)\n"
    "  mkdir IMG PATH                 make a directory\n"
    "  rm IMG PATH                    remove a file or an empty directory\n"
    "  check IMG [--repair]           check the file system (exit 1 if damaged)\n";

static int fail_code(const char *what, int err)
{
    return cli_fail("image", "%s: %s", what, sdb_strerror(err));
}

struct mounted {
    struct sdb_host_card card;
    struct sdb_fat_vol vol;
};

static int open_image(struct mounted *m, const char *img, bool read_only)
{
    struct sdb_host_card_opts o = {.read_only = read_only};
    int err = sdb_host_card_open(&m->card, img, &o);
    if (err)
        return cli_fail_code("image", img, err, errno);
    if ((err = sdb_fat_mount(&m->vol, m->card.bd, read_only))) {
        sdb_host_card_close(&m->card);
        return fail_code(img, err);
    }
    return CLI_EXIT_OK;
}

static int close_image(struct mounted *m, int status)
{
    int err = m->vol.read_only ? SDB_OK : sdb_fat_unmount(&m->vol);
    int cerr = sdb_host_card_close(&m->card);
    if (status == CLI_EXIT_OK && (err || cerr))
        return fail_code("closing the image", err ? err : cerr);
    return status;
}

/* --mbr: the volume lives in one partition from PART_START (1 MiB, where SD
 * cards put it). mkfs runs on a view of the partition, then the MBR goes in
 * last, so a failed create never leaves a partition table over no file system. */
#define PART_START 2048u

struct part_view {
    sdb_bd_t bd; /* first */
    sdb_bd_t *lower;
};

static int part_read(sdb_bd_t *bd, uint32_t lba, uint32_t count, void *buf)
{
    return sdb_bd_read(((struct part_view *)bd)->lower, lba + PART_START, count, buf);
}

static int part_write(sdb_bd_t *bd, uint32_t lba, uint32_t count, const void *buf)
{
    return sdb_bd_write(((struct part_view *)bd)->lower, lba + PART_START, count, buf);
}

static int part_sync(sdb_bd_t *bd)
{
    return sdb_bd_sync(((struct part_view *)bd)->lower);
}

static const struct sdb_bd_ops part_ops = {part_read, part_write, part_sync};

/* The boot sector (and FAT32's backup) records the partition's start. */
static int set_hidden_sectors(sdb_bd_t *part, uint8_t *type)
{
    uint8_t bs[SDB_SECTOR_SIZE];
    int err = sdb_bd_read(part, 0, 1, bs);
    if (err)
        return err;
    bool fat32 = sdb_get_le16(bs + 22) == 0;
    uint32_t sectors = sdb_get_le16(bs + 19) ? sdb_get_le16(bs + 19) : sdb_get_le32(bs + 32);
    *type = fat32 ? 0x0C : !memcmp(bs + 54, "FAT12", 5) ? 0x01 : sectors < 65536 ? 0x04 : 0x06;
    sdb_put_le32(bs + 28, PART_START);
    if ((err = sdb_bd_write(part, 0, 1, bs)))
        return err;
    uint16_t backup = fat32 ? sdb_get_le16(bs + 50) : 0;
    if (backup && backup != 0xFFFF && (err = sdb_bd_read(part, backup, 1, bs)) == SDB_OK) {
        sdb_put_le32(bs + 28, PART_START);
        err = sdb_bd_write(part, backup, 1, bs);
    }
    return err;
}

static int write_mbr(sdb_bd_t *bd, uint8_t type)
{
    uint8_t mbr[SDB_SECTOR_SIZE] = {0};
    uint8_t *e = mbr + SDB_MBR_TABLE_AT;
    e[SDB_MBR_E_STATUS] = 0x00;       /* not bootable */
    memcpy(e + 1, "\xFE\xFF\xFF", 3); /* CHS: use the LBA fields */
    e[SDB_MBR_E_TYPE] = type;
    memcpy(e + 5, "\xFE\xFF\xFF", 3);
    sdb_put_le32(e + SDB_MBR_E_LBA, PART_START);
    sdb_put_le32(e + SDB_MBR_E_SECTORS, bd->sector_count - PART_START);
    sdb_put_le32(mbr + SDB_MBR_DISK_SIG_AT, 0x5db00700u); /* disk signature */
    sdb_put_boot_sig(mbr);
    return sdb_bd_write(bd, 0, 1, mbr);
}

static int mkfs_image(sdb_bd_t *bd, const struct sdb_mkfs_opts *o, bool mbr)
{
    if (!mbr)
        return sdb_fat_mkfs(bd, o);
    if (bd->sector_count <= 2 * PART_START)
        return SDB_FAT_ENOFIT;
    struct part_view part = {
        .bd = {.ops = &part_ops, .sector_count = bd->sector_count - PART_START}, .lower = bd};
    uint8_t type;
    struct sdb_mkfs_opts in_part = *o;
    in_part.hidden =
        PART_START; /* the data area's erase-block boundary counts from the card's start */
    int err = sdb_fat_mkfs(&part.bd, &in_part);
    if (err == SDB_OK)
        err = set_hidden_sectors(&part.bd, &type);
    if (err == SDB_OK)
        err = write_mbr(bd, type);
    return err;
}

static int image_create(int argc, char **argv)
{
    const char *img = NULL, *label = "";
    uint64_t size = 0, fat = 0;
    bool force = false, mbr = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--size") && i + 1 < argc) {
            if (!cli_parse_size(argv[++i], &size) || size == 0 || size % 512)
                return cli_usage_error("image", "bad --size '%s'", argv[i]);
        } else if (!strcmp(argv[i], "--fat") && i + 1 < argc) {
            if (!cli_parse_u64(argv[++i], &fat) || (fat != 12 && fat != 16 && fat != 32))
                return cli_usage_error("image", "--fat must be 12, 16 or 32");
        } else if (!strcmp(argv[i], "--label") && i + 1 < argc) {
            label = argv[++i];
            if (strlen(label) > 11)
                return cli_usage_error("image", "--label is at most 11 characters");
        } else if (!strcmp(argv[i], "--force")) {
            force = true;
        } else if (!strcmp(argv[i], "--mbr")) {
            mbr = true;
        } else if (argv[i][0] != '-' && !img) {
            img = argv[i];
        } else {
            return cli_usage_error("image", "unexpected argument '%s'", argv[i]);
        }
    }
    if (!img || !size)
        return cli_usage_error("image", "create needs IMG and --size");
    struct stat st;
    if (!force && stat(img, &st) == 0)
        return cli_fail("image", "%s exists already (use --force to replace it)", img);
    if (force && stat(img, &st) == 0 && !S_ISREG(st.st_mode))
        return cli_fail("image", "%s is not a regular file: not replaced", img);
    /* Made beside the target and renamed over it only when complete, so a
     * create that fails (a FAT type that does not fit, a full disk) leaves an
     * existing image as it was. */
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.sdboot-new", img) >= (int)sizeof tmp)
        return cli_fail("image", "%s: path too long", img);
    struct sdb_bd_file file;
    int err = sdb_bd_file_create(&file, tmp, size);
    if (err)
        return cli_fail_code("image", tmp, err, errno);
    struct sdb_mkfs_opts o = {.type = (uint8_t)fat, .volume_id = 0x5db00700u};
    snprintf(o.label, sizeof o.label, "%s", label);
    err = mkfs_image(&file.bd, &o, mbr);
    int cerr = sdb_bd_file_close(&file);
    if (err || cerr) {
        remove(tmp);
        return fail_code(img, err ? err : cerr);
    }
    if (rename(tmp, img) != 0) {
        int e = errno;
        remove(tmp);
        return cli_fail("image", "%s: cannot replace it: %s", img, strerror(e));
    }
    struct mounted m;
    int rc = open_image(&m, img, true);
    if (rc)
        return rc;
    printf("created %s: FAT%u, %llu MiB, %u clusters of %u bytes\n", img, m.vol.type,
           (unsigned long long)(size >> 20), m.vol.nclusters, sdb_fat_cluster_bytes(&m.vol));
    return close_image(&m, CLI_EXIT_OK);
}

static int image_ls(const char *img, const char *path)
{
    struct mounted m;
    int rc = open_image(&m, img, true);
    if (rc)
        return rc;
    struct sdb_fat_dir d;
    struct sdb_fat_dirent ent;
    int err = sdb_fat_opendir(&m.vol, &d, path);
    if (err)
        return close_image(&m, fail_code(path, err));
    /* readdir says SDB_FAT_ENOENT at the end of the directory */
    while ((err = sdb_fat_readdir(&d, &ent)) == SDB_OK)
        printf("%10u  %s%s\n", ent.st.size, ent.name, ent.st.is_dir ? "/" : "");
    if (err != SDB_FAT_ENOENT)
        rc = fail_code(path, err);
    return close_image(&m, rc);
}

static int image_get(const char *img, const char *path, const char *out)
{
    struct mounted m;
    int rc = open_image(&m, img, true);
    if (rc)
        return rc;
    struct sdb_fat_file f;
    int err = sdb_fat_open(&m.vol, &f, path, SDB_FAT_READ);
    if (err)
        return close_image(&m, fail_code(path, err));
    if (!out) {
        out = strrchr(path, '/') + 1;
    }
    FILE *fp = strcmp(out, "-") ? fopen(out, "wb") : stdout;
    if (!fp) {
        rc = cli_fail("image", "%s: %s", out, strerror(errno));
        return close_image(&m, rc);
    }
    static uint8_t buf[64 * 1024];
    uint32_t got;
    while ((err = sdb_fat_read(&f, buf, sizeof buf, &got)) == SDB_OK && got)
        if (fwrite(buf, 1, got, fp) != got) {
            rc = cli_fail("image", "%s: %s", out, strerror(errno));
            break;
        }
    if (err)
        rc = fail_code(path, err);
    if (fp != stdout && fclose(fp) != 0 && rc == CLI_EXIT_OK)
        rc = cli_fail("image", "%s: %s", out, strerror(errno));
    sdb_fat_close(&f);
    return close_image(&m, rc);
}

static int image_put(const char *img, const char *local, const char *path)
{
    FILE *fp = fopen(local, "rb");
    if (!fp)
        return cli_fail("image", "%s: %s", local, strerror(errno));
    struct mounted m;
    int rc = open_image(&m, img, false);
    if (rc) {
        fclose(fp);
        return rc;
    }
    struct sdb_fat_file f;
    int err = sdb_fat_open(&m.vol, &f, path, SDB_FAT_WRITE | SDB_FAT_CREATE | SDB_FAT_TRUNC);
    if (err) {
        fclose(fp);
        return close_image(&m, fail_code(path, err));
    }
    static uint8_t buf[64 * 1024];
    size_t n;
    while (err == SDB_OK && (n = fread(buf, 1, sizeof buf, fp)) > 0)
        err = sdb_fat_write(&f, buf, (uint32_t)n);
    if (err == SDB_OK && ferror(fp))
        rc = cli_fail("image", "%s: read error", local);
    fclose(fp);
    int cerr = sdb_fat_close(&f);
    if (err || cerr)
        rc = fail_code(path, err ? err : cerr);
    return close_image(&m, rc);
}

static int image_edit(const char *img, const char *path, bool make_dir)
{
    struct mounted m;
    int rc = open_image(&m, img, false);
    if (rc)
        return rc;
    struct sdb_fat_stat st;
    int err;
    if (make_dir)
        err = sdb_fat_mkdir(&m.vol, path);
    else if ((err = sdb_fat_stat(&m.vol, path, &st)) == SDB_OK)
        err = st.is_dir ? sdb_fat_rmdir(&m.vol, path) : sdb_fat_unlink(&m.vol, path);
    return close_image(&m, err ? fail_code(path, err) : CLI_EXIT_OK);
}

/* What the boot would see: anything but a FAT that mounts as it is ends here. */
static int classify_image(const char *img)
{
    struct sdb_host_card card;
    struct sdb_host_card_opts o = {.read_only = true};
    int err = sdb_host_card_open(&card, img, &o);
    if (err)
        return cli_fail_code("image", img, err, errno);
    struct sdb_card_info info;
    err = sdb_fat_probe(card.bd, &info);
    sdb_host_card_close(&card);
    if (err)
        return fail_code(img, err);
    if (info.cls == SDB_CARD_FAT)
        return CLI_EXIT_OK;
    if (info.cls == SDB_CARD_DAMAGED_FAT)
        return cli_fail("image", "%s: damaged FAT card (volume at sector %u): %s%s", img,
                        (unsigned)info.vol_lba, sdb_strerror(info.damage),
                        info.mend == SDB_MEND_BACKUP ? "; the backup boot sector is good (the "
                                                       "boot mends it from there)"
                                                     : "");
    return cli_fail("image", "%s: %s%s%s", img, sdb_card_class_name(info.cls),
                    info.foreign ? ": " : "", info.foreign ? info.foreign : "");
}

static void print_note(void *ctx, const char *path, const char *what, bool fixed)
{
    bool repair = *(const bool *)ctx;
    printf("  %s: %s%s\n", path, what,
           !repair ? ""
           : fixed ? " (repaired)"
                   : " (not sdboot's: left as it is)");
}

/* The boot's rule: only what sdboot owns is changed (sdboot_check_card). */
static int image_check(const char *img, bool repair)
{
    struct mounted m;
    int rc = classify_image(img);
    if (rc || (rc = open_image(&m, img, !repair)))
        return rc;
    static struct sdboot engine;
    static uint8_t arena[SDB_TAR_GZIP_ARENA];
    engine.vol = m.vol;
    engine.cfg.gzip_arena = arena;
    engine.cfg.gzip_arena_len = sizeof arena;
    struct sdb_fat_check_report r;
    int err = sdboot_check_card(&engine, repair, print_note, &repair, &r);
    m.vol = engine.vol;
    printf("%s: FAT%u, %u files, %u directories\n", img, m.vol.type, r.files, r.dirs);
    const struct {
        const char *what;
        uint32_t n;
    } found[] = {{"lost clusters", r.lost_clusters},       {"cross-links", r.cross_links},
                 {"chains truncated", r.chains_truncated}, {"sizes fixed", r.sizes_fixed},
                 {"orphaned long names", r.orphan_lfn},    {"bad entries", r.bad_entries},
                 {"FAT copy sectors", r.fat_copies_fixed}, {"FSInfo", r.fsinfo_fixed}};
    for (size_t i = 0; i < sizeof found / sizeof found[0]; i++)
        if (found[i].n)
            printf("  %s: %u%s\n", found[i].what, found[i].n, repair ? " (repaired)" : "");
    if (err == SDB_FAT_ECORRUPT)
        rc = cli_fail("image", "%s: file system has errors (run with --repair)", img);
    else if (err)
        rc = fail_code(img, err);
    else if (r.left_alone)
        rc = cli_fail("image",
                      "%s: %u problems in files sdboot does not own were left as they are "
                      "(fsck.fat can change them)",
                      img, (unsigned)r.left_alone);
    else
        printf("%s: clean\n", img);
    return close_image(&m, rc);
}

int cmd_image(int argc, char **argv)
{
    if (argc < 2 || cli_wants_help(argc, argv)) {
        fputs(usage_text, argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
    }
    const char *sub = argv[1];
    if (!strcmp(sub, "create"))
        return image_create(argc - 1, argv + 1);
    if (argc < 3)
        return cli_usage_error("image", "%s needs an image", sub);
    const char *img = argv[2];
    if (!strcmp(sub, "ls") && argc <= 4)
        return image_ls(img, argc == 4 ? argv[3] : "/");
    if (!strcmp(sub, "get") && (argc == 4 || argc == 5))
        return image_get(img, argv[3], argc == 5 ? argv[4] : NULL);
    if (!strcmp(sub, "put") && argc == 5)
        return image_put(img, argv[3], argv[4]);
    if (!strcmp(sub, "mkdir") && argc == 4)
        return image_edit(img, argv[3], true);
    if (!strcmp(sub, "rm") && argc == 4)
        return image_edit(img, argv[3], false);
    if (!strcmp(sub, "check") && (argc == 3 || (argc == 4 && !strcmp(argv[3], "--repair"))))
        return image_check(img, argc == 4);
    return cli_usage_error("image", "bad arguments for '%s'", sub);
}
