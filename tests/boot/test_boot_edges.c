/*
 * Edges of the boot engine a user meets (issues 15 and 16): a state whose two
 * records are both lost is rebuilt from what the card keeps, a repair run of
 * the same power-on counts no second trial boot, and a release refused for
 * what it is stays named in the state for the OTA client. Each case checks the exact
 * log line and that nothing but the state records changed on the card.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "boot_fixture.h"
#include "sdboot/bd_ram.h"
#include "sdboot/crc32.h"
#include "sdboot/release.h"
#include "sdboot/semver.h"

#define CARD_BYTES (1u << 20)
static uint8_t mem[CARD_BYTES];
static struct sdb_bd_ram ram;
static struct sdboot engine;

static int boot_cfg(bool repair, struct sdboot_result *res)
{
    struct sdboot_config cfg = SDBOOT_CONFIG_DEFAULTS;
    cfg.log = fx_log_line;
    cfg.repair = repair;
    fx_log[0] = '\0';
    return sdboot_boot(&engine, &ram.bd, &cfg, res);
}

static int reset(void **state)
{
    (void)state;
    memset(mem, 0, sizeof mem);
    sdb_bd_ram_init(&ram, mem, CARD_BYTES / 512);
    fx_build(&fx_r1);
    fx_build(&fx_r2);
    return 0;
}

static struct sdb_fat_vol *mount_rw(void)
{
    static struct sdb_fat_vol vol;
    assert_int_equal(sdb_fat_mount(&vol, &ram.bd, false), SDB_OK);
    return &vol;
}

/* 1.0.0 installed and confirmed, then 1.1.0 installed and booted once (trial 1 of 3). */
static void two_releases(void)
{
    struct sdboot_result res;
    assert_int_equal(fx_new_card(&ram.bd), SDB_OK);
    assert_int_equal(fx_stage(&ram.bd, &fx_r1, NULL, 0), SDB_OK);
    assert_int_equal(boot_cfg(false, &res), SDB_OK);
    assert_int_equal(fx_confirm(&ram.bd), SDB_OK);
    assert_int_equal(boot_cfg(false, &res), SDB_OK);
    assert_int_equal(fx_stage(&ram.bd, &fx_r2, NULL, 0), SDB_OK);
    assert_int_equal(boot_cfg(false, &res), SDB_OK);
    assert_int_equal(res.event, SDBOOT_EV_INSTALLED);
    assert_int_equal(boot_cfg(false, &res), SDB_OK);
    assert_int_equal(res.trials_used, 1);
}

/* Flip bytes inside a record file (in place: the FAT and directory stay). */
static void flip_bytes(const char *path, uint32_t at)
{
    struct sdb_fat_vol *vol = mount_rw();
    struct sdb_fat_file f;
    uint8_t buf[SDB_RECORD_SIZE];
    uint32_t got;
    assert_int_equal(sdb_fat_open(vol, &f, path, SDB_FAT_READ | SDB_FAT_WRITE), SDB_OK);
    assert_int_equal(sdb_fat_read(&f, buf, sizeof buf, &got), SDB_OK);
    assert_int_equal(got, SDB_RECORD_SIZE);
    buf[at] ^= 0x5a;
    buf[at + 1] ^= 0xa5;
    assert_int_equal(sdb_fat_overwrite_sector(&f, 0, buf), SDB_OK);
    assert_int_equal(sdb_fat_close(&f), SDB_OK);
    assert_int_equal(sdb_fat_unmount(vol), SDB_OK);
}

static void damage_both_records(void)
{
    flip_bytes("/.sdboot/state.a", 40); /* inside the installed version */
    flip_bytes("/.sdboot/state.b", 17); /* phase and flags */
    struct sdboot_state st;
    struct sdb_fat_vol vol;
    assert_int_equal(sdb_fat_mount(&vol, &ram.bd, true), SDB_OK);
    assert_int_equal(sdboot_read_state(&vol, &st), SDBOOT_ESTATE);
}

static void remove_file(const char *path)
{
    struct sdb_fat_vol *vol = mount_rw();
    assert_int_equal(sdb_fat_unlink(vol, path), SDB_OK);
    assert_int_equal(sdb_fat_unmount(vol), SDB_OK);
}

