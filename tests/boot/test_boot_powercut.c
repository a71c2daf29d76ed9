/*
 * Invariant 1, exhaustively: install, rollback, confirm (the application's
 * write of its confirm record, and the boot that folds it), repair and the
 * rebuild of a lost state (both records damaged), the first boot of a card
 * staged before sdboot ever booted it (initialise, then install), and install, rollback,
 * confirm and repair of a delta (1.1.0 staged as its changed files over
 * 1.0.0), and install, rollback, confirm, repair and rebuild of a delta over
 * that delta (1.2.0 staged against the base 1.0.0 over 1.1.0), each cut at
 * every sector write (write lost, torn, and the card's write cache losing
 * unsynced writes), then booted again; and every recovery boot cut again at each
 * of its writes. Every case must end with fsck.fat -n clean, the tree exactly
 * one complete release that the state names, the user file intact, and the
 * next boot running that release; the recovery boot must report that very
 * release and no failure. No sampling: the runner prints the counts.
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
#include "powercut.h"

#define CARD_BYTES (1u << 20)

enum scenario {
    SC_INSTALL,
    SC_ROLLBACK,
    SC_CONFIRM,
    SC_APP_CONFIRM,
    SC_REPAIR,
    SC_REBUILD,
    SC_FIRST_BOOT, /* a card staged before sdboot booted it: initialise, then install */
    SC_DELTA_INSTALL,
    SC_DELTA_ROLLBACK,
    SC_DELTA_CONFIRM,
    SC_DELTA_REPAIR,
    SC_DD_INSTALL, /* delta over a delta: 1.2.0 over 1.1.0, both against 1.0.0 */
    SC_DD_ROLLBACK,
    SC_DD_CONFIRM,
    SC_DD_REPAIR,
    SC_DD_REBUILD,
};

static bool is_delta(enum scenario sc)
{
    return sc >= SC_DELTA_INSTALL;
}

static bool is_dd(enum scenario sc)
{
    return sc >= SC_DD_INSTALL;
}

/* The release a scenario ends with. */
static const struct fx_release *expected(enum scenario sc)
{
    switch (sc) {
    case SC_REPAIR:
    case SC_ROLLBACK:
    case SC_DELTA_ROLLBACK:
    case SC_FIRST_BOOT:
        return &fx_r1;
    case SC_DD_INSTALL:
    case SC_DD_CONFIRM:
    case SC_DD_REPAIR:
    case SC_DD_REBUILD:
        return &fx_r3;
    default:
        return &fx_r2;
    }
}

struct ctx {
    enum scenario sc;
    struct sdboot_result recovered; /* what the last recovery boot reported */
};

/* Both state records lost: bytes flipped in place, the FAT untouched. */
static int damage_records(sdb_bd_t *bd)
{
    static const char *const paths[] = {"/.sdboot/state.a", "/.sdboot/state.b"};
    struct sdb_fat_vol vol;
    int err = sdb_fat_mount(&vol, bd, false);
    for (int i = 0; i < 2 && !err; i++) {
        struct sdb_fat_file f;
        uint8_t buf[512];
        uint32_t got;
        if ((err = sdb_fat_open(&vol, &f, paths[i], SDB_FAT_READ | SDB_FAT_WRITE)))
            break;
        err = sdb_fat_read(&f, buf, sizeof buf, &got);
        buf[20 + 7 * i] ^= 0xff;
        if (!err)
            err = sdb_fat_overwrite_sector(&f, 0, buf);
        int cerr = sdb_fat_close(&f);
        err = err ? err : cerr;
    }
    int uerr = err ? SDB_OK : sdb_fat_unmount(&vol);
    return err ? err : uerr;
}

/* damage: the entry point gone, an app file changed in place */
static int damage_files(sdb_bd_t *bd)
{
    struct sdb_fat_vol vol;
    struct sdb_fat_file f;
    int err;
    if ((err = sdb_fat_mount(&vol, bd, false)) || (err = sdb_fat_unlink(&vol, "/main.py")) ||
        (err = sdb_fat_open(&vol, &f, "/app/a.py", SDB_FAT_WRITE)) ||
        (err = sdb_fat_write(&f, "X", 1)) || (err = sdb_fat_close(&f)))
        return err;
    return sdb_fat_unmount(&vol);
}

