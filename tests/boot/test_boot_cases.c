/* The seed's boot cases, the format policy, and every refusal of a staged release. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "boot_fixture.h"
#include "sdboot/bd_fault.h"
#include "sdboot/bd_ram.h"
#include "sdboot/limits.h"
#include "sdboot/release.h"

#define CARD_BYTES (1u << 20)
static uint8_t mem[CARD_BYTES];
static struct sdb_bd_ram ram;
static struct sdboot engine;
static char logbuf[4096];

static void capture(void *ctx, const char *line)
{
    (void)ctx;
    strncat(logbuf, line, sizeof logbuf - strlen(logbuf) - 2);
    strcat(logbuf, "\n");
    if (getenv("SDB_BOOT_LOG"))
        fprintf(stderr, "boot: %s\n", line);
}

static int boot_with(sdb_bd_t *bd, unsigned policy, bool pin, const char *board,
                     struct sdboot_result *res)
{
    struct sdboot_config cfg = SDBOOT_CONFIG_DEFAULTS;
    cfg.format_policy = policy;
    cfg.recovery_pin = pin;
    cfg.board = board;
    cfg.log = capture;
    logbuf[0] = '\0';
    return sdboot_boot(&engine, bd, &cfg, res);
}

static const unsigned POLICY_ALL = SDBOOT_FORMAT_BLANK | SDBOOT_FORMAT_OTHER_FS;

static int reset(void **state)
{
    (void)state;
    memset(mem, 0, sizeof mem);
    sdb_bd_ram_init(&ram, mem, CARD_BYTES / 512);
    return 0;
}

static void blank_card_is_formatted(void **state)
{
    (void)state;
    struct sdboot_result res;
    assert_int_equal(boot_with(&ram.bd, POLICY_ALL, false, NULL, &res), SDB_OK);
    /* formatted, and then nothing to run: the internal file system, with why */
    assert_int_equal(res.decision, SDBOOT_INTERNAL);
    assert_int_equal(res.error, SDBOOT_ENOENTRY);
    assert_int_equal(res.event, SDBOOT_EV_FORMATTED);
    assert_string_equal(res.version, "none");
    assert_non_null(strstr(logbuf, "no release installed and no /main.py on the card: nothing "
                                   "to run, using internal file system\n"));
    enum sdb_card_class cls;
    assert_int_equal(sdb_fat_detect(&ram.bd, &cls), SDB_OK);
    assert_int_equal(cls, SDB_CARD_FAT);
}

static void policy_can_forbid_formatting(void **state)
{
    (void)state;
    struct sdboot_result res;
    assert_int_equal(boot_with(&ram.bd, 0, false, NULL, &res), SDB_OK);
    assert_int_equal(res.decision, SDBOOT_INTERNAL);
    assert_int_equal(res.error, SDBOOT_ENOFS);
    assert_int_equal(ram.bd.stats.sectors_written, 0);
}

static void foreign_fs_formatted_only_by_policy(void **state)
{
    (void)state;
    mem[1080] = 0x53, mem[1081] = 0xEF; /* ext4 superblock magic */
    struct sdboot_result res;
    assert_int_equal(boot_with(&ram.bd, SDBOOT_FORMAT_BLANK, false, NULL, &res), SDB_OK);
    assert_int_equal(res.decision, SDBOOT_INTERNAL);
    assert_int_equal(ram.bd.stats.sectors_written, 0);
    assert_int_equal(mem[1080], 0x53);
    assert_int_equal(boot_with(&ram.bd, POLICY_ALL, false, NULL, &res), SDB_OK);
    assert_int_equal(res.event, SDBOOT_EV_FORMATTED);
    assert_int_equal(res.decision, SDBOOT_INTERNAL); /* formatted: nothing to run yet */
    assert_int_equal(res.error, SDBOOT_ENOENTRY);
}

static void fat_with_user_data_is_initialised_not_formatted(void **state)
{
    (void)state;
    assert_int_equal(fx_new_card(&ram.bd), SDB_OK); /* mkfs + user file + first boot */
    struct sdboot_result res;
    assert_int_equal(boot_with(&ram.bd, POLICY_ALL, false, NULL, &res), SDB_OK);
    assert_int_equal(res.decision, SDBOOT_INTERNAL); /* no release, no /main.py */
    assert_int_equal(res.error, SDBOOT_ENOENTRY);
    assert_int_not_equal(res.event, SDBOOT_EV_FORMATTED);
    struct sdb_fat_vol vol;
    struct sdb_fat_stat st;
    assert_int_equal(sdb_fat_mount(&vol, &ram.bd, true), SDB_OK);
    assert_int_equal(sdb_fat_stat(&vol, fx_user_path, &st), SDB_OK);
    assert_int_equal(sdb_fat_stat(&vol, "/.sdboot/state.a", &st), SDB_OK);
}

