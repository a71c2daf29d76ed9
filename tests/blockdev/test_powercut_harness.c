/*
 * The power-cut runner itself, on a toy "journaled counter": the operation
 * writes a new value into a spare slot, syncs, then flips a one-sector commit
 * record. Recovery does nothing; verify reads the committed slot and accepts
 * only the old or the new value. A correct toy passes every case; a toy that
 * skips the sync before the commit, or commits before writing, must be caught.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "powercut.h"
#include "sdboot/bd_fault.h"

#define TOY_SECTORS 8
#define SLOT_SECTORS 2 /* a value spans two sectors: 2 data writes + 1 commit */
#define OLD_VALUE 0x11
#define NEW_VALUE 0x22

enum toy_bug { TOY_CORRECT, TOY_NO_SYNC, TOY_COMMIT_FIRST };

struct toy {
    enum toy_bug bug;
    unsigned recover_calls;
};

/* Sector 0: commit record (byte 0 = active slot 0/1, byte 1 = check byte). */
static int write_commit(sdb_bd_t *bd, uint8_t slot)
{
    uint8_t s[SDB_SECTOR_SIZE] = {slot, (uint8_t)(0xA5 ^ slot)};
    return sdb_bd_write(bd, 0, 1, s);
}

static int write_slot(sdb_bd_t *bd, uint8_t slot, uint8_t value)
{
    uint8_t s[SLOT_SECTORS * SDB_SECTOR_SIZE];
    memset(s, value, sizeof s);
    return sdb_bd_write(bd, 1 + slot * SLOT_SECTORS, SLOT_SECTORS, s);
}

static int toy_setup(sdb_bd_t *bd, void *ctx)
{
    (void)ctx;
    int err = write_slot(bd, 0, OLD_VALUE);
    if (!err)
        err = write_commit(bd, 0);
    return err ? err : sdb_bd_sync(bd);
}

static int toy_run(sdb_bd_t *bd, void *ctx)
{
    struct toy *t = ctx;
    int err;
    if (t->bug == TOY_COMMIT_FIRST) {
        if ((err = write_commit(bd, 1)) || (err = write_slot(bd, 1, NEW_VALUE)))
            return err;
        return sdb_bd_sync(bd);
    }
    if ((err = write_slot(bd, 1, NEW_VALUE)))
        return err;
    if (t->bug != TOY_NO_SYNC && (err = sdb_bd_sync(bd)))
        return err;
    if ((err = write_commit(bd, 1)))
        return err;
    return sdb_bd_sync(bd);
}

static int toy_recover(sdb_bd_t *bd, void *ctx)
{
    struct toy *t = ctx;
    uint8_t s[SDB_SECTOR_SIZE];
    t->recover_calls++;
    return sdb_bd_read(bd, 0, 1, s);
}

/* Old or new value, whole: a torn commit record reads as the old slot. */
static bool toy_verify(sdb_bd_t *bd, const uint8_t *mem, size_t bytes, void *ctx, bool cache_loss,
                       char *why, size_t len)
{
    (void)bd, (void)ctx, (void)cache_loss;
    assert_true(bytes == TOY_SECTORS * SDB_SECTOR_SIZE);
    uint8_t slot = mem[0];
    if (slot > 1 || mem[1] != (uint8_t)(0xA5 ^ slot))
        slot = 0;
    const uint8_t *data = mem + (1 + slot * SLOT_SECTORS) * SDB_SECTOR_SIZE;
    uint8_t want = slot ? NEW_VALUE : OLD_VALUE;
    for (size_t i = 0; i < SLOT_SECTORS * SDB_SECTOR_SIZE; i++)
        if (data[i] != want) {
            snprintf(why, len, "slot %u byte %zu is 0x%02x, not 0x%02x", slot, i, data[i], want);
            return false;
        }
    return true;
}

static struct sdb_pc_scenario toy_scenario(struct toy *t, bool cache, bool second)
{
    struct sdb_pc_scenario s = {.name = "toy",
                                .image_bytes = TOY_SECTORS * SDB_SECTOR_SIZE,
                                .setup = toy_setup,
                                .run = toy_run,
                                .recover = toy_recover,
                                .verify = toy_verify,
                                .ctx = t,
                                .cache_modes = cache,
                                .second_cut = second};
    return s;
}