static int setup(sdb_bd_t *bd, void *vctx)
{
    struct ctx *c = vctx;
    struct sdboot_result res;
    bool delta = is_delta(c->sc);
    if (c->sc == SC_FIRST_BOOT) {
        int err = fx_new_card_unbooted(bd);
        return err ? err : fx_stage(bd, &fx_r1, NULL, 0);
    }
    int err = fx_new_card(bd);
    if (err || (err = delta ? fx_stage_indexed(bd, &fx_r1) : fx_stage(bd, &fx_r1, NULL, 0)) ||
        (err = fx_boot(bd, &res)) || (err = fx_confirm(bd)) || (err = fx_boot(bd, &res)))
        return err;
    if (c->sc == SC_REPAIR)
        return damage_files(bd);
    if ((err = delta ? fx_stage_delta(bd, &fx_r2, &fx_r1, NULL, 0, NULL)
                     : fx_stage(bd, &fx_r2, NULL, 0)))
        return err;
    if (c->sc == SC_INSTALL || c->sc == SC_DELTA_INSTALL)
        return SDB_OK;
    if ((err = fx_boot(bd, &res))) /* installs 1.1.0, on trial */
        return err;
    if (is_dd(c->sc)) { /* 1.1.0 confirmed, 1.2.0 staged against the base */
        if ((err = fx_confirm(bd)) || (err = fx_boot(bd, &res)) ||
            (err = fx_stage_delta(bd, &fx_r3, &fx_r1, NULL, 0, NULL)))
            return err;
        if (c->sc == SC_DD_INSTALL)
            return SDB_OK;
        if ((err = fx_boot(bd, &res))) /* installs 1.2.0, on trial */
            return err;
    }
    if (c->sc == SC_CONFIRM || c->sc == SC_DELTA_CONFIRM || c->sc == SC_DD_CONFIRM)
        return fx_confirm(bd);
    if (c->sc == SC_DELTA_REPAIR || c->sc == SC_DD_REPAIR) /* confirmed, then damaged */
        return (err = fx_confirm(bd)) || (err = fx_boot(bd, &res)) ? err : damage_files(bd);
    if (c->sc == SC_APP_CONFIRM)
        return SDB_OK; /* the cut run is the application's confirm */
    if (c->sc == SC_REBUILD || c->sc == SC_DD_REBUILD) /* confirmed, not yet folded: the */
        return (err = fx_confirm(bd)) ? err : damage_records(bd); /* rebuild counts no trial */
    for (int i = 0; i < 3 && !err; i++)                           /* the three trial boots */
        err = fx_boot(bd, &res);
    return err;
}

static int one_boot(sdb_bd_t *bd, void *ctx)
{
    (void)ctx;
    struct sdboot_result res;
    int err = fx_boot(bd, &res);
    if (!err && res.decision != SDBOOT_RUN_CARD)
        return SDB_E_INTERNAL;
    return err;
}

/* The application, on its trial boot, confirms: its record write is cut. */
static int app_confirm(sdb_bd_t *bd, void *ctx)
{
    (void)ctx;
    return fx_confirm(bd);
}

/* The recovery boot, keeping what it reported for verify. */
static int recover_boot(sdb_bd_t *bd, void *vctx)
{
    struct ctx *c = vctx;
    int err = fx_boot(bd, &c->recovered);
    if (!err && c->recovered.decision != SDBOOT_RUN_CARD)
        return SDB_E_INTERNAL;
    return err;
}

static bool verify(sdb_bd_t *bd, const uint8_t *mem, size_t bytes, void *vctx, bool cache_loss,
                   char *why, size_t len)
{
    (void)mem;
    (void)bytes;
    (void)cache_loss;
    struct ctx *c = vctx;
    struct sdboot_state st;
    if (fx_state(bd, &st)) {
        snprintf(why, len, "no readable state");
        return false;
    }
    const struct fx_release *r = expected(c->sc);
    if (strcmp(st.installed, r->version) || st.phase != SDBOOT_PHASE_IDLE) {
        snprintf(why, len, "state names '%s', phase %u, after this scenario", st.installed,
                 st.phase);
        return false;
    }
    /* a delta over a delta, and its rollback, stay deltas over the base */
    if (is_dd(c->sc) && (!st.delta || strcmp(sdboot_state_base(&st), fx_r1.version))) {
        snprintf(why, len, "state: delta %d over '%s'", st.delta, sdboot_state_base(&st));
        return false;
    }
    /* What the boot reports matches what runs: no verified install or
     * rollback that a cut interrupted is ever reported as failed. */
    if (c->recovered.event == SDBOOT_EV_INSTALL_FAILED || c->recovered.error ||
        strcmp(c->recovered.version, r->version)) {
        snprintf(why, len, "recovery boot reported event %s, error %d, release %s; %s runs",
                 sdboot_event_name(c->recovered.event), c->recovered.error, c->recovered.version,
                 r->version);
        return false;
    }
    /* A rebuilt state keeps the release, what it rolls back to, and the floor. */
    if (c->sc == SC_REBUILD && strcmp(st.previous, fx_r1.version)) {
        snprintf(why, len, "rebuilt state names previous '%s'", st.previous);
        return false;
    }
    if (!fx_tree_is(bd, r, why, len))
        return false;
    /* the next power-on runs that very release, and the tree stays as it is */
    struct sdboot_result res;
    if (fx_boot(bd, &res) || res.decision != SDBOOT_RUN_CARD || strcmp(res.version, r->version)) {
        snprintf(why, len, "next boot does not run %s", r->version);
        return false;
    }
    if ((c->sc == SC_CONFIRM || c->sc == SC_REBUILD || c->sc == SC_DELTA_CONFIRM ||
         c->sc == SC_DD_CONFIRM || c->sc == SC_DD_REBUILD) &&
        (fx_state(bd, &st) || !st.confirmed)) {
        snprintf(why, len, "the confirmation was lost");
        return false;
    }
    return fx_tree_is(bd, r, why, len);
}

