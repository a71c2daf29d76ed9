/* Damaged cards at boot: every boot-sector field, MBR damage and a short card.
 * A card with any FAT sign is never formatted: mended from its FAT32 backup
 * boot sector when that passes every check, else left untouched (not one
 * sector written) with the reason logged. User files stay byte-identical and
 * fsck.fat -n agrees with the outcome. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "boot_fixture.h"
#include "fsck_oracle.h"
#include "sdboot/bd_ram.h"
#include "sdboot/bytes.h"
#include "../fat/fat_test_util.h"

#define BIG_BYTES (96u * 1024u)
#define PART_START 2048u

static uint8_t *pristine, *card, *damaged;
static size_t card_bytes;
static uint8_t big[BIG_BYTES];
static struct sdb_bd_ram ram;
static struct sdboot engine;
static char logbuf[8192];

static void capture(void *ctx, const char *line)
{
    (void)ctx;
    strncat(logbuf, line, sizeof logbuf - strlen(logbuf) - 2);
    strcat(logbuf, "\n");
}

static bool pin_held; /* the next boot()s run with the recovery pin held */

static int boot(struct sdboot_result *res)
{
    struct sdboot_config cfg = SDBOOT_CONFIG_DEFAULTS;
    cfg.log = capture;
    cfg.recovery_pin = pin_held;
    logbuf[0] = '\0';
    sdb_bd_ram_init(&ram, card, (uint32_t)(card_bytes / SDB_SECTOR_SIZE));
    return sdboot_boot(&engine, &ram.bd, &cfg, res);
}

/* A partition from PART_START: the card seen from there. */
struct part_view {
    sdb_bd_t bd;
    sdb_bd_t *lower;
};
static int part_read(sdb_bd_t *bd, uint32_t lba, uint32_t n, void *buf)
{
    return sdb_bd_read(((struct part_view *)bd)->lower, lba + PART_START, n, buf);
}
static int part_write(sdb_bd_t *bd, uint32_t lba, uint32_t n, const void *buf)
{
    return sdb_bd_write(((struct part_view *)bd)->lower, lba + PART_START, n, buf);
}
static int part_sync(sdb_bd_t *bd)
{
    return sdb_bd_sync(((struct part_view *)bd)->lower);
}
static const struct sdb_bd_ops part_ops = {part_read, part_write, part_sync};

static void write_mbr(uint8_t type)
{
    uint8_t *e = card + 446;
    e[4] = type;
    sdb_put_le32(e + 8, PART_START);
    sdb_put_le32(e + 12, (uint32_t)(card_bytes / SDB_SECTOR_SIZE) - PART_START);
    card[510] = 0x55, card[511] = 0xAA;
    /* hidden sectors, in the boot sector and FAT32's backup */
    sdb_put_le32(card + PART_START * 512 + 28, PART_START);
    if (type == 0x0C)
        sdb_put_le32(card + (PART_START + 6) * 512 + 28, PART_START);
}

/* A fresh card with /user.txt and /docs/big.bin, mounted in *vol. */
static void format_with_user_files(size_t bytes, uint8_t type, bool mbr, struct sdb_fat_vol *vol)
{
    free(pristine), free(card), free(damaged);
    card_bytes = bytes;
    pristine = calloc(1, bytes), card = calloc(1, bytes), damaged = calloc(1, bytes);
    assert_non_null(pristine);
    sdb_bd_ram_init(&ram, card, (uint32_t)(bytes / SDB_SECTOR_SIZE));
    struct part_view part = {
        .bd = {.ops = &part_ops, .sector_count = ram.bd.sector_count - PART_START},
        .lower = &ram.bd};
    struct sdb_mkfs_opts o = {.type = type, .volume_id = 9};
    assert_int_equal(sdb_fat_mkfs(mbr ? &part.bd : &ram.bd, &o), SDB_OK);
    if (mbr)
        write_mbr(type == 32 ? 0x0C : type == 12 ? 0x01 : 0x06);
    assert_int_equal(sdb_fat_mount(vol, &ram.bd, false), SDB_OK);
    for (unsigned i = 0; i < BIG_BYTES; i++)
        big[i] = (uint8_t)(i * 2654435761u >> 13);
    assert_int_equal(
        put_file(vol, fx_user_path, fx_user_content, (uint32_t)strlen(fx_user_content)), 0);
    assert_int_equal(sdb_fat_mkdir(vol, "/docs"), SDB_OK);
    assert_int_equal(put_file(vol, "/docs/big.bin", big, BIG_BYTES), SDB_OK);
}

/* A card with release 1 installed, /user.txt and /docs/big.bin. */
/* indexed: 1.0.0 staged with its index, as the OTA client does (a delta
 * can then be made against it). */
static void provision_as(size_t bytes, uint8_t type, bool mbr, bool indexed)
{
    struct sdb_fat_vol vol;
    format_with_user_files(bytes, type, mbr, &vol);
    assert_int_equal(sdb_fat_unmount(&vol), SDB_OK);
    struct sdboot_result res;
    assert_int_equal(boot(&res), SDB_OK);
    assert_int_equal(
        indexed ? fx_stage_indexed(&ram.bd, &fx_r1) : fx_stage(&ram.bd, &fx_r1, NULL, 0), SDB_OK);
    assert_int_equal(boot(&res), SDB_OK);
    assert_int_equal(res.event, SDBOOT_EV_INSTALLED);
    memcpy(pristine, card, bytes);
}

static void provision(size_t bytes, uint8_t type, bool mbr)
{
    provision_as(bytes, type, mbr, false);
}

/* The user's two files, byte-identical. */
static void assert_user_files(struct sdb_fat_vol *vol)
{
    assert_true(
        fx_file_equals(vol, fx_user_path, fx_user_content, (uint32_t)strlen(fx_user_content)));
    assert_true(fx_file_equals(vol, "/docs/big.bin", big, BIG_BYTES));
}