/* The seed runs a card's own /main.py without a release; without one (or
 * without cfg.entry) it stays in the REPL: nothing on the card was written
 * for the decision. */
static void nothing_to_run_is_internal_with_a_reason(void **state)
{
    (void)state;
    assert_int_equal(fx_new_card(&ram.bd), SDB_OK);
    static uint8_t before[CARD_BYTES];
    memcpy(before, mem, sizeof before);
    struct sdboot_result res;
    assert_int_equal(boot_with(&ram.bd, POLICY_ALL, false, NULL, &res), SDB_OK);
    assert_string_equal(logbuf, "no release installed and no /main.py on the card: nothing to "
                                "run, using internal file system\n");
    assert_int_equal(res.decision, SDBOOT_INTERNAL);
    assert_int_equal(res.error, SDBOOT_ENOENTRY);
    assert_string_equal(sdb_strerror(res.error),
                        "nothing to run: no release installed and no entry file on the card");
    assert_int_equal(res.event, SDBOOT_EV_NONE);
    assert_memory_equal(mem, before, sizeof before);
    /* cfg.entry names another file: the same */
    struct sdboot_config cfg = SDBOOT_CONFIG_DEFAULTS;
    cfg.entry = "/app/firmware.bin";
    cfg.log = capture;
    logbuf[0] = '\0';
    assert_int_equal(sdboot_boot(&engine, &ram.bd, &cfg, &res), SDB_OK);
    assert_int_equal(res.decision, SDBOOT_INTERNAL);
    assert_int_equal(res.error, SDBOOT_ENOENTRY);
    assert_non_null(strstr(logbuf, "no /app/firmware.bin on the card"));
    assert_memory_equal(mem, before, sizeof before);
    /* the card's own /main.py, no release: it runs */
    struct sdb_fat_vol vol;
    struct sdb_fat_file f;
    assert_int_equal(sdb_fat_mount(&vol, &ram.bd, false), SDB_OK);
    assert_int_equal(sdb_fat_open(&vol, &f, "/main.py", SDB_FAT_WRITE | SDB_FAT_CREATE), SDB_OK);
    assert_int_equal(sdb_fat_write(&f, "print(1)\n", 9), SDB_OK);
    assert_int_equal(sdb_fat_close(&f), SDB_OK);
    assert_int_equal(sdb_fat_unmount(&vol), SDB_OK);
    assert_int_equal(boot_with(&ram.bd, POLICY_ALL, false, NULL, &res), SDB_OK);
    assert_int_equal(res.decision, SDBOOT_RUN_CARD);
    assert_int_equal(res.error, SDB_OK);
    assert_string_equal(logbuf, "no release installed yet: running the card's own /main.py\n");
}

static void io_errors_are_never_formatted(void **state)
{
    (void)state;
    struct sdb_bd_fault fault;
    sdb_bd_fault_init(&fault, &ram.bd);
    assert_int_equal(sdb_bd_fault_add_bad_range(&fault, 0, 4), SDB_OK);
    struct sdboot_result res;
    assert_int_equal(boot_with(&fault.bd, POLICY_ALL, false, NULL, &res), SDB_OK);
    assert_int_equal(res.decision, SDBOOT_INTERNAL);
    assert_int_equal(res.error, SDBOOT_ECARDIO);
    assert_int_equal(ram.bd.stats.sectors_written, 0);
    assert_non_null(strstr(logbuf, "never formatted"));
}

static void no_card_falls_back_to_internal(void **state)
{
    (void)state;
    struct sdb_bd_fault fault;
    sdb_bd_fault_init(&fault, &ram.bd);
    fault.no_medium = true;
    struct sdboot_result res;
    assert_int_equal(boot_with(&fault.bd, POLICY_ALL, false, NULL, &res), SDB_OK);
    assert_int_equal(res.decision, SDBOOT_INTERNAL);
    assert_int_equal(res.error, SDBOOT_ENOCARD);
    assert_non_null(strstr(logbuf, "no card"));
}

static void recovery_pin_mounts_sd_and_runs_nothing(void **state)
{
    (void)state;
    assert_int_equal(fx_new_card(&ram.bd), SDB_OK);
    fx_build(&fx_r1);
    assert_int_equal(fx_stage(&ram.bd, &fx_r1, NULL, 0), SDB_OK);
    sdb_bd_reset_stats(&ram.bd);
    struct sdboot_result res;
    assert_int_equal(boot_with(&ram.bd, POLICY_ALL, true, NULL, &res), SDB_OK);
    assert_int_equal(res.decision, SDBOOT_MOUNT_SD);
    assert_int_equal(ram.bd.stats.sectors_written, 0); /* the staged release waits */
    assert_int_equal(boot_with(&ram.bd, POLICY_ALL, false, NULL, &res), SDB_OK);
    assert_int_equal(res.event, SDBOOT_EV_INSTALLED);
}