/* Every file on the card (path, size, CRC-32), but the two state records. */
static void walk(struct sdb_fat_vol *vol, const char *dir, char *out, size_t cap)
{
    struct sdb_fat_dir d;
    struct sdb_fat_dirent e;
    assert_int_equal(sdb_fat_opendir(vol, &d, dir), SDB_OK);
    while (sdb_fat_readdir(&d, &e) == SDB_OK) {
        char path[SDB_FAT_PATH_MAX + 1];
        snprintf(path, sizeof path, "%s/%s", strcmp(dir, "/") ? dir : "", e.name);
        if (e.st.is_dir) {
            snprintf(out + strlen(out), cap - strlen(out), "%s/\n", path);
            walk(vol, path, out, cap);
            continue;
        }
        if (!strcmp(path, "/.sdboot/state.a") || !strcmp(path, "/.sdboot/state.b"))
            continue;
        static uint8_t buf[4096];
        struct sdb_fat_file f;
        uint32_t crc = 0, got;
        assert_int_equal(sdb_fat_open(vol, &f, path, SDB_FAT_READ), SDB_OK);
        while (sdb_fat_read(&f, buf, sizeof buf, &got) == SDB_OK && got)
            crc = sdb_crc32(crc, buf, got);
        sdb_fat_close(&f);
        snprintf(out + strlen(out), cap - strlen(out), "%s %u %08x\n", path, (unsigned)e.st.size,
                 (unsigned)crc);
    }
}

static void card_files(char *out, size_t cap)
{
    struct sdb_fat_vol vol;
    out[0] = '\0';
    assert_int_equal(sdb_fat_mount(&vol, &ram.bd, true), SDB_OK);
    walk(&vol, "/", out, cap);
}

static void expect_state(const char *installed, const char *previous, bool confirmed)
{
    struct sdboot_state st;
    assert_int_equal(fx_state(&ram.bd, &st), SDB_OK);
    assert_string_equal(st.installed, installed);
    assert_string_equal(st.previous, previous);
    assert_int_equal(st.confirmed, confirmed);
    assert_int_equal(st.phase, SDBOOT_PHASE_IDLE);
    assert_int_equal(st.trials_used, 0);
    assert_int_equal(st.trial_max, SDBOOT_DEFAULT_TRIAL_BOOTS);
    assert_false(st.fs_dirty);
}

/* The boot after the records were lost: its exact log (the rebuild line from
 * "installed", then `rest`), the release runs, and every file on the card but
 * the two state records is as it was. */
static void rebuild_boot(struct sdboot_result *res, const char *rest)
{
    static char before[4096], after[4096], want[1024];
    card_files(before, sizeof before);
    assert_int_equal(boot_cfg(false, res), SDB_OK);
    snprintf(want, sizeof want,
             "no valid boot state record (damaged or missing): rebuilding it from what the card "
             "keeps\nboot state rebuilt from the card: %s",
             rest);
    assert_string_equal(fx_log, want);
    assert_int_equal(res->decision, SDBOOT_RUN_CARD);
    card_files(after, sizeof after);
    assert_string_equal(after, before);
}

static void lost_state_is_rebuilt_from_kept_records(void **state)
{
    (void)state;
    two_releases();
    damage_both_records();
    static char files[4096];
    card_files(files, sizeof files);
    assert_non_null(strstr(files, "/.sdboot/current.rec 512 "));
    assert_non_null(strstr(files, "/.sdboot/previous.rec 512 "));
    struct sdboot_result res;
    rebuild_boot(&res, "installed 1.1.0 (current.rec: matches its archive), previous 1.0.0 "
                       "(previous.rec: matches its archive), on trial again until confirmed\n"
                       "release 1.1.0 on trial: boot 1 of 3\n");
    assert_int_equal(res.event, SDBOOT_EV_REBUILT);
    assert_int_equal(res.error, SDB_OK);
    assert_string_equal(res.version, "1.1.0");
    assert_true(res.on_trial);
    char why[256];
    if (!fx_tree_is(&ram.bd, &fx_r2, why, sizeof why))
        fail_msg("%s", why);
    struct sdboot_state st;
    assert_int_equal(fx_state(&ram.bd, &st), SDB_OK);
    assert_int_equal(st.trials_used, 1);
    assert_int_equal(st.last_event, SDBOOT_EV_REBUILT);

    /* the floor is kept: 1.0.5 is newer than the previous release, not the installed */
    static struct fx_release older = {
        .version = "1.0.5", .files = {{"main.py", "older"}}, .nfiles = 1};
    fx_build(&older);
    assert_int_equal(fx_stage(&ram.bd, &older, NULL, 0), SDB_OK);
    assert_int_equal(boot_cfg(false, &res), SDB_OK);
    assert_int_equal(res.event, SDBOOT_EV_INSTALL_FAILED);
    assert_int_equal(res.error, SDB_POLICY_EOLDER);
    if (!fx_tree_is(&ram.bd, &fx_r2, why, sizeof why))
        fail_msg("%s", why);
    /* and the rollback state: unconfirmed, 1.1.0 goes back to 1.0.0 */
    for (int i = 0; i < 2; i++)
        assert_int_equal(boot_cfg(false, &res), SDB_OK);
    assert_int_equal(res.event, SDBOOT_EV_ROLLED_BACK);
    assert_string_equal(res.version, "1.0.0");
    if (!fx_tree_is(&ram.bd, &fx_r1, why, sizeof why))
        fail_msg("%s", why);
}