/* Every user file byte-identical, the release runs, fsck.fat -n is clean. */
static void assert_card_whole(void)
{
    struct sdb_fat_vol vol;
    sdb_bd_ram_init(&ram, card, (uint32_t)(card_bytes / SDB_SECTOR_SIZE));
    assert_int_equal(sdb_fat_mount(&vol, &ram.bd, true), SDB_OK);
    assert_user_files(&vol);
    char why[256];
    assert_true(fx_tree_is(&ram.bd, &fx_r1, why, sizeof why) || !fprintf(stderr, "%s\n", why));
    static char report[4096];
    uint32_t vol_lba = vol.vol_lba;
    int clean = sdb_test_fsck_clean_mem(card + (size_t)vol_lba * 512,
                                        card_bytes - (size_t)vol_lba * 512, report, sizeof report);
    if (clean != 1)
        fprintf(stderr, "fsck.fat:\n%s\n", report);
    assert_int_equal(clean, 1);
}

struct damage {
    const char *what;
    uint32_t offset; /* byte offset on the card (from its first sector) */
    uint8_t len;
    uint8_t bytes[8];
};

/* Apply d, boot, and check: mended (expect_log names the mend) or left
 * untouched; never formatted; user files whole afterwards. */
static void boot_damaged(const struct damage *d, bool expect_mend, const char *expect_log)
{
    memcpy(card, pristine, card_bytes);
    if (d->len == 0xFF)
        memset(card + d->offset, 0, 512);
    else
        memcpy(card + d->offset, d->bytes, d->len);
    memcpy(damaged, card, card_bytes);
    struct sdboot_result res;
    assert_int_equal(boot(&res), SDB_OK);
    if (!strstr(logbuf, expect_log)) {
        fprintf(stderr, "%s: log was:\n%s", d->what, logbuf);
        fail();
    }
    assert_int_not_equal(res.event, SDBOOT_EV_FORMATTED);
    assert_null(strstr(logbuf, "formatting"));
    if (expect_mend) {
        assert_int_equal(res.decision, SDBOOT_RUN_CARD);
        assert_string_equal(res.version, "1.0.0");
    } else {
        assert_int_equal(res.decision, SDBOOT_INTERNAL);
        assert_int_equal(res.error, SDBOOT_EDAMAGEDFAT);
        assert_int_equal(ram.bd.stats.sectors_written, 0);
        assert_memory_equal(card, damaged, card_bytes);
        /* Undo the damage (what `sdboot image check --repair` or a larger card does). */
        memcpy(card, pristine, card_bytes);
    }
    assert_card_whole();
}

static const char MENDED[] = "mended from the backup boot sector (sector 6)";