static void install_confirm_and_normal_boot_writes_nothing(void **state)
{
    (void)state;
    fx_build(&fx_r1);
    assert_int_equal(fx_new_card(&ram.bd), SDB_OK);
    assert_int_equal(fx_stage(&ram.bd, &fx_r1, NULL, 0), SDB_OK);
    struct sdboot_result res;
    assert_int_equal(boot_with(&ram.bd, POLICY_ALL, false, NULL, &res), SDB_OK);
    assert_int_equal(res.event, SDBOOT_EV_INSTALLED);
    assert_true(res.on_trial);
    char why[256];
    assert_true(fx_tree_is(&ram.bd, &fx_r1, why, sizeof why));
    assert_int_equal(fx_confirm(&ram.bd), SDB_OK);
    assert_int_equal(boot_with(&ram.bd, POLICY_ALL, false, NULL, &res), SDB_OK);
    assert_int_equal(res.event, SDBOOT_EV_CONFIRMED);
    sdb_bd_reset_stats(&ram.bd);
    assert_int_equal(boot_with(&ram.bd, POLICY_ALL, false, NULL, &res), SDB_OK);
    assert_false(res.on_trial);
    assert_int_equal(ram.bd.stats.sectors_written, 0);
    printf("normal boot: %llu sectors read, 0 written\n",
           (unsigned long long)ram.bd.stats.sectors_read);
}

/* A refused release: exact error, nothing outside /.sdboot touched, old release runs. */
/* The boot refused the staged release with `expected` and 1.0.0 runs, whole. */
static void assert_refused_keeping_r1(const struct sdboot_result *res, int expected)
{
    assert_int_equal(res->event, SDBOOT_EV_INSTALL_FAILED);
    assert_int_equal(res->error, expected);
    assert_string_equal(res->version, "1.0.0");
    assert_non_null(strstr(logbuf, "refused"));
    char why[256];
    if (!fx_tree_is(&ram.bd, &fx_r1, why, sizeof why))
        fail_msg("%s", why);
}

static void expect_refusal(const uint8_t *tar, size_t len, const struct fx_release *r,
                           const char *board, int expected)
{
    fx_build(&fx_r1);
    assert_int_equal(fx_new_card(&ram.bd), SDB_OK);
    assert_int_equal(fx_stage(&ram.bd, &fx_r1, NULL, 0), SDB_OK);
    struct sdboot_result res;
    assert_int_equal(boot_with(&ram.bd, POLICY_ALL, false, NULL, &res), SDB_OK);
    assert_int_equal(fx_stage(&ram.bd, r, tar, len), SDB_OK);
    assert_int_equal(boot_with(&ram.bd, POLICY_ALL, false, board, &res), SDB_OK);
    assert_refused_keeping_r1(&res, expected);
    struct sdb_fat_vol vol;
    struct sdb_fat_stat st;
    assert_int_equal(sdb_fat_mount(&vol, &ram.bd, true), SDB_OK);
    assert_int_equal(sdb_fat_stat(&vol, "/.sdboot/next", &st), SDB_FAT_ENOENT);
    assert_int_equal(sdb_fat_stat(&vol, "/evil", &st), SDB_FAT_ENOENT);
    assert_int_equal(sdb_fat_stat(&vol, SDB_STAGE_PENDING, &st), SDB_FAT_ENOENT);
}

static void refuses_hash_mismatch(void **state)
{
    (void)state;
    fx_build(&fx_r2);
    static uint8_t tampered[sizeof fx_r2.tar];
    memcpy(tampered, fx_r2.tar, fx_r2.tar_len);
    tampered[600] ^= 1; /* a byte of file content */
    expect_refusal(tampered, fx_r2.tar_len, &fx_r2, NULL, SDB_HASH_EMISMATCH);
}

/* One pass reads, extracts and hashes: an archive broken in a tar header is
 * still refused for what it is (not the published one), with next/ dropped. */
static void hash_mismatch_wins_over_tar_error(void **state)
{
    (void)state;
    fx_build(&fx_r2);
    static uint8_t tampered[sizeof fx_r2.tar];
    memcpy(tampered, fx_r2.tar, fx_r2.tar_len);
    tampered[0] ^= 1; /* the first header's name: its checksum fails */
    expect_refusal(tampered, fx_r2.tar_len, &fx_r2, NULL, SDB_HASH_EMISMATCH);
}

/* Names given twice are found in /.sdboot/next (no table in RAM): the same
 * name, a name in another case, a file named like an earlier file's folder. */