static void rebuilt_release_is_confirmed_by_its_record(void **state)
{
    (void)state;
    two_releases();
    assert_int_equal(fx_confirm(&ram.bd), SDB_OK); /* written, not yet folded in */
    damage_both_records();
    struct sdboot_result res;
    assert_int_equal(boot_cfg(false, &res), SDB_OK);
    assert_non_null(strstr(fx_log, "release 1.1.0 confirmed by the application\n"));
    assert_int_equal(res.event, SDBOOT_EV_CONFIRMED);
    assert_false(res.on_trial);
    expect_state("1.1.0", "1.0.0", true);
}

static void lost_state_still_repairs_the_release(void **state)
{
    (void)state;
    two_releases();
    damage_both_records();
    remove_file("/main.py");
    remove_file("/app/c.py");
    struct sdboot_result res;
    assert_int_equal(boot_cfg(false, &res), SDB_OK);
    assert_non_null(strstr(fx_log, "boot state rebuilt from the card: installed 1.1.0"));
    assert_non_null(strstr(fx_log, "restored 2 damaged or missing files of 1.1.0\n"));
    assert_int_equal(res.decision, SDBOOT_RUN_CARD);
    assert_string_equal(res.version, "1.1.0");
    char why[256];
    if (!fx_tree_is(&ram.bd, &fx_r2, why, sizeof why))
        fail_msg("%s", why);
}

/* A card written before the bootloader kept records: the release still runs
 * and is repaired, its version is said to be unknown, nothing is rolled back. */
static void archive_without_record_rebuilds_as_unknown(void **state)
{
    (void)state;
    two_releases();
    remove_file("/.sdboot/current.rec");
    remove_file("/.sdboot/previous.rec");
    damage_both_records();
    struct sdboot_result res;
    rebuild_boot(&res, "installed unknown (current.rec: no record beside the archive), previous "
                       "none (previous.rec: no record beside the archive), confirmed\n");
    assert_string_equal(res.version, SDB_VERSION_UNKNOWN);
    assert_false(res.on_trial);
    expect_state(SDB_VERSION_UNKNOWN, "", true);
    /* with no floor known, any newer release installs */
    static struct fx_release next = {
        .version = "0.2.0", .files = {{"main.py", "next"}}, .nfiles = 1};
    fx_build(&next);
    assert_int_equal(fx_stage(&ram.bd, &next, NULL, 0), SDB_OK);
    assert_int_equal(boot_cfg(false, &res), SDB_OK);
    assert_int_equal(res.event, SDBOOT_EV_INSTALLED);
    assert_string_equal(res.version, "0.2.0");
}

/* A record whose archive has other bytes is not believed. */
static void stale_record_is_not_believed(void **state)
{
    (void)state;
    two_releases();
    struct sdb_fat_vol *vol = mount_rw();
    assert_int_equal(sdb_fat_rename(vol, "/.sdboot/previous.rec", "/.sdboot/current.rec", true),
                     SDB_OK);
    assert_int_equal(sdb_fat_unmount(vol), SDB_OK);
    damage_both_records();
    struct sdboot_result res;
    assert_int_equal(boot_cfg(false, &res), SDB_OK);
    assert_non_null(strstr(fx_log,
                           "boot state rebuilt from the card: installed unknown "
                           "(current.rec: record does not match the archive), previous "
                           "none (previous.rec: no record beside the archive), confirmed\n"));
    assert_string_equal(res.version, SDB_VERSION_UNKNOWN);
}