/* Each boot-sector field of a FAT32 card: mended from the backup. */
static void fat32_fields_mended(void **state)
{
    (void)state;
    provision(40u << 20, 32, false);
    const struct damage cases[] = {
        {"sectors per cluster 1 -> 3", 13, 1, {3}},
        {"bytes per sector 512 -> 1024", 11, 2, {0x00, 0x04}},
        {"number of FATs 2 -> 1", 16, 1, {1}},
        {"reserved sectors +1", 14, 2, {33, 0}},
        {"FAT size halved", 36, 4, {0x00, 0x01, 0, 0}},
        {"total sectors larger than the card", 32, 4, {0, 0, 0, 1}},
        {"total sectors halved", 32, 4, {0x00, 0x80, 0x00, 0x00}},
        {"root cluster 2 -> 3", 44, 4, {3, 0, 0, 0}},
        {"no 55AA signature", 510, 2, {0, 0}},
        {"jump bytes zeroed", 0, 3, {0, 0, 0}},
        {"sector 0 zeroed", 0, 0xFF, {0}},
        {"sector 0 random", 0, 8, {0x12, 0x34, 0x56, 0x78, 0x9A, 0xBC, 0xDE, 0xF0}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        boot_damaged(&cases[i], true, MENDED);
}

/* FAT16 and FAT12 have no backup: every damaged field leaves the card untouched. */
static void fat16_fat12_fields_untouched(void **state)
{
    (void)state;
    const uint8_t types[] = {16, 12};
    const size_t sizes[] = {20u << 20, 4u << 20};
    for (int t = 0; t < 2; t++) {
        provision(sizes[t], types[t], false);
        const struct damage cases[] = {
            {"sectors per cluster -> 3", 13, 1, {3}},
            {"bytes per sector 512 -> 1024", 11, 2, {0x00, 0x04}},
            {"number of FATs 2 -> 1", 16, 1, {1}},
            {"reserved sectors +1", 14, 1, {(uint8_t)(card[14] + 1)}},
            {"FAT size halved", 22, 2, {(uint8_t)(sdb_get_le16(card + 22) / 2), 0}},
            {"root entries 512 -> 528", 17, 2, {0x10, 0x02}},
            {"total sectors larger than the card", 19, 2, {0xFF, 0xFF}},
            {"no 55AA signature", 510, 2, {0, 0}},
            {"jump bytes zeroed", 0, 3, {0, 0, 0}},
            {"sector 0 zeroed", 0, 0xFF, {0}},
        };
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
            boot_damaged(&cases[i], false, "left untouched (nothing formatted)");
    }
}

/* A partition table with a bad type, status or signature: left untouched. */
static void mbr_damage_untouched(void **state)
{
    (void)state;
    provision(40u << 20, 32, true);
    const struct damage cases[] = {
        {"partition type 0", 446 + 4, 1, {0}},
        {"status byte odd", 446, 1, {0x13}},
        {"signature gone", 510, 2, {0, 0}},
        {"MBR zeroed", 0, 0xFF, {0}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        boot_damaged(&cases[i], false,
                     "partition table damaged (a FAT volume lies behind it); left untouched");
    /* A partition that starts past the card's end: not a read error. */
    const struct damage past = {"partition past the end", 446 + 8, 4, {0, 0, 0, 1}};
    boot_damaged(&past, false,
                 "FAT volume is larger than the card (an image copied onto a smaller card?); "
                 "left untouched");
    /* The volume's own boot sector behind a good table: its backup mends it. */
    const struct damage bs = {"partition's boot sector", PART_START * 512 + 13, 1, {3}};
    boot_damaged(&bs, true, "mended from the backup boot sector (sector 2054)");
}

/* An image copied onto a smaller card: the FAT claims sectors the card lacks. */
static void short_card_untouched(void **state)
{
    (void)state;
    provision(40u << 20, 32, false);
    size_t full = card_bytes;
    card_bytes = 24u << 20; /* the card is shorter than the volume */
    memcpy(damaged, card, card_bytes);
    struct sdboot_result res;
    assert_int_equal(boot(&res), SDB_OK);
    assert_non_null(strstr(logbuf, "FAT volume is larger than the card (an image copied onto a "
                                   "smaller card?); left untouched"));
    assert_int_equal(res.decision, SDBOOT_INTERNAL);
    assert_int_equal(ram.bd.stats.sectors_written, 0);
    assert_memory_equal(card, damaged, card_bytes);
    card_bytes = full; /* onto a card as large as the volume: everything is there */
    assert_card_whole();
}

/* Detection still formats what holds no FAT sign, and names what it found. */
static void blank_and_foreign_still_formatted(void **state)
{
    (void)state;
    free(card);
    card_bytes = 4u << 20;
    card = calloc(1, card_bytes);
    struct sdb_card_info info;
    sdb_bd_ram_init(&ram, card, (uint32_t)(card_bytes / 512));
    assert_int_equal(sdb_fat_probe(&ram.bd, &info), SDB_OK);
    assert_int_equal(info.cls, SDB_CARD_BLANK);
    memcpy(card + 3, "EXFAT   ", 8);
    card[510] = 0x55, card[511] = 0xAA;
    assert_int_equal(sdb_fat_probe(&ram.bd, &info), SDB_OK);
    assert_int_equal(info.cls, SDB_CARD_OTHER_FS);
    assert_string_equal(info.foreign, "exFAT");
    struct sdboot_result res;
    assert_int_equal(boot(&res), SDB_OK);
    assert_non_null(strstr(logbuf, "card with exFAT: formatting it as FAT\n"
                                   "initialised /.sdboot on the new file system\n"));
    assert_int_equal(res.event, SDBOOT_EV_FORMATTED);
    /* A FAT-type partition over an erased volume is a damaged FAT, not blank. */
    memset(card, 0, card_bytes);
    card[446 + 4] = 0x0C, card[446 + 8] = 0x08, card[446 + 12] = 0x80, card[510] = 0x55,
               card[511] = 0xAA;
    assert_int_equal(sdb_fat_probe(&ram.bd, &info), SDB_OK);
    assert_int_equal(info.cls, SDB_CARD_DAMAGED_FAT);
    assert_int_equal(info.damage, SDB_FAT_EBOOTSECT);
}

/* ---- repair owns only what is sdboot's ---- */

/* Say, in both state records, that the last boot was cut during file-system
 * work (what a power cut leaves). */
static void mark_interrupted(void)
{
    struct sdb_fat_vol vol;
    struct sdboot_state st;
    assert_int_equal(sdb_fat_mount(&vol, &ram.bd, false), SDB_OK);
    assert_int_equal(sdboot_read_state(&vol, &st), SDB_OK);
    st.fs_dirty = true;
    st.seq += 2;
    uint8_t rec[SDB_RECORD_SIZE];
    sdboot_state_encode(&st, rec);
    const char *paths[] = {SDB_DIR "/state.a", SDB_DIR "/state.b"};
    for (int i = 0; i < 2; i++) {
        struct sdb_fat_file f;
        assert_int_equal(sdb_fat_open(&vol, &f, paths[i], SDB_FAT_READ | SDB_FAT_WRITE), 0);
        assert_int_equal(sdb_fat_overwrite_sector(&f, 0, rec), SDB_OK);
        assert_int_equal(sdb_fat_close(&f), SDB_OK);
    }
    assert_int_equal(sdb_fat_unmount(&vol), SDB_OK);
}

/* Point the 8.3 entry of `path` at the first cluster of `at` (FAT12/16 cards:
 * the entry is found by its cluster, type and size in the directory area). */
static void cross_link(const char *path, const char *at)
{
    struct sdb_fat_vol vol;
    struct sdb_fat_stat target, me;
    assert_int_equal(sdb_fat_mount(&vol, &ram.bd, false), SDB_OK);
    assert_int_equal(sdb_fat_stat(&vol, at, &target), SDB_OK);
    assert_int_equal(sdb_fat_stat(&vol, path, &me), SDB_OK);
    for (size_t o = (size_t)vol.root_lba * 512; o + 32 <= card_bytes; o += 32) {
        uint8_t *e = card + o;
        bool is_dir = e[11] & 0x10;
        if (e[0] && e[0] != 0xE5 && e[0] != '.' && (e[11] & 0x3F) != 0x0F &&
            sdb_get_le16(e + 26) == me.first_clus && is_dir == me.is_dir &&
            sdb_get_le32(e + 28) == me.size) {
            sdb_put_le16(e + 26, (uint16_t)target.first_clus);
            return;
        }
    }
    fail_msg("no entry for %s", path);
}

static void expect_log(const char *line)
{
    if (!strstr(logbuf, line))
        fail_msg("log lacks '%s'; log was:\n%s", line, logbuf);
}

static void repair_keeps_user_side(const char *managed, const char *user, const char *note,
                                   unsigned restored)
{
    provision(20u << 20, 16, false);
    cross_link(managed, user);
    mark_interrupted();
    struct sdboot_result res;
    assert_int_equal(boot(&res), SDB_OK);
    expect_log("the last boot was cut during file-system work: checking the card\n");
    expect_log(note);
    char line[128];
    snprintf(line, sizeof line, "restored %u damaged or missing files of 1.0.0\n", restored);
    expect_log(line);
    assert_int_equal(res.decision, SDBOOT_RUN_CARD);
    assert_card_whole();
}

/* A managed file and the user's sharing a cluster: the user's stays whole,
 * the managed one is rewritten from the kept archive, each fix logged by path. */
static void crosslink_managed_file_user_file(void **state)
{
    (void)state;
    repair_keeps_user_side("/app/a.py", fx_user_path,
                           "repair: /app/a.py: starts in another entry's clusters: removed\n", 1);
}

/* A managed directory starting at the user's directory's cluster. */
static void crosslink_managed_dir_user_dir(void **state)
{
    (void)state;
    repair_keeps_user_side("/app/lib", "/docs",
                           "repair: /app/lib: starts in another entry's clusters: removed\n", 1);
}

/* A top-level file the release names, sharing the user's file's cluster. */
static void crosslink_top_level_release_file(void **state)
{
    (void)state;
    repair_keeps_user_side("/helper.py", "/docs/big.bin",
                           "repair: /helper.py: starts in another entry's clusters: removed\n", 1);
}

/* Nothing was interrupted and nothing of sdboot's is damaged: an install
 * runs no repair (the check before it only reads). */
static void no_repair_unless_interrupted(void **state)
{
    (void)state;
    provision(20u << 20, 16, false);
    assert_int_equal(fx_stage(&ram.bd, &fx_r2, NULL, 0), SDB_OK);
    struct sdboot_result res;
    assert_int_equal(boot(&res), SDB_OK);
    assert_int_equal(res.event, SDBOOT_EV_INSTALLED);
    assert_null(strstr(logbuf, "repair"));
    assert_null(strstr(logbuf, "checking the card"));
}

/* Release 2 installed, the user's files byte-identical, fsck.fat -n clean. */
static void assert_r2_over_user_files(void)
{
    struct sdb_fat_vol vol;
    assert_int_equal(sdb_fat_mount(&vol, &ram.bd, true), SDB_OK);
    assert_user_files(&vol);
    char why[256];
    assert_true(fx_tree_is(&ram.bd, &fx_r2, why, sizeof why) || !fprintf(stderr, "%s\n", why));
    static char report[4096];
    assert_int_equal(sdb_test_fsck_clean_mem(card, card_bytes, report, sizeof report), 1);
}

/* A managed file the install replaces shares the user's clusters: its chain
 * must not be freed with the user's data in it (the check before installing
 * finds it and gives the clusters to the user). */
static void install_over_cross_linked_managed_file(void **state)
{
    (void)state;
    provision(20u << 20, 16, false);
    cross_link("/main.py", fx_user_path);
    assert_int_equal(fx_stage(&ram.bd, &fx_r2, NULL, 0), SDB_OK);
    struct sdboot_result res;
    assert_int_equal(boot(&res), SDB_OK);
    expect_log("sdboot's files on the card are damaged: repairing them first\n"
               "repair: /main.py: starts in another entry's clusters: removed\n");
    assert_int_equal(res.event, SDBOOT_EV_INSTALLED);
    assert_r2_over_user_files();
}

/* A card sdboot never booted: the user's files, an /app left by hand, and
 * fx_r2 staged (a card prepared on a host). No state, no record file. */
static void card_staged_before_first_boot(void)
{
    struct sdb_fat_vol vol;
    format_with_user_files(20u << 20, 16, false, &vol);
    assert_int_equal(sdb_fat_mkdir(&vol, "/app"), SDB_OK);
    assert_int_equal(put_file(&vol, "/app/old.py", big, 5000), SDB_OK);
    assert_int_equal(sdb_fat_unmount(&vol), SDB_OK);
    assert_int_equal(fx_stage(&ram.bd, &fx_r2, NULL, 0), SDB_OK);
}

/* Its first boot checks chains only (no state, so no work of its own a cut
 * could have left), and that walk still finds an /app file running into the
 * user's clusters: the full repair gives them to the user before the install
 * frees /app. */
static void first_boot_of_a_staged_card_guards_user_clusters(void **state)
{
    (void)state;
    card_staged_before_first_boot();
    cross_link("/app/old.py", fx_user_path);
    struct sdboot_result res;
    assert_int_equal(boot(&res), SDB_OK);
    expect_log("repair: /app/old.py: starts in another entry's clusters: removed\n");
    assert_int_equal(res.event, SDBOOT_EV_INSTALLED);
    assert_r2_over_user_files();
}

/* Up to `most` free clusters, past the first `keep` free ones, marked
 * allocated (end of chain) in both FATs of a FAT16 card: leaks, as a cut
 * between a FAT write and its entry leaves them. */
static uint32_t leak_free_clusters(uint32_t keep, uint32_t most)
{
    struct sdb_fat_vol vol;
    assert_int_equal(sdb_fat_mount(&vol, &ram.bd, true), SDB_OK);
    uint32_t leaked = 0;
    for (uint32_t c = 2; c < vol.nclusters + 2 && leaked < most; c++) {
        uint8_t *e = card + (size_t)vol.fat_lba * 512 + 2 * c;
        if (sdb_get_le16(e))
            continue;
        if (keep) {
            keep--;
            continue;
        }
        for (uint8_t i = 0; i < vol.nfats; i++)
            sdb_put_le16(e + (size_t)i * vol.fat_sectors * 512, 0xFFFF);
        leaked++;
    }
    return leaked;
}

/* Record files that do not read are an initialisation cut short (or
 * damage): that card gets the full check, which frees the lost cluster. */
static void cut_initialisation_gets_the_full_check(void **state)
{
    (void)state;
    card_staged_before_first_boot();
    struct sdb_fat_vol vol;
    assert_int_equal(sdb_fat_mount(&vol, &ram.bd, false), SDB_OK);
    assert_int_equal(put_file(&vol, SDB_DIR "/state.b", big, 100), SDB_OK); /* short */
    assert_int_equal(sdb_fat_unmount(&vol), SDB_OK);
    assert_int_equal(leak_free_clusters(0, 1), 1);
    struct sdboot_result res;
    assert_int_equal(boot(&res), SDB_OK);
    expect_log("file system repaired (1 fixes)\n");
    assert_int_equal(res.event, SDBOOT_EV_INSTALLED);
    static char report[4096];
    assert_int_equal(sdb_test_fsck_clean_mem(card, card_bytes, report, sizeof report), 1);
}

/* The guard before an install does not sweep lost clusters: an install that
 * runs out of space does, then unpacks again. A card really full (no leaks)
 * still refuses the release, keeping the old one. */
static void expect_leaks_reclaimed(bool delta)
{
    provision_as(20u << 20, 16, false, delta);
    assert_int_equal(delta ? fx_stage_delta(&ram.bd, &fx_r2, &fx_r1, NULL, 0, NULL)
                           : fx_stage(&ram.bd, &fx_r2, NULL, 0),
                     SDB_OK);
    uint32_t leaked = leak_free_clusters(1, UINT32_MAX);
    struct sdboot_result res;
    assert_int_equal(boot(&res), SDB_OK);
    char line[96];
    snprintf(line, sizeof line, "card full: freed %u lost clusters, unpacking 1.1.0 again\n",
             (unsigned)leaked);
    expect_log(line);
    assert_int_equal(res.event, SDBOOT_EV_INSTALLED);
    assert_r2_over_user_files();
    struct sdboot_state st;
    assert_int_equal(fx_state(&ram.bd, &st), SDB_OK);
    assert_int_equal(st.delta, delta);
}

static void full_card_of_leaks_is_reclaimed(void **state)
{
    (void)state;
    expect_leaks_reclaimed(false);
}

static void full_card_of_leaks_is_reclaimed_for_a_delta(void **state)
{
    (void)state;
    expect_leaks_reclaimed(true);
}

static void really_full_card_refuses_the_release(void **state)
{
    (void)state;
    provision(20u << 20, 16, false);
    assert_int_equal(fx_stage(&ram.bd, &fx_r2, NULL, 0), SDB_OK);
    /* the space taken by a user file, not leaked: nothing to reclaim */
    struct sdb_fat_vol vol;
    assert_int_equal(sdb_fat_mount(&vol, &ram.bd, false), SDB_OK);
    static uint8_t fill[64u << 10];
    memset(fill, 0x5a, sizeof fill);
    struct sdb_fat_file f;
    assert_int_equal(sdb_fat_open(&vol, &f, "/filler.bin", SDB_FAT_WRITE | SDB_FAT_CREATE), 0);
    int err;
    while ((err = sdb_fat_write(&f, fill, sizeof fill)) == SDB_OK)
        ;
    assert_int_equal(err, SDB_FAT_ENOSPC);
    assert_int_equal(sdb_fat_close(&f), SDB_OK);
    assert_int_equal(sdb_fat_unmount(&vol), SDB_OK);
    struct sdboot_result res;
    assert_int_equal(boot(&res), SDB_OK);
    assert_null(strstr(logbuf, "card full: freed"));
    assert_int_equal(res.event, SDBOOT_EV_INSTALL_FAILED);
    assert_int_equal(res.error, SDB_FAT_ENOSPC);
    assert_string_equal(res.version, "1.0.0");
    static char report[4096];
    assert_int_equal(sdb_test_fsck_clean_mem(card, card_bytes, report, sizeof report), 1);
}

/* ---- never stuck: odd entries in /.sdboot ---- */

static void make_dir(const char *path)
{
    struct sdb_fat_vol vol;
    assert_int_equal(sdb_fat_mount(&vol, &ram.bd, false), SDB_OK);
    assert_int_equal(sdb_fat_mkdir(&vol, path), SDB_OK);
    assert_int_equal(sdb_fat_unmount(&vol), SDB_OK);
}

static void replace_with_file(const char *path, const char *content)
{
    struct sdb_fat_vol vol;
    struct sdb_fat_stat st;
    assert_int_equal(sdb_fat_mount(&vol, &ram.bd, false), SDB_OK);
    if (sdb_fat_stat(&vol, path, &st) == SDB_OK && st.is_dir) {
        struct sdb_fat_dir d;
        struct sdb_fat_dirent e;
        char child[SDB_FAT_PATH_MAX + 1];
        assert_int_equal(sdb_fat_opendir(&vol, &d, path), SDB_OK);
        while (sdb_fat_readdir(&d, &e) == SDB_OK) {
            snprintf(child, sizeof child, "%s/%s", path, e.name);
            assert_int_equal(sdb_fat_unlink(&vol, child), SDB_OK);
            assert_int_equal(sdb_fat_opendir(&vol, &d, path), SDB_OK);
        }
        assert_int_equal(sdb_fat_rmdir(&vol, path), SDB_OK);
    } else if (sdb_fat_stat(&vol, path, &st) == SDB_OK) {
        assert_int_equal(sdb_fat_unlink(&vol, path), SDB_OK);
    }
    assert_int_equal(put_file(&vol, path, content, (uint32_t)strlen(content)), SDB_OK);
    assert_int_equal(sdb_fat_unmount(&vol), SDB_OK);
}

/* Boot: a decision and `first` logged; boot again: nothing odd left. fsck.fat
 * -n finds the card clean, or (fsck_says) only what was set aside. */
static void odd_boots_then_clean_but(const char *first, enum sdboot_decision want,
                                     const char *fsck_says)
{
    struct sdboot_result res;
    assert_int_equal(boot(&res), SDB_OK);
    expect_log(first);
    assert_int_equal(res.decision, want);
    assert_int_not_equal(res.event, SDBOOT_EV_FORMATTED);
    assert_int_equal(boot(&res), SDB_OK);
    assert_int_equal(res.decision, want);
    assert_null(strstr(logbuf, "set aside"));
    assert_null(strstr(logbuf, "cut during file-system work"));
    struct sdb_fat_vol vol;
    sdb_bd_ram_init(&ram, card, (uint32_t)(card_bytes / SDB_SECTOR_SIZE));
    assert_int_equal(sdb_fat_mount(&vol, &ram.bd, true), SDB_OK);
    assert_user_files(&vol);
    static char report[4096];
    int clean = sdb_test_fsck_clean_mem(card, card_bytes, report, sizeof report);
    if (fsck_says) {
        assert_int_equal(clean, 0);
        if (!strstr(report, fsck_says) || strstr(report, "notes") || strstr(report, "big.bin"))
            fail_msg("fsck.fat:\n%s", report);
    } else if (clean != 1) {
        fail_msg("fsck.fat:\n%s", report);
    }
}

static void odd_boots_then_clean(const char *first, enum sdboot_decision want)
{
    odd_boots_then_clean_but(first, want, NULL);
}

/* A provisioned card whose .sdboot directory has its attribute flipped: it
 * reads as a file. */
static void provision_sdboot_as_a_file(void)
{
    provision(4u << 20, 12, false);
    struct sdb_fat_vol vol;
    assert_int_equal(sdb_fat_mount(&vol, &ram.bd, true), SDB_OK);
    uint8_t *root = card + (size_t)vol.root_lba * 512;
    bool flipped = false;
    for (unsigned i = 0; i < vol.root_sectors * 16 && !flipped; i++) {
        uint8_t *e = root + i * 32;
        if (!memcmp(e, "SDBOOT~1   ", 11) || !memcmp(e, ".SDBOOT    ", 11)) {
            e[11] &= (uint8_t)~0x10;
            flipped = true;
        }
    }
    assert_true(flipped);
}

#if SDBOOT_ODD_CHECK
static void odd_confirm_directory(void **state)
{
    (void)state;
    provision(4u << 20, 12, false);
    make_dir(SDB_CONFIRM);
    odd_boots_then_clean("set aside /.sdboot/confirm (a directory where a file belongs) as "
                         "/.sdboot/confirm.odd\n",
                         SDBOOT_RUN_CARD);
}

static void odd_staging_file(void **state)
{
    (void)state;
    provision(4u << 20, 12, false);
    replace_with_file(SDB_STAGING_DIR, "not a directory");
    odd_boots_then_clean("set aside /.sdboot/staging (a file where a directory belongs) as "
                         "/.sdboot/staging.odd\n",
                         SDBOOT_RUN_CARD);
}

static void odd_state_record_directory(void **state)
{
    (void)state;
    provision(4u << 20, 12, false);
    replace_with_file(SDB_DIR "/state.a", "x");
    make_dir(SDB_DIR "/state.b.tmp");
    struct sdb_fat_vol vol;
    assert_int_equal(sdb_fat_mount(&vol, &ram.bd, false), SDB_OK);
    assert_int_equal(sdb_fat_unlink(&vol, SDB_DIR "/state.b"), SDB_OK);
    assert_int_equal(sdb_fat_rename(&vol, SDB_DIR "/state.b.tmp", SDB_DIR "/state.b", false), 0);
    assert_int_equal(sdb_fat_unmount(&vol), SDB_OK);
    odd_boots_then_clean("set aside /.sdboot/state.b (a directory where a file belongs) as "
                         "/.sdboot/state.b.odd\n",
                         SDBOOT_RUN_CARD);
}

/* The .sdboot directory's attribute flipped: it reads as a file. */
static void odd_sdboot_not_a_directory(void **state)
{
    (void)state;
    provision_sdboot_as_a_file();
    /* fsck.fat sees the set-aside entry for what it is: a file with a chain */
    odd_boots_then_clean_but("set aside /.sdboot (a file where sdboot's directory belongs) as "
                             "/.sdboot.odd\n",
                             SDBOOT_RUN_CARD,
                             "/.sdboot.odd\n  File size is 0 bytes, cluster chain length is > 0 "
                             "bytes.");
}

#else /* as the bare-metal port builds it: no look over /.sdboot (SDBOOT_ODD_CHECK 0) */
/* Without the look over /.sdboot, an odd entry stays where it is and stops
 * the work that would use it, nothing else: boot twice, each time `want`
 * and `error`; the second boot writes nothing (nothing is left to do or
 * retry), the odd entry is still there, the user's files are whole and
 * fsck.fat -n finds the card clean. */
static void odd_stays(const char *odd, bool is_dir, enum sdboot_decision want, int error)
{
    struct sdboot_result res;
    for (int i = 0; i < 2; i++) {
        assert_int_equal(boot(&res), SDB_OK);
        assert_int_equal(res.decision, want);
        assert_int_equal(res.error, error);
        assert_int_not_equal(res.event, SDBOOT_EV_FORMATTED);
    }
    assert_int_equal(ram.bd.stats.sectors_written, 0);
    struct sdb_fat_vol vol;
    struct sdb_fat_stat st;
    assert_int_equal(sdb_fat_mount(&vol, &ram.bd, true), SDB_OK);
    assert_int_equal(sdb_fat_stat(&vol, odd, &st), SDB_OK);
    assert_int_equal(st.is_dir, is_dir);
    assert_user_files(&vol);
    static char report[4096];
    if (sdb_test_fsck_clean_mem(card, card_bytes, report, sizeof report) != 1)
        fail_msg("fsck.fat:\n%s", report);
}

static void stage_r2(void)
{
    assert_int_equal(fx_stage(&ram.bd, &fx_r2, NULL, 0), SDB_OK);
}

/* provision, 1.0.0 confirmed: a boot with nothing to do writes nothing. */
static void provision_confirmed(void)
{
    provision(4u << 20, 12, false);
    struct sdboot_result res;
    assert_int_equal(fx_confirm(&ram.bd), SDB_OK);
    assert_int_equal(boot(&res), SDB_OK);
    assert_int_equal(res.event, SDBOOT_EV_CONFIRMED);
}

/* A directory where the confirm record belongs: no confirmation
 * (SDBOOT_EODD), the trial still counted; an install still goes through,
 * the directory left as it is. */
static void odd_confirm_directory(void **state)
{
    (void)state;
    provision(4u << 20, 12, false);
    make_dir(SDB_CONFIRM);
    struct sdboot_result res;
    assert_int_equal(boot(&res), SDB_OK);
    assert_int_equal(res.error, SDBOOT_EODD);
    assert_int_equal(res.trials_used, 1);
    stage_r2();
    assert_int_equal(boot(&res), SDB_OK);
    assert_int_equal(res.event, SDBOOT_EV_INSTALLED);
    assert_string_equal(res.version, "1.1.0");
    assert_int_equal(boot(&res), SDB_OK);
    assert_int_equal(res.decision, SDBOOT_RUN_CARD);
    assert_int_equal(res.error, SDBOOT_EODD);
    assert_int_equal(res.trials_used, 1);
    char why[256];
    assert_true(fx_tree_is(&ram.bd, &fx_r2, why, sizeof why) || !fprintf(stderr, "%s\n", why));
    struct sdb_fat_vol vol;
    struct sdb_fat_stat st;
    assert_int_equal(sdb_fat_mount(&vol, &ram.bd, true), SDB_OK);
    assert_int_equal(sdb_fat_stat(&vol, SDB_CONFIRM, &st), SDB_OK);
    assert_true(st.is_dir);
    assert_user_files(&vol);
    static char report[4096];
    if (sdb_test_fsck_clean_mem(card, card_bytes, report, sizeof report) != 1)
        fail_msg("fsck.fat:\n%s", report);
}

/* A file where the staging directory belongs: nothing is staged. */
static void odd_staging_file(void **state)
{
    (void)state;
    provision_confirmed();
    replace_with_file(SDB_STAGING_DIR, "not a directory");
    odd_stays(SDB_STAGING_DIR, false, SDBOOT_RUN_CARD, SDB_OK);
    assert_card_whole();
}

/* A directory where a state record belongs, the other record valid: a boot
 * with nothing to do runs as ever; one with work (a staged release) stops at
 * its first record write, to that name, before anything is written, and the
 * installed release runs as it is. */
static void odd_state_record_directory(void **state)
{
    (void)state;
    provision_confirmed();
    struct sdboot_state st;
    assert_int_equal(fx_state(&ram.bd, &st), SDB_OK);
    const char *older = st.seq & 1 ? SDB_DIR "/state.b" : SDB_DIR "/state.a";
    replace_with_file(older, "x");
    struct sdb_fat_vol vol;
    assert_int_equal(sdb_fat_mount(&vol, &ram.bd, false), SDB_OK);
    assert_int_equal(sdb_fat_unlink(&vol, older), SDB_OK);
    assert_int_equal(sdb_fat_mkdir(&vol, older), SDB_OK);
    assert_int_equal(sdb_fat_unmount(&vol), SDB_OK);
    struct sdboot_result res;
    assert_int_equal(boot(&res), SDB_OK);
    assert_int_equal(res.decision, SDBOOT_RUN_CARD);
    assert_int_equal(res.error, SDB_OK);
    assert_int_equal(ram.bd.stats.sectors_written, 0);
    stage_r2();
    odd_stays(older, true, SDBOOT_RUN_CARD, SDB_FAT_EISDIR);
    assert_card_whole();
    assert_int_equal(sdb_fat_mount(&vol, &ram.bd, true), SDB_OK);
    assert_true(fx_file_equals(&vol, SDB_STAGE_ARCHIVE, fx_r2.tar, (uint32_t)fx_r2.tar_len));
}

/* The .sdboot directory's attribute flipped: it reads as a file. Neither
 * record reads: no work at all, nothing runs; with the recovery pin held,
 * the card is for /sd as ever. Not one sector written. */
static void odd_sdboot_not_a_directory(void **state)
{
    (void)state;
    provision_sdboot_as_a_file();
    memcpy(damaged, card, card_bytes);
    struct sdboot_result res;
    for (int pin = 0; pin < 2; pin++) {
        pin_held = pin;
        assert_int_equal(boot(&res), SDB_OK);
        pin_held = false;
        assert_int_equal(res.decision, pin ? SDBOOT_MOUNT_SD : SDBOOT_INTERNAL);
        assert_int_equal(res.error, SDBOOT_EODD);
        assert_memory_equal(card, damaged, card_bytes);
    }
}

/* A directory where one of sdboot's files belongs (an archive, a record kept
 * beside it, the repair's scratch file or marker): a staged release is
 * refused with SDBOOT_EODD (its staged files deleted, nothing else written
 * outside the state), the installed release keeps running; the clean-up
 * stops before it writes. */
static void odd_sdboot_file_directory(void **state)
{
    (void)state;
    static const char *const odd[] = {SDB_DIR "/current.rec", SDB_DIR "/previous.tar",
                                      SDB_DIR "/fix.tmp", SDB_DIR "/repairing"};
    for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++) {
        provision_confirmed();
        struct sdb_fat_vol vol;
        assert_int_equal(sdb_fat_mount(&vol, &ram.bd, false), SDB_OK);
        int err = sdb_fat_unlink(&vol, odd[i]);
        assert_true(err == SDB_OK || err == SDB_FAT_ENOENT);
        assert_int_equal(sdb_fat_mkdir(&vol, odd[i]), SDB_OK);
        assert_int_equal(sdb_fat_unmount(&vol), SDB_OK);
        stage_r2();
        struct sdboot_result res;
        assert_int_equal(boot(&res), SDB_OK);
        assert_int_equal(res.event, SDBOOT_EV_INSTALL_FAILED);
        assert_string_equal(res.version, "1.0.0");
        bool tidy_stops = i >= 2; /* a leftover of the repair: found by the clean-up too */
        assert_int_equal(res.error, SDBOOT_EODD);
        assert_int_equal(sdb_fat_mount(&vol, &ram.bd, true), SDB_OK);
        assert_int_equal(sdb_fat_stat(&vol, SDB_STAGE_PENDING, &(struct sdb_fat_stat){0}),
                         SDB_FAT_ENOENT);
        assert_int_equal(sdb_fat_unmount(&vol), SDB_OK);
        odd_stays(odd[i], true, SDBOOT_RUN_CARD, tidy_stops ? SDBOOT_EODD : SDB_OK);
        assert_card_whole();
    }
}

/* A file where sdboot's work area next/ belongs is a leftover like any
 * other: removed by the clean-up (nothing outside /.sdboot is). */
static void odd_work_area_file(void **state)
{
    (void)state;
    provision_confirmed();
    replace_with_file(SDB_DIR "/next", "not a directory");
    struct sdboot_result res;
    assert_int_equal(boot(&res), SDB_OK);
    assert_int_equal(res.decision, SDBOOT_RUN_CARD);
    assert_int_equal(res.error, SDB_OK);
    struct sdb_fat_vol vol;
    assert_int_equal(sdb_fat_mount(&vol, &ram.bd, true), SDB_OK);
    struct sdb_fat_stat st;
    assert_int_equal(sdb_fat_stat(&vol, SDB_DIR "/next", &st), SDB_FAT_ENOENT);
    assert_card_whole();
}
#endif

#define CURRENT_TAR_PATH SDB_DIR "/current.tar"

/* No /main.py and an archive that is not a release: the internal path, with
 * the reason; the archive set aside. */
static void odd_garbage_archive_without_main(void **state)
{
    (void)state;
    provision(4u << 20, 12, false);
    replace_with_file(SDB_DIR "/current.tar", "this is not a tar archive at all, just text");
    struct sdb_fat_vol vol;
    assert_int_equal(sdb_fat_mount(&vol, &ram.bd, false), SDB_OK);
    assert_int_equal(sdb_fat_unlink(&vol, "/main.py"), SDB_OK);
    assert_int_equal(sdb_fat_unmount(&vol), SDB_OK);
#if SDBOOT_ODD_CHECK
    odd_boots_then_clean("set aside /.sdboot/current.tar (", SDBOOT_INTERNAL);
#else /* renamed to current.tar.odd by the boot itself, over one set aside before */
    replace_with_file(SDB_DIR "/current.tar.odd", "an archive set aside by an earlier boot");
    struct sdboot_result res;
    assert_int_equal(boot(&res), SDB_OK);
    assert_int_equal(res.decision, SDBOOT_INTERNAL);
    assert_int_equal(res.error, SDBOOT_ENOARCHIVE);
    assert_int_equal(sdb_fat_mount(&vol, &ram.bd, true), SDB_OK);
    static const char text[] = "this is not a tar archive at all, just text";
    assert_true(fx_file_equals(&vol, SDB_DIR "/current.tar.odd", text, sizeof text - 1));
    assert_int_equal(sdb_fat_stat(&vol, CURRENT_TAR_PATH, &(struct sdb_fat_stat){0}),
                     SDB_FAT_ENOENT);
    odd_boots_then_clean("", SDBOOT_INTERNAL);
#endif
    expect_log("no /main.py on the card and no archive to restore it from: using internal file "
               "system\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fat32_fields_mended),
        cmocka_unit_test(fat16_fat12_fields_untouched),
        cmocka_unit_test(mbr_damage_untouched),
        cmocka_unit_test(short_card_untouched),
        cmocka_unit_test(blank_and_foreign_still_formatted),
        cmocka_unit_test(crosslink_managed_file_user_file),
        cmocka_unit_test(crosslink_managed_dir_user_dir),
        cmocka_unit_test(crosslink_top_level_release_file),
        cmocka_unit_test(no_repair_unless_interrupted),
        cmocka_unit_test(install_over_cross_linked_managed_file),
        cmocka_unit_test(first_boot_of_a_staged_card_guards_user_clusters),
        cmocka_unit_test(cut_initialisation_gets_the_full_check),
        cmocka_unit_test(full_card_of_leaks_is_reclaimed),
        cmocka_unit_test(full_card_of_leaks_is_reclaimed_for_a_delta),
        cmocka_unit_test(really_full_card_refuses_the_release),
        cmocka_unit_test(odd_confirm_directory),
        cmocka_unit_test(odd_staging_file),
        cmocka_unit_test(odd_state_record_directory),
        cmocka_unit_test(odd_sdboot_not_a_directory),
#if !SDBOOT_ODD_CHECK
        cmocka_unit_test(odd_sdboot_file_directory),
        cmocka_unit_test(odd_work_area_file),
#endif
        cmocka_unit_test(odd_garbage_archive_without_main),
    };
    fx_build(&fx_r1);
    fx_build(&fx_r2);
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    free(pristine), free(card), free(damaged);
    return rc;
}