static void refuses_duplicate_names(void **state)
{
    (void)state;
    static struct fx_release same = {
        .version = "2.0.0",
        .files = {{"main.py", "new main"}, {"app/a.py", "1"}, {"app/b.py", "2"}, {"app/a.py", "3"}},
        .nfiles = 4};
    static struct fx_release other_case = {
        .version = "2.0.0",
        .files = {{"main.py", "new main"}, {"app/Lib/A.py", "1"}, {"APP/lib/a.PY", "2"}},
        .nfiles = 3};
    static struct fx_release file_over_folder = {
        .version = "2.0.0",
        .files = {{"main.py", "new main"}, {"app/lib/x.py", "1"}, {"app/lib", "2"}},
        .nfiles = 3};
    struct fx_release *cases[] = {&same, &other_case, &file_over_folder};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fx_build(cases[i]);
        expect_refusal(NULL, 0, cases[i], NULL, SDB_TAR_EDUPLICATE);
    }
}

static void refuses_dotdot_in_archive(void **state)
{
    (void)state;
    static struct fx_release evil = {
        .version = "2.0.0", .files = {{"main.py", "x"}, {"../evil", "escape"}}, .nfiles = 2};
    /* the writer refuses nothing: build the header by hand via the fixture */
    fx_build(&evil);
    expect_refusal(NULL, 0, &evil, NULL, SDB_TAR_EDOTDOT);
}

static void refuses_reserved_path(void **state)
{
    (void)state;
    static struct fx_release evil = {
        .version = "2.0.0", .files = {{".sdboot/state.a", "forged state"}}, .nfiles = 1};
    fx_build(&evil);
    expect_refusal(NULL, 0, &evil, NULL, SDB_TAR_ERESERVED);
}

static void refuses_older_version(void **state)
{
    (void)state;
    static struct fx_release old = {.version = "0.9.0", .files = {{"main.py", "old"}}, .nfiles = 1};
    fx_build(&old);
    expect_refusal(NULL, 0, &old, NULL, SDB_POLICY_EOLDER);
}

static void refuses_truncated_archive(void **state)
{
    (void)state;
    fx_build(&fx_r2);
    expect_refusal(fx_r2.tar, 1024, &fx_r2, NULL, SDB_SIZE_EMISMATCH);
}

static void damaged_file_is_repaired(void **state)
{
    (void)state;
    fx_build(&fx_r1);
    assert_int_equal(fx_new_card(&ram.bd), SDB_OK);
    assert_int_equal(fx_stage(&ram.bd, &fx_r1, NULL, 0), SDB_OK);
    struct sdboot_result res;
    assert_int_equal(boot_with(&ram.bd, POLICY_ALL, false, NULL, &res), SDB_OK);
    struct sdb_fat_vol vol;
    assert_int_equal(sdb_fat_mount(&vol, &ram.bd, false), SDB_OK);
    assert_int_equal(sdb_fat_unlink(&vol, "/main.py"), SDB_OK);
    assert_int_equal(sdb_fat_unlink(&vol, "/app/lib/b.py"), SDB_OK);
    assert_int_equal(sdb_fat_unmount(&vol), SDB_OK);
    assert_int_equal(boot_with(&ram.bd, POLICY_ALL, false, NULL, &res), SDB_OK);
    assert_int_equal(res.event, SDBOOT_EV_REPAIRED);
    assert_non_null(strstr(logbuf, "restored 2 damaged or missing files"));
    char why[256];
    assert_true(fx_tree_is(&ram.bd, &fx_r1, why, sizeof why));
}

/* ---- deltas (1.1.0 staged as its changed files over 1.0.0) ---- */

static void install_indexed_r1(void)
{
    fx_build(&fx_r1);
    fx_build(&fx_r2);
    struct sdboot_result res;
    assert_int_equal(fx_new_card(&ram.bd), SDB_OK);
    assert_int_equal(fx_stage_indexed(&ram.bd, &fx_r1), SDB_OK);
    assert_int_equal(boot_with(&ram.bd, POLICY_ALL, false, NULL, &res), SDB_OK);
    assert_int_equal(fx_confirm(&ram.bd), SDB_OK);
    assert_int_equal(boot_with(&ram.bd, POLICY_ALL, false, NULL, &res), SDB_OK);
}

static bool exists(struct sdb_fat_vol *vol, const char *path)
{
    struct sdb_fat_stat st;
    return sdb_fat_stat(vol, path, &st) == SDB_OK;
}

/* Refused with `expected` before anything is written outside staging: the
 * tree, the kept index and archive are 1.0.0's, no next/ or prev/. */