static void run_scenario(enum scenario sc, const char *name)
{
    struct ctx c = {.sc = sc};
    struct sdb_pc_scenario s = {.name = name,
                                .image_bytes = CARD_BYTES,
                                .setup = setup,
                                .run = sc == SC_APP_CONFIRM ? app_confirm : one_boot,
                                .recover = recover_boot,
                                .verify = verify,
                                .ctx = &c,
                                .cache_modes = true,
                                .second_cut = true,
                                .fsck_each = true};
    struct sdb_pc_result res;
    assert_int_equal(sdb_pc_run(&s, &res), SDB_OK);
    if (!getenv("SDB_CUT_CASE")) /* a replay runs one case only */
        assert_true(res.writes > 0);
    assert_int_equal(res.failed, 0);
}

static void cut_install(void **state)
{
    (void)state;
    run_scenario(SC_INSTALL, "boot install 1.0.0 -> 1.1.0");
}
static void cut_rollback(void **state)
{
    (void)state;
    run_scenario(SC_ROLLBACK, "boot rollback 1.1.0 -> 1.0.0");
}
static void cut_confirm(void **state)
{
    (void)state;
    run_scenario(SC_CONFIRM, "boot confirm 1.1.0");
}
static void cut_app_confirm(void **state)
{
    (void)state;
    run_scenario(SC_APP_CONFIRM, "application confirms 1.1.0");
}
static void cut_repair(void **state)
{
    (void)state;
    run_scenario(SC_REPAIR, "boot repair 1.0.0");
}
static void cut_rebuild(void **state)
{
    (void)state;
    run_scenario(SC_REBUILD, "boot rebuild of a lost state 1.1.0");
}

static void cut_first_boot(void **state)
{
    (void)state;
    run_scenario(SC_FIRST_BOOT, "first boot of a card staged before it: initialise, install 1.0.0");
}

static void cut_delta_install(void **state)
{
    (void)state;
    run_scenario(SC_DELTA_INSTALL, "boot delta install 1.0.0 -> 1.1.0");
}
static void cut_delta_rollback(void **state)
{
    (void)state;
    run_scenario(SC_DELTA_ROLLBACK, "boot delta rollback 1.1.0 -> 1.0.0");
}
static void cut_delta_confirm(void **state)
{
    (void)state;
    run_scenario(SC_DELTA_CONFIRM, "boot delta confirm 1.1.0");
}
static void cut_delta_repair(void **state)
{
    (void)state;
    run_scenario(SC_DELTA_REPAIR, "boot repair after a delta 1.1.0");
}

static void cut_dd_install(void **state)
{
    (void)state;
    run_scenario(SC_DD_INSTALL, "boot delta over a delta install 1.1.0 -> 1.2.0");
}
static void cut_dd_rollback(void **state)
{
    (void)state;
    run_scenario(SC_DD_ROLLBACK, "boot delta over a delta rollback 1.2.0 -> 1.1.0");
}
static void cut_dd_confirm(void **state)
{
    (void)state;
    run_scenario(SC_DD_CONFIRM, "boot delta over a delta confirm 1.2.0");
}
static void cut_dd_repair(void **state)
{
    (void)state;
    run_scenario(SC_DD_REPAIR, "boot repair after a delta over a delta 1.2.0");
}
static void cut_dd_rebuild(void **state)
{
    (void)state;
    run_scenario(SC_DD_REBUILD, "boot rebuild of a lost state, delta over a delta 1.2.0");
}

int main(void)
{
    /* ctest runs each scenario as its own test (SDB_SCENARIO=cut_install...). */
    const char *only = getenv("SDB_SCENARIO");
    if (only && *only)
        cmocka_set_test_filter(only);
    fx_build(&fx_r1);
    fx_build(&fx_r2);
    fx_build(&fx_r3);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cut_install),        cmocka_unit_test(cut_rollback),
        cmocka_unit_test(cut_confirm),        cmocka_unit_test(cut_app_confirm),
        cmocka_unit_test(cut_repair),         cmocka_unit_test(cut_rebuild),
        cmocka_unit_test(cut_first_boot),     cmocka_unit_test(cut_delta_install),
        cmocka_unit_test(cut_delta_rollback), cmocka_unit_test(cut_delta_confirm),
        cmocka_unit_test(cut_delta_repair),   cmocka_unit_test(cut_dd_install),
        cmocka_unit_test(cut_dd_rollback),    cmocka_unit_test(cut_dd_confirm),
        cmocka_unit_test(cut_dd_repair),      cmocka_unit_test(cut_dd_rebuild),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
