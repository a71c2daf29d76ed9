/*
 * Power cut at every sector write of every FAT operation (lost, torn, and
 * write-cache loss), then mount + sdb_fat_check(repair): fsck.fat -n clean,
 * files the operation did not touch intact, the file it changed old or new
 * (a plain write: old content, or a prefix of the new content as documented in
 * src/fat/POWERLOSS.md). Under cache loss only the first two are promised: the
 * driver issues no sync inside an operation, so the card may reorder.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include "fat_test_util.h"
#include "powercut.h"

#define CARD_BYTES (1u << 20)
static uint8_t old_data[2500], new_data[3000], keep_data[1500];
static uint8_t back[16384];
static uint8_t bitmap[1024];

enum op {
    OP_CREATE,
    OP_REWRITE,
    OP_APPEND,
    OP_UNLINK,
    OP_RENAME,
    OP_MKDIR,
    OP_TRUNCATE,
    OP_REPLACE
};

struct pc_ctx {
    enum op op;
};

static int setup(sdb_bd_t *bd, void *ctx)
{
    (void)ctx;
    struct sdb_fat_vol vol;
    int err = sdb_fat_mkfs(bd, &(struct sdb_mkfs_opts){.type = 12, .sec_per_clus = 1});
    if (err || (err = sdb_fat_mount(&vol, bd, false)))
        return err;
    if ((err = sdb_fat_mkdir(&vol, "/app")) || (err = sdb_fat_mkdir(&vol, "/data")) ||
        (err = put_file(&vol, "/keep me.txt", keep_data, sizeof keep_data)) ||
        (err = put_file(&vol, "/app/old module.py", old_data, sizeof old_data)) ||
        (err = put_file(&vol, "/data/k2.bin", keep_data, 700)))
        return err;
    return sdb_fat_unmount(&vol);
}

static int run(sdb_bd_t *bd, void *vctx)
{
    struct pc_ctx *ctx = vctx;
    struct sdb_fat_vol vol;
    int err = sdb_fat_mount(&vol, bd, false);
    if (err)
        return err;
    struct sdb_fat_file f;
    switch (ctx->op) {
    case OP_CREATE:
        err = put_file(&vol, "/app/a brand new file.bin", new_data, sizeof new_data);
        break;
    case OP_REWRITE:
        err = put_file(&vol, "/app/old module.py", new_data, sizeof new_data);
        break;
    case OP_APPEND:
        if ((err = sdb_fat_open(&vol, &f, "/app/old module.py", SDB_FAT_APPEND)) == SDB_OK) {
            err = sdb_fat_write(&f, new_data, 3000);
            int cerr = sdb_fat_close(&f);
            err = err ? err : cerr;
        }
        break;
    case OP_UNLINK:
        err = sdb_fat_unlink(&vol, "/app/old module.py");
        break;
    case OP_RENAME:
        err = sdb_fat_rename(&vol, "/app/old module.py", "/data/moved module.py", false);
        break;
    case OP_MKDIR:
        err = sdb_fat_mkdir(&vol, "/app/a new directory");
        break;
    case OP_TRUNCATE:
        if ((err = sdb_fat_open(&vol, &f, "/app/old module.py", SDB_FAT_WRITE)) == SDB_OK) {
            err = sdb_fat_truncate(&f, 1000);
            int cerr = sdb_fat_close(&f);
            err = err ? err : cerr;
        }
        break;
    case OP_REPLACE:
        if ((err = put_file(&vol, "/app/new.tmp", new_data, sizeof new_data)) == SDB_OK)
            err = sdb_fat_rename(&vol, "/app/new.tmp", "/app/old module.py", true);
        break;
    }
    int uerr = sdb_fat_unmount(&vol);
    return err ? err : uerr;
}

static int recover(sdb_bd_t *bd, void *ctx)
{
    (void)ctx;
    struct sdb_fat_vol vol;
    struct sdb_fat_check_report r;
    int err = sdb_fat_mount(&vol, bd, false);
    if (err || (err = sdb_fat_check(&vol, true, bitmap, sizeof bitmap, &r)))
        return err;
    return sdb_fat_unmount(&vol);
}

static bool same(struct sdb_fat_vol *vol, const char *path, const uint8_t *want, uint32_t len)
{
    uint32_t got;
    return get_file(vol, path, back, sizeof back, &got) == SDB_OK && got == len &&
           !memcmp(back, want, len);
}

/* old, new, or (for writes) a prefix of new: what a cut may leave. */
static bool old_or_new(struct sdb_fat_vol *vol, const char *path, const uint8_t *old_c,
                       uint32_t old_len, const uint8_t *new_c, uint32_t new_len, bool prefix_ok)
{
    uint32_t got;
    int err = get_file(vol, path, back, sizeof back, &got);
    if (err)
        return old_c == NULL && err == SDB_FAT_ENOENT;
    if (old_c && got == old_len && !memcmp(back, old_c, got))
        return true;
    if (new_c && got == new_len && !memcmp(back, new_c, got))
        return true;
    return prefix_ok && new_c && got <= new_len && !memcmp(back, new_c, got);
}