static void expect_delta_refusal(const uint8_t *delta, size_t len, const char *idx,
                                 const struct fx_release *base, int expected)
{
    install_indexed_r1();
    assert_int_equal(fx_stage_delta(&ram.bd, &fx_r2, base ? base : &fx_r1, delta, len, idx),
                     SDB_OK);
    struct sdboot_result res;
    assert_int_equal(boot_with(&ram.bd, POLICY_ALL, false, NULL, &res), SDB_OK);
    assert_refused_keeping_r1(&res, expected);
    struct sdb_fat_vol vol;
    assert_int_equal(sdb_fat_mount(&vol, &ram.bd, true), SDB_OK);
    assert_true(fx_file_equals(&vol, SDB_CURRENT_INDEX, fx_r1.idx, (uint32_t)fx_r1.idx_len));
    assert_true(fx_file_equals(&vol, "/.sdboot/current.tar", fx_r1.tar, (uint32_t)fx_r1.tar_len));
    assert_false(exists(&vol, "/.sdboot/next"));
    assert_false(exists(&vol, "/.sdboot/prev"));
    assert_false(exists(&vol, SDB_CURRENT_DELTA));
    assert_false(exists(&vol, SDB_STAGE_PENDING));
    assert_false(exists(&vol, "/app/c.py"));
}

static uint8_t delta_buf[32768];

/* r staged as a delta against the base 1.0.0, installed by the next boot;
 * what it wrote printed as `what`. */
static void install_delta(const struct fx_release *r, const char *what)
{
    assert_int_equal(fx_stage_delta(&ram.bd, r, &fx_r1, NULL, 0, NULL), SDB_OK);
    struct sdboot_result res;
    uint64_t before = ram.bd.stats.sectors_written;
    assert_int_equal(boot_with(&ram.bd, POLICY_ALL, false, NULL, &res), SDB_OK);
    assert_int_equal(res.event, SDBOOT_EV_INSTALLED);
    assert_string_equal(res.version, r->version);
    assert_non_null(strstr(logbuf, "a delta over 1.0.0"));
    printf("%s: %llu sectors written\n", what,
           (unsigned long long)(ram.bd.stats.sectors_written - before));
}

/* The application confirms, the next boot folds it in: prev/ goes. vol is
 * left mounted read-only. */
static void confirm_by_boot(struct sdb_fat_vol *vol)
{
    struct sdboot_result res;
    assert_int_equal(fx_confirm(&ram.bd), SDB_OK);
    assert_int_equal(boot_with(&ram.bd, POLICY_ALL, false, NULL, &res), SDB_OK);
    assert_int_equal(res.event, SDBOOT_EV_CONFIRMED);
    assert_int_equal(sdb_fat_mount(vol, &ram.bd, true), SDB_OK);
    assert_false(exists(vol, "/.sdboot/prev"));
}

static void delta_installs_only_its_files(void **state)
{
    (void)state;
    install_indexed_r1();
    install_delta(&fx_r2, "delta install");
    char why[256];
    if (!fx_tree_is(&ram.bd, &fx_r2, why, sizeof why))
        fail_msg("%s", why);
    struct sdb_fat_vol vol;
    assert_int_equal(sdb_fat_mount(&vol, &ram.bd, true), SDB_OK);
    /* the unchanged file was not rewritten, the replaced and dropped ones parked */
    assert_true(fx_file_equals(&vol, "/.sdboot/prev/app/a.py", "A = 1\n", 6));
    assert_true(exists(&vol, "/.sdboot/prev/app/lib/b.py"));
    assert_false(exists(&vol, "/.sdboot/prev/helper.py"));
    assert_true(fx_file_equals(&vol, SDB_CURRENT_INDEX, fx_r2.idx, (uint32_t)fx_r2.idx_len));
    assert_true(fx_file_equals(&vol, SDB_BASE_INDEX, fx_r1.idx, (uint32_t)fx_r1.idx_len));
    assert_false(exists(&vol, "/.sdboot/previous.idx"));
    assert_true(fx_file_equals(&vol, "/.sdboot/current.tar", fx_r1.tar, (uint32_t)fx_r1.tar_len));
    confirm_by_boot(&vol); /* confirmed: prev/ goes */
    if (!fx_tree_is(&ram.bd, &fx_r2, why, sizeof why))
        fail_msg("%s", why);
}

/* 1.0.0 whole, then 1.1.0 as a delta over it, confirmed. */
static void install_delta_r2(void)
{
    struct sdboot_result res;
    install_indexed_r1();
    fx_build(&fx_r3);
    fx_build(&fx_r4);
    install_delta(&fx_r2, "delta install");
    assert_int_equal(fx_confirm(&ram.bd), SDB_OK);
    assert_int_equal(boot_with(&ram.bd, POLICY_ALL, false, NULL, &res), SDB_OK);
}

static void assert_tree(const struct fx_release *r)
{
    char why[256];
    if (!fx_tree_is(&ram.bd, r, why, sizeof why))
        fail_msg("%s", why);
}