static void correct_toy_passes_every_case_and_counts_are_exact(void **state)
{
    (void)state;
    struct toy t = {TOY_CORRECT, 0};
    struct sdb_pc_scenario s = toy_scenario(&t, true, false);
    struct sdb_pc_result r;
    unsetenv("SDB_CUT_CASE");
    assert_int_equal(sdb_pc_run(&s, &r), SDB_OK);
    assert_int_equal(r.writes, SLOT_SECTORS + 1);
    /* uncut + per write: lost, torn, three cache-loss subsets */
    assert_int_equal(r.cases, 1 + r.writes * 5);
    assert_int_equal(r.failed, 0);
    assert_int_equal(t.recover_calls, r.cases);
}

static void missing_sync_is_caught_only_by_cache_loss(void **state)
{
    (void)state;
    struct toy t = {TOY_NO_SYNC, 0};
    struct sdb_pc_scenario s = toy_scenario(&t, false, false);
    struct sdb_pc_result r;
    unsetenv("SDB_CUT_CASE");
    assert_int_equal(sdb_pc_run(&s, &r), SDB_OK);
    assert_int_equal(r.failed, 0); /* in-order cuts cannot see the missing barrier */
    s.cache_modes = true;
    assert_int_equal(sdb_pc_run(&s, &r), SDB_OK);
    assert_true(r.failed > 0);
}

static void commit_before_data_is_caught_by_plain_cuts(void **state)
{
    (void)state;
    struct toy t = {TOY_COMMIT_FIRST, 0};
    struct sdb_pc_scenario s = toy_scenario(&t, false, false);
    struct sdb_pc_result r;
    unsetenv("SDB_CUT_CASE");
    assert_int_equal(sdb_pc_run(&s, &r), SDB_OK);
    assert_int_equal(r.writes, SLOT_SECTORS + 1);
    /* only w1 (the commit record lost) leaves the old value; every other case
     * leaves a commit pointing at a missing or half-written new value */
    assert_int_equal(r.failed, 2 * r.writes - 1);
}

static void second_cut_runs_every_recovery_write(void **state)
{
    (void)state;
    struct toy t = {TOY_CORRECT, 0};
    struct sdb_pc_scenario s = toy_scenario(&t, false, true);
    s.recover = toy_setup; /* a recovery that writes 3 sectors: rewrite the old value */
    struct sdb_pc_result r;
    unsetenv("SDB_CUT_CASE");
    assert_int_equal(sdb_pc_run(&s, &r), SDB_OK);
    /* uncut + 3 x (lost + torn) + 3 lost first cuts x 3 second cuts */
    assert_int_equal(r.cases, 1 + 3 * 2 + 3 * 3);
    assert_int_equal(r.failed, 0);
}

static void replay_runs_exactly_one_case(void **state)
{
    (void)state;
    struct toy t = {TOY_COMMIT_FIRST, 0};
    struct sdb_pc_scenario s = toy_scenario(&t, false, false);
    struct sdb_pc_result r;
    setenv("SDB_CUT_CASE", "w2/t256", 1);
    assert_int_equal(sdb_pc_run(&s, &r), SDB_OK);
    assert_int_equal(r.cases, 1);
    assert_int_equal(r.failed, 1);
    setenv("SDB_CUT_CASE", "w1", 1); /* cut in the commit: old value intact */
    assert_int_equal(sdb_pc_run(&s, &r), SDB_OK);
    assert_int_equal(r.cases, 1);
    assert_int_equal(r.failed, 0);
    setenv("SDB_CUT_CASE", "w1+w1", 1); /* second-cut ids replay too */
    assert_int_equal(sdb_pc_run(&s, &r), SDB_OK);
    assert_int_equal(r.cases, 1);
    setenv("SDB_CUT_CASE", "bogus", 1);
    assert_int_equal(sdb_pc_run(&s, &r), SDB_E_INVAL);
    assert_int_equal(r.cases, 0);
    unsetenv("SDB_CUT_CASE");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(correct_toy_passes_every_case_and_counts_are_exact),
        cmocka_unit_test(missing_sync_is_caught_only_by_cache_loss),
        cmocka_unit_test(commit_before_data_is_caught_by_plain_cuts),
        cmocka_unit_test(second_cut_runs_every_recovery_write),
        cmocka_unit_test(replay_runs_exactly_one_case),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