/* Both record files gone, the archives kept: rebuilt, not "new". */
static void missing_records_with_archives_are_rebuilt(void **state)
{
    (void)state;
    two_releases();
    remove_file("/.sdboot/state.a");
    remove_file("/.sdboot/state.b");
    struct sdboot_result res;
    assert_int_equal(boot_cfg(false, &res), SDB_OK);
    assert_int_equal(res.event, SDBOOT_EV_REBUILT);
    assert_null(strstr(fx_log, "initialised"));
    assert_string_equal(res.version, "1.1.0");
}

/* A card with no sdboot data at all is still new. */
static void card_without_sdboot_data_is_new(void **state)
{
    (void)state;
    assert_int_equal(fx_new_card(&ram.bd), SDB_OK);
    remove_file("/.sdboot/state.a");
    remove_file("/.sdboot/state.b");
    struct sdboot_result res;
    assert_int_equal(boot_cfg(false, &res), SDB_OK);
    assert_int_equal(res.event, SDBOOT_EV_INITIALISED);
    assert_non_null(strstr(fx_log, "card has no sdboot state: initialised /.sdboot (nothing "
                                   "formatted)\n"));
    assert_null(strstr(fx_log, "rebuil"));
    assert_string_equal(res.version, "none");
}

/* Issue 15: the bare-metal port runs the engine again with cfg.repair when
 * the application image is damaged; that run is the same power-on. */
static void repair_run_counts_no_second_trial(void **state)
{
    (void)state;
    two_releases(); /* 1.1.0: trial 1 of 3 */
    struct sdboot_result res;
    assert_int_equal(boot_cfg(false, &res), SDB_OK);
    assert_int_equal(res.trials_used, 2);
    struct sdb_fat_vol *vol = mount_rw();
    struct sdb_fat_file f;
    assert_int_equal(sdb_fat_open(vol, &f, "/app/a.py", SDB_FAT_WRITE), SDB_OK);
    assert_int_equal(sdb_fat_write(&f, "X", 1), SDB_OK);
    assert_int_equal(sdb_fat_close(&f), SDB_OK);
    assert_int_equal(sdb_fat_unmount(vol), SDB_OK);
    assert_int_equal(boot_cfg(true, &res), SDB_OK); /* the port's second run */
    assert_int_equal(res.event, SDBOOT_EV_REPAIRED);
    assert_int_equal(res.trials_used, 2);
    assert_null(strstr(fx_log, "on trial: boot"));
    char why[256];
    if (!fx_tree_is(&ram.bd, &fx_r2, why, sizeof why))
        fail_msg("%s", why);
    assert_int_equal(boot_cfg(false, &res), SDB_OK); /* the next power-on */
    assert_int_equal(res.trials_used, 3);
    assert_non_null(strstr(fx_log, "release 1.1.0 on trial: boot 3 of 3\n"));
}

/* Issue 16: a release refused for what it is stays named in the state (the
 * OTA client skips that version); a damaged download does not. */