static void assert_file_is_delta(struct sdb_fat_vol *vol, const char *path,
                                 const struct fx_release *r)
{
    size_t len = fx_delta_tar(r, &fx_r1, delta_buf, sizeof delta_buf);
    assert_true(fx_file_equals(vol, path, delta_buf, (uint32_t)len));
}

static void assert_state(bool delta, const char *installed, const char *base)
{
    struct sdboot_state st;
    assert_int_equal(fx_state(&ram.bd, &st), SDB_OK);
    assert_int_equal(st.delta, delta);
    assert_string_equal(st.installed, installed);
    assert_string_equal(sdboot_state_base(&st), base);
}

/* 1.1.0 runs as the installed delta over 1.0.0, nothing else kept: its tree,
 * state, delta, index and the base's index. */
static void assert_r2_as_delta(void)
{
    assert_tree(&fx_r2);
    assert_state(true, "1.1.0", "1.0.0");
    struct sdb_fat_vol vol;
    assert_int_equal(sdb_fat_mount(&vol, &ram.bd, true), SDB_OK);
    assert_file_is_delta(&vol, SDB_CURRENT_DELTA, &fx_r2);
    assert_true(fx_file_equals(&vol, SDB_CURRENT_INDEX, fx_r2.idx, (uint32_t)fx_r2.idx_len));
    assert_true(fx_file_equals(&vol, SDB_BASE_INDEX, fx_r1.idx, (uint32_t)fx_r1.idx_len));
    assert_false(exists(&vol, "/.sdboot/previous.dlt"));
    assert_false(exists(&vol, "/.sdboot/prev"));
}

static void delta_over_delta_installs(void **state)
{
    (void)state;
    install_delta_r2();
    /* 1.2.0 against the base: every file that differs from 1.0.0 */
    install_delta(&fx_r3, "delta over a delta install");
    struct sdboot_result res;
    assert_tree(&fx_r3);
    assert_state(true, "1.2.0", "1.0.0");
    struct sdb_fat_vol vol;
    assert_int_equal(sdb_fat_mount(&vol, &ram.bd, true), SDB_OK);
    /* 1.1.0's replaced and dropped files parked, its delta and index kept */
    assert_true(fx_file_equals(&vol, "/.sdboot/prev/app/a.py", "A = 2\n", 6));
    assert_true(exists(&vol, "/.sdboot/prev/app/c.py"));
    assert_false(exists(&vol, "/.sdboot/prev/extra.cfg")); /* the same in both */
    assert_file_is_delta(&vol, SDB_CURRENT_DELTA, &fx_r3);
    assert_file_is_delta(&vol, "/.sdboot/previous.dlt", &fx_r2);
    assert_true(fx_file_equals(&vol, SDB_CURRENT_INDEX, fx_r3.idx, (uint32_t)fx_r3.idx_len));
    assert_true(fx_file_equals(&vol, "/.sdboot/previous.idx", fx_r2.idx, (uint32_t)fx_r2.idx_len));
    assert_true(fx_file_equals(&vol, SDB_BASE_INDEX, fx_r1.idx, (uint32_t)fx_r1.idx_len));
    assert_true(fx_file_equals(&vol, "/.sdboot/current.tar", fx_r1.tar, (uint32_t)fx_r1.tar_len));
    confirm_by_boot(&vol); /* the way back goes, the base and the new delta stay */
    assert_false(exists(&vol, "/.sdboot/previous.dlt"));
    assert_false(exists(&vol, "/.sdboot/previous.idx"));
    assert_false(exists(&vol, "/.sdboot/previous.dlr"));
    assert_true(exists(&vol, SDB_BASE_INDEX));
    assert_tree(&fx_r3);
    /* a third delta over the same base, then a damaged file restored */
    install_delta(&fx_r4, "a third delta");
    assert_tree(&fx_r4);
    assert_int_equal(fx_confirm(&ram.bd), SDB_OK);
    assert_int_equal(boot_with(&ram.bd, POLICY_ALL, false, NULL, &res), SDB_OK);
    assert_int_equal(sdb_fat_mount(&vol, &ram.bd, false), SDB_OK);
    assert_int_equal(sdb_fat_unlink(&vol, "/app/lib/b.py"), SDB_OK); /* the base's */
    assert_int_equal(sdb_fat_unlink(&vol, "/app/c.py"), SDB_OK);     /* the delta's */
    assert_int_equal(sdb_fat_unlink(&vol, "/main.py"), SDB_OK);
    assert_int_equal(sdb_fat_unmount(&vol), SDB_OK);
    assert_int_equal(boot_with(&ram.bd, POLICY_ALL, false, NULL, &res), SDB_OK);
    assert_int_equal(res.event, SDBOOT_EV_REPAIRED);
    assert_tree(&fx_r4);
    assert_state(true, "1.3.0", "1.0.0");
}