static bool verify(sdb_bd_t *bd, const uint8_t *mem, size_t bytes, void *vctx, bool cache_loss,
                   char *why, size_t len)
{
    (void)mem;
    (void)bytes;
    struct pc_ctx *ctx = vctx;
    struct sdb_fat_vol vol;
    if (sdb_fat_mount(&vol, bd, true)) {
        snprintf(why, len, "does not mount");
        return false;
    }
    if (!same(&vol, "/keep me.txt", keep_data, sizeof keep_data) ||
        !same(&vol, "/data/k2.bin", keep_data, 700)) {
        snprintf(why, len, "an untouched file changed");
        return false;
    }
    if (cache_loss)
        return true;
    bool ok = true;
    static uint8_t appended[9000];
    memcpy(appended, old_data, sizeof old_data);
    memcpy(appended + sizeof old_data, new_data, 3000);
    const char *old_path = "/app/old module.py";
    switch (ctx->op) {
    case OP_CREATE:
        ok =
            old_or_new(&vol, "/app/a brand new file.bin", NULL, 0, new_data, sizeof new_data, true);
        break;
    case OP_REWRITE:
        ok = old_or_new(&vol, old_path, old_data, sizeof old_data, new_data, sizeof new_data, true);
        break;
    case OP_APPEND: {
        uint32_t got;
        ok = get_file(&vol, old_path, back, sizeof back, &got) == SDB_OK &&
             got >= sizeof old_data && got <= sizeof old_data + 3000 &&
             !memcmp(back, appended, got);
        break;
    }
    case OP_UNLINK:
        ok = same(&vol, old_path, old_data, sizeof old_data) ||
             sdb_fat_stat(&vol, old_path, &(struct sdb_fat_stat){0}) == SDB_FAT_ENOENT;
        break;
    case OP_RENAME: {
        bool at_old = same(&vol, old_path, old_data, sizeof old_data);
        bool at_new = same(&vol, "/data/moved module.py", old_data, sizeof old_data);
        ok = at_old || at_new;
        break;
    }
    case OP_MKDIR:
        break;
    case OP_TRUNCATE:
        ok = old_or_new(&vol, old_path, old_data, sizeof old_data, old_data, 1000, false);
        break;
    case OP_REPLACE:
        ok = old_or_new(&vol, old_path, old_data, sizeof old_data, new_data, sizeof new_data,
                        false) ||
             /* cut before the rename: the temporary may remain, the old file intact */
             same(&vol, old_path, old_data, sizeof old_data);
        break;
    }
    if (!ok)
        snprintf(why, len, "the changed file is neither old nor new");
    return ok;
}

static void run_op(enum op op, const char *name)
{
    struct pc_ctx ctx = {.op = op};
    struct sdb_pc_scenario s = {.name = name,
                                .image_bytes = CARD_BYTES,
                                .setup = setup,
                                .run = run,
                                .recover = recover,
                                .verify = verify,
                                .ctx = &ctx,
                                .cache_modes = true,
                                .second_cut = true,
                                .fsck_each = true};
    struct sdb_pc_result res;
    assert_int_equal(sdb_pc_run(&s, &res), SDB_OK);
    if (!getenv("SDB_CUT_CASE")) /* a replay runs one case only */
        assert_true(res.writes > 0);
    assert_int_equal(res.failed, 0);
}

static void cut_create(void **state)
{
    (void)state;
    run_op(OP_CREATE, "fat create+write");
}
static void cut_rewrite(void **state)
{
    (void)state;
    run_op(OP_REWRITE, "fat truncate+rewrite");
}
static void cut_append(void **state)
{
    (void)state;
    run_op(OP_APPEND, "fat append");
}
static void cut_unlink(void **state)
{
    (void)state;
    run_op(OP_UNLINK, "fat unlink");
}
static void cut_rename(void **state)
{
    (void)state;
    run_op(OP_RENAME, "fat rename");
}
static void cut_mkdir(void **state)
{
    (void)state;
    run_op(OP_MKDIR, "fat mkdir");
}
static void cut_truncate(void **state)
{
    (void)state;
    run_op(OP_TRUNCATE, "fat truncate");
}
static void cut_replace(void **state)
{
    (void)state;
    run_op(OP_REPLACE, "fat write+replace");
}

int main(void)
{
    for (size_t i = 0; i < sizeof old_data; i++)
        old_data[i] = (uint8_t)(i * 7 + 1);
    for (size_t i = 0; i < sizeof new_data; i++)
        new_data[i] = (uint8_t)(i * 13 + 5);
    memset(keep_data, 'k', sizeof keep_data);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cut_create),   cmocka_unit_test(cut_rewrite), cmocka_unit_test(cut_append),
        cmocka_unit_test(cut_unlink),   cmocka_unit_test(cut_rename),  cmocka_unit_test(cut_mkdir),
        cmocka_unit_test(cut_truncate), cmocka_unit_test(cut_replace),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