static void refused_release_is_kept_for_the_ota_client(void **state)
{
    (void)state;
    struct sdboot_result res;
    struct sdboot_state st;
    assert_int_equal(fx_new_card(&ram.bd), SDB_OK);
    assert_int_equal(fx_stage(&ram.bd, &fx_r1, NULL, 0), SDB_OK);
    assert_int_equal(boot_cfg(false, &res), SDB_OK);
    static uint8_t tampered[sizeof fx_r2.tar];
    memcpy(tampered, fx_r2.tar, fx_r2.tar_len);
    tampered[600] ^= 1;
    assert_int_equal(fx_stage(&ram.bd, &fx_r2, tampered, fx_r2.tar_len), SDB_OK);
    assert_int_equal(boot_cfg(false, &res), SDB_OK);
    assert_int_equal(res.error, SDB_HASH_EMISMATCH);
    assert_int_equal(fx_state(&ram.bd, &st), SDB_OK);
    assert_string_equal(st.refused, ""); /* a download can be fetched again */
    static struct fx_release evil = {
        .version = "2.0.0", .files = {{"main.py", "x"}, {"../evil", "escape"}}, .nfiles = 2};
    fx_build(&evil);
    assert_int_equal(fx_stage(&ram.bd, &evil, NULL, 0), SDB_OK);
    assert_int_equal(boot_cfg(false, &res), SDB_OK);
    assert_int_equal(res.event, SDBOOT_EV_INSTALL_FAILED);
    assert_int_equal(res.error, SDB_TAR_EDOTDOT);
    assert_int_equal(fx_state(&ram.bd, &st), SDB_OK);
    assert_string_equal(st.refused, "2.0.0");
    assert_int_equal(st.refused_error, SDB_TAR_EDOTDOT);
    assert_string_equal(st.installed, "1.0.0");
    /* the field survives the record's round trip, and later boots */
    uint8_t rec[SDB_RECORD_SIZE];
    struct sdboot_state back;
    assert_int_equal(sdboot_state_encode(&st, rec), SDB_OK);
    assert_int_equal(sdboot_state_decode(rec, &back), SDB_OK);
    assert_string_equal(back.refused, "2.0.0");
    assert_int_equal(back.refused_error, SDB_TAR_EDOTDOT);
    assert_int_equal(boot_cfg(false, &res), SDB_OK);
    assert_int_equal(fx_state(&ram.bd, &st), SDB_OK);
    assert_string_equal(st.refused, "2.0.0");
}

/* A boot sector whose cluster size was changed still finds a directory at
 * cluster 2 (the data area's first sector whatever the size): the card must
 * be classified damaged and left untouched, not repaired under the wrong
 * geometry (fuzz_card_boot found a user file cut that way). */
static void changed_cluster_size_is_left_untouched(void **state)
{
    (void)state;
    struct sdb_mkfs_opts o = {.type = 12, .volume_id = 7};
    struct sdb_fat_vol vol;
    struct sdb_fat_file f;
    static char data[3000];
    memset(data, 'u', sizeof data);
    assert_int_equal(sdb_fat_mkfs(&ram.bd, &o), SDB_OK);
    assert_int_equal(sdb_fat_mount(&vol, &ram.bd, false), SDB_OK);
    assert_int_equal(vol.sec_per_clus, 1);
    assert_int_equal(sdb_fat_mkdir(&vol, "/first"), SDB_OK); /* cluster 2 */
    assert_int_equal(sdb_fat_mkdir(&vol, "/docs"), SDB_OK);
    assert_int_equal(sdb_fat_open(&vol, &f, "/docs/user.txt", SDB_FAT_WRITE | SDB_FAT_CREATE),
                     SDB_OK);
    assert_int_equal(sdb_fat_write(&f, data, sizeof data), SDB_OK);
    assert_int_equal(sdb_fat_close(&f), SDB_OK);
    assert_int_equal(sdb_fat_unmount(&vol), SDB_OK);
    mem[13] = 2; /* sectors per cluster */
    static uint8_t before[CARD_BYTES];
    memcpy(before, mem, sizeof before);
    struct sdboot_result res;
    assert_int_equal(boot_cfg(false, &res), SDB_OK);
    assert_int_equal(res.decision, SDBOOT_INTERNAL);
    assert_int_equal(res.error, SDBOOT_EDAMAGEDFAT);
    assert_non_null(strstr(fx_log, "damaged FAT card: "));
    assert_memory_equal(mem, before, sizeof before);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(lost_state_is_rebuilt_from_kept_records, reset),
        cmocka_unit_test_setup(rebuilt_release_is_confirmed_by_its_record, reset),
        cmocka_unit_test_setup(lost_state_still_repairs_the_release, reset),
        cmocka_unit_test_setup(archive_without_record_rebuilds_as_unknown, reset),
        cmocka_unit_test_setup(stale_record_is_not_believed, reset),
        cmocka_unit_test_setup(missing_records_with_archives_are_rebuilt, reset),
        cmocka_unit_test_setup(card_without_sdboot_data_is_new, reset),
        cmocka_unit_test_setup(repair_run_counts_no_second_trial, reset),
        cmocka_unit_test_setup(refused_release_is_kept_for_the_ota_client, reset),
        cmocka_unit_test_setup(changed_cluster_size_is_left_untouched, reset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