static void delta_over_delta_rolls_back(void **state)
{
    (void)state;
    install_delta_r2();
    assert_int_equal(fx_stage_delta(&ram.bd, &fx_r3, &fx_r1, NULL, 0, NULL), SDB_OK);
    struct sdboot_result res;
    for (int i = 0; i < 4; i++) /* the install, then three trial boots */
        assert_int_equal(boot_with(&ram.bd, POLICY_ALL, false, NULL, &res), SDB_OK);
    assert_int_equal(boot_with(&ram.bd, POLICY_ALL, false, NULL, &res), SDB_OK);
    assert_int_equal(res.event, SDBOOT_EV_ROLLED_BACK);
    assert_string_equal(res.version, "1.1.0");
    assert_r2_as_delta(); /* the installed delta again, with its own archive and index */
    /* repairable as it was, and a next delta installs over it */
    struct sdb_fat_vol vol;
    assert_int_equal(sdb_fat_mount(&vol, &ram.bd, false), SDB_OK);
    assert_int_equal(sdb_fat_unlink(&vol, "/app/a.py"), SDB_OK);
    assert_int_equal(sdb_fat_unlink(&vol, "/main.py"), SDB_OK);
    assert_int_equal(sdb_fat_unmount(&vol), SDB_OK);
    assert_int_equal(boot_with(&ram.bd, POLICY_ALL, false, NULL, &res), SDB_OK);
    assert_int_equal(res.event, SDBOOT_EV_REPAIRED);
    assert_tree(&fx_r2);
    install_delta(&fx_r4, "a delta over the one rolled back to");
    assert_tree(&fx_r4);
}

/* Over an installed delta, a delta made against it (not the base) is
 * refused before anything is written outside staging. */
static void expect_delta_over_delta_refusal(const struct fx_release *base, bool planned_on_r2,
                                            int expected)
{
    install_delta_r2();
    static uint8_t delta[32768];
    size_t len = fx_delta_tar(&fx_r3, planned_on_r2 ? &fx_r2 : &fx_r1, delta, sizeof delta);
    assert_int_equal(fx_stage_delta(&ram.bd, &fx_r3, base, delta, len, NULL), SDB_OK);
    struct sdboot_result res;
    assert_int_equal(boot_with(&ram.bd, POLICY_ALL, false, NULL, &res), SDB_OK);
    assert_int_equal(res.event, SDBOOT_EV_INSTALL_FAILED);
    assert_int_equal(res.error, expected);
    assert_string_equal(res.version, "1.1.0");
    assert_r2_as_delta();
    struct sdb_fat_vol vol;
    assert_int_equal(sdb_fat_mount(&vol, &ram.bd, true), SDB_OK);
    assert_false(exists(&vol, "/.sdboot/next"));
    assert_false(exists(&vol, SDB_STAGE_PENDING));
    assert_false(exists(&vol, "/app/d.py"));
}

static void delta_over_delta_refuses_installed_as_base(void **state)
{
    (void)state; /* the record names 1.1.0, which current.tar is not */
    expect_delta_over_delta_refusal(&fx_r2, true, SDBOOT_EDELTABASE);
}

static void delta_over_delta_refuses_delta_against_installed(void **state)
{
    (void)state; /* names the base, but lacks extra.cfg: 1.1.0's, not the base's */
    expect_delta_over_delta_refusal(&fx_r1, true, SDBOOT_EDELTA);
}

static void delta_refuses_member_hash(void **state)
{
    (void)state;
    size_t len = fx_delta_tar(&fx_r2, &fx_r1, delta_buf, sizeof delta_buf);
    delta_buf[512] ^= 1; /* the first member's data: not what the index signs */
    expect_delta_refusal(delta_buf, len, NULL, NULL, SDB_IDX_EHASH);
}

static void delta_refuses_member_size(void **state)
{
    (void)state;
    static struct fx_release other = {
        .version = "1.1.0", .files = {{"app/a.py", "A = 22\n"}}, .nfiles = 1};
    size_t len = fx_delta_tar(&other, &fx_r1, delta_buf, sizeof delta_buf);
    expect_delta_refusal(delta_buf, len, NULL, NULL, SDB_IDX_ESIZE);
}

static void delta_refuses_member_not_indexed(void **state)
{
    (void)state;
    static struct fx_release other = {.version = "1.1.0", .nfiles = 7};
    other.files[0] = fx_r2.files[0];
    other.files[1] = (struct fx_file){"app/b2.py", "not in the index\n"};
    memcpy(other.files + 2, fx_r2.files + 1, 5 * sizeof other.files[0]);
    size_t len = fx_delta_tar(&other, &fx_r1, delta_buf, sizeof delta_buf);
    expect_delta_refusal(delta_buf, len, NULL, NULL, SDB_IDX_EPATH);
}

static void delta_refuses_missing_change(void **state)
{
    (void)state;
    /* main.py changed in the index, but the delta carries 1.0.0's */
    static struct fx_release other = {.version = "1.1.0", .nfiles = 6};
    memcpy(other.files, fx_r2.files, sizeof other.files);
    other.files[5].content = fx_r1.files[4].content;
    size_t len = fx_delta_tar(&other, &fx_r1, delta_buf, sizeof delta_buf);
    expect_delta_refusal(delta_buf, len, NULL, NULL, SDBOOT_EDELTA);
}

static void delta_refuses_other_base(void **state)
{
    (void)state;
    static struct fx_release older;
    older = fx_r1;
    older.version = "0.9.0";
    expect_delta_refusal(NULL, 0, NULL, &older, SDBOOT_EDELTABASE);
}

static char idx_buf[65536];

/* r2's index with the first occurrence of `from` replaced by `to`. */
static const char *edited_index(const char *from, const char *to)
{
    fx_build(&fx_r2);
    const char *at = strstr(fx_r2.idx, from);
    assert_non_null(at);
    size_t head = (size_t)(at - fx_r2.idx);
    snprintf(idx_buf, sizeof idx_buf, "%.*s%s%s", (int)head, fx_r2.idx, to, at + strlen(from));
    return idx_buf;
}

static void delta_refuses_index_path_rule(void **state)
{
    (void)state;
    expect_delta_refusal(NULL, 0, edited_index(" app/c.py\n", " app/../c.py\n"), NULL,
                         SDB_TAR_EDOTDOT);
}

static void delta_refuses_index_offset(void **state)
{
    (void)state;
    expect_delta_refusal(NULL, 0, edited_index("\nf 512 ", "\nf 513 "), NULL, SDB_IDX_EOFFSET);
}

static void delta_refuses_index_over_limits(void **state)
{
    (void)state;
    fx_build(&fx_r2);
    size_t n = (size_t)snprintf(idx_buf, sizeof idx_buf, "%s", fx_r2.idx);
    for (int i = 0; i < SDB_LIMIT_ENTRIES; i++) /* directories after main.py: too many */
        n += (size_t)snprintf(idx_buf + n, sizeof idx_buf - n, "d zz%04d\n", i);
    expect_delta_refusal(NULL, 0, idx_buf, NULL, SDB_IDX_ETOOBIG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(delta_installs_only_its_files, reset),
        cmocka_unit_test_setup(delta_over_delta_installs, reset),
        cmocka_unit_test_setup(delta_over_delta_rolls_back, reset),
        cmocka_unit_test_setup(delta_over_delta_refuses_installed_as_base, reset),
        cmocka_unit_test_setup(delta_over_delta_refuses_delta_against_installed, reset),
        cmocka_unit_test_setup(delta_refuses_member_hash, reset),
        cmocka_unit_test_setup(delta_refuses_member_size, reset),
        cmocka_unit_test_setup(delta_refuses_member_not_indexed, reset),
        cmocka_unit_test_setup(delta_refuses_missing_change, reset),
        cmocka_unit_test_setup(delta_refuses_other_base, reset),
        cmocka_unit_test_setup(delta_refuses_index_path_rule, reset),
        cmocka_unit_test_setup(delta_refuses_index_offset, reset),
        cmocka_unit_test_setup(delta_refuses_index_over_limits, reset),
        cmocka_unit_test_setup(blank_card_is_formatted, reset),
        cmocka_unit_test_setup(policy_can_forbid_formatting, reset),
        cmocka_unit_test_setup(foreign_fs_formatted_only_by_policy, reset),
        cmocka_unit_test_setup(fat_with_user_data_is_initialised_not_formatted, reset),
        cmocka_unit_test_setup(nothing_to_run_is_internal_with_a_reason, reset),
        cmocka_unit_test_setup(io_errors_are_never_formatted, reset),
        cmocka_unit_test_setup(no_card_falls_back_to_internal, reset),
        cmocka_unit_test_setup(recovery_pin_mounts_sd_and_runs_nothing, reset),
        cmocka_unit_test_setup(install_confirm_and_normal_boot_writes_nothing, reset),
        cmocka_unit_test_setup(refuses_hash_mismatch, reset),
        cmocka_unit_test_setup(hash_mismatch_wins_over_tar_error, reset),
        cmocka_unit_test_setup(refuses_duplicate_names, reset),
        cmocka_unit_test_setup(refuses_dotdot_in_archive, reset),
        cmocka_unit_test_setup(refuses_reserved_path, reset),
        cmocka_unit_test_setup(refuses_older_version, reset),
        cmocka_unit_test_setup(refuses_truncated_archive, reset),
        cmocka_unit_test_setup(damaged_file_is_repaired, reset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
