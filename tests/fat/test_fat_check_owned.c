/*
 * Repair that changes only what its caller owns (sdb_fat_check_owned): for
 * each shape of cross-link between an owned entry (under /APP) and a user's,
 * the user's entry keeps every cluster and byte, the owned one is cut or
 * dropped, each fix is reported by path, and fsck.fat -n finds the result
 * clean. Problems between two user entries are reported and left as they are.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>
#include "fat_test_util.h"
#include "fsck_oracle.h"

extern int fat_set(struct sdb_fat_vol *, uint32_t, uint32_t);
extern int fat_get(struct sdb_fat_vol *, uint32_t, uint32_t *);

static uint8_t bitmap[4096];
static uint8_t user_data[6000], owned_data[6000], big[20000], got[20000];
static char notes[4096];

static bool owns_app(void *ctx, const char *path, bool is_dir)
{
    (void)ctx, (void)is_dir;
    return !strncmp(path, "/APP", 4) && (path[4] == '\0' || path[4] == '/');
}

static void note(void *ctx, const char *path, const char *what, bool fixed)
{
    (void)ctx;
    size_t n = strlen(notes);
    snprintf(notes + n, sizeof notes - n, "%s: %s%s\n", path, what, fixed ? "" : " (left alone)");
}

static const struct sdb_fat_check_opts opts = {owns_app, note, NULL, NULL, 0, false};

/* FAT16, 1 KiB clusters: /USER.TXT and /APP/CONFIG.PY of 6 clusters each,
 * /DOCS/BIG.BIN, an empty /APP/SUB, and a second user file /OTHER.TXT. */
static void make_card(struct ram_card *c)
{
    assert_int_equal(ram_card_format(c, 8u << 20, 16), SDB_OK);
    for (unsigned i = 0; i < sizeof user_data; i++) {
        user_data[i] = (uint8_t)('a' + i % 26);
        owned_data[i] = (uint8_t)('0' + i % 10);
    }
    for (unsigned i = 0; i < sizeof big; i++)
        big[i] = (uint8_t)(i * 7);
    assert_int_equal(sdb_fat_mkdir(&c->vol, "/APP"), SDB_OK);
    assert_int_equal(sdb_fat_mkdir(&c->vol, "/APP/SUB"), SDB_OK);
    assert_int_equal(put_file(&c->vol, "/APP/CONFIG.PY", owned_data, sizeof owned_data), 0);
    assert_int_equal(put_file(&c->vol, "/USER.TXT", user_data, sizeof user_data), SDB_OK);
    assert_int_equal(put_file(&c->vol, "/OTHER.TXT", owned_data, sizeof owned_data), SDB_OK);
    assert_int_equal(sdb_fat_mkdir(&c->vol, "/DOCS"), SDB_OK);
    assert_int_equal(put_file(&c->vol, "/DOCS/BIG.BIN", big, sizeof big), SDB_OK);
    assert_int_equal(sdb_fat_sync(&c->vol), SDB_OK);
    notes[0] = '\0';
}

/* The 8.3 entry named `sfn` in the directory at `dclus` (0 = root), in RAM. */
static uint8_t *entry(struct ram_card *c, uint32_t dclus, const char sfn[11])
{
    uint32_t lba = dclus ? c->vol.data_lba + (dclus - 2) * c->vol.sec_per_clus : c->vol.root_lba;
    uint32_t n = dclus ? c->vol.sec_per_clus : c->vol.root_sectors;
    for (uint32_t s = 0; s < n * 16; s++) {
        uint8_t *e = c->mem + (size_t)lba * 512 + s * 32;
        if (!memcmp(e, sfn, 11))
            return e;
    }
    fail_msg("no entry %.11s", sfn);
    return NULL;
}

static uint32_t first_clus(struct ram_card *c, const char *path)
{
    struct sdb_fat_stat st;
    assert_int_equal(sdb_fat_stat(&c->vol, path, &st), SDB_OK);
    return st.first_clus;
}

static void set_first(uint8_t *e, uint32_t clus)
{
    e[26] = (uint8_t)clus, e[27] = (uint8_t)(clus >> 8);
}

static void remount(struct ram_card *c)
{
    assert_int_equal(sdb_fat_mount(&c->vol, &c->ram.bd, false), SDB_OK);
}

static void assert_user_files_whole(struct ram_card *c)
{
    uint32_t len;
    assert_int_equal(get_file(&c->vol, "/USER.TXT", got, sizeof got, &len), SDB_OK);
    assert_int_equal(len, sizeof user_data);
    assert_memory_equal(got, user_data, len);
    assert_int_equal(get_file(&c->vol, "/DOCS/BIG.BIN", got, sizeof got, &len), SDB_OK);
    assert_int_equal(len, sizeof big);
    assert_memory_equal(got, big, len);
}

static void repair_and_verify(struct ram_card *c, const char *expect_note)
{
    struct sdb_fat_check_report r;
    remount(c);
    assert_int_equal(sdb_fat_check_owned(&c->vol, false, bitmap, sizeof bitmap, &opts, &r),
                     SDB_FAT_ECORRUPT);
    assert_int_equal(r.left_alone, 0);
    notes[0] = '\0';
    assert_int_equal(sdb_fat_check_owned(&c->vol, true, bitmap, sizeof bitmap, &opts, &r), 0);
    if (!strstr(notes, expect_note))
        fail_msg("notes:\n%swant: %s", notes, expect_note);
    assert_int_equal(sdb_fat_unmount(&c->vol), SDB_OK);
    remount(c);
    assert_int_equal(sdb_fat_check(&c->vol, false, bitmap, sizeof bitmap, &r), SDB_OK);
    assert_user_files_whole(c);
    char report[2048];
    int clean = sdb_test_fsck_clean_mem(c->mem, c->bytes, report, sizeof report);
    if (clean != 1)
        fail_msg("fsck.fat -n:\n%s", report);
}

/* The owned file's first cluster is the user's: the owned name goes. */
static void owned_starts_in_user_file(void **state)
{
    (void)state;
    struct ram_card c;
    make_card(&c);
    uint32_t app = first_clus(&c, "/APP"), user = first_clus(&c, "/USER.TXT");
    set_first(entry(&c, app, "CONFIG  PY "), user);
    repair_and_verify(&c, "/APP/CONFIG.PY: starts in another entry's clusters: removed\n");
    struct sdb_fat_stat st;
    assert_int_equal(sdb_fat_stat(&c.vol, "/APP/CONFIG.PY", &st), SDB_FAT_ENOENT);
    ram_card_free(&c);
}

/* The user's first cluster is the owned file's, but the user's entry is seen
 * second in a plain walk (root after /APP): the user still keeps it. */
static void user_file_named_after_owned_one(void **state)
{
    (void)state;
    struct ram_card c;
    make_card(&c);
    uint32_t app = first_clus(&c, "/APP"), user = first_clus(&c, "/USER.TXT");
    uint32_t own = first_clus(&c, "/APP/CONFIG.PY");
    /* user.txt's entry now names config.py's chain (contiguous on a fresh
     * card), which holds the user's bytes */
    memcpy(c.mem + (size_t)(c.vol.data_lba + (own - 2) * c.vol.sec_per_clus) * 512, user_data,
           sizeof user_data);
    set_first(entry(&c, 0, "USER    TXT"), own);
    (void)user, (void)app;
    repair_and_verify(&c, "/APP/CONFIG.PY: starts in another entry's clusters: removed\n");
    ram_card_free(&c);
}

/* The owned chain runs into the user's chain half-way: cut there. */
static void owned_chain_joins_user_chain(void **state)
{
    (void)state;
    struct ram_card c;
    make_card(&c);
    uint32_t own = first_clus(&c, "/APP/CONFIG.PY"), user = first_clus(&c, "/USER.TXT");
    assert_int_equal(fat_set(&c.vol, own, user + 1), SDB_OK);
    assert_int_equal(sdb_fat_sync(&c.vol), SDB_OK);
    repair_and_verify(&c, "/APP/CONFIG.PY: shares clusters: cut where they meet\n");
    assert_true(strstr(notes, "/APP/CONFIG.PY: size larger than its clusters: shrunk\n"));
    struct sdb_fat_stat st;
    assert_int_equal(sdb_fat_stat(&c.vol, "/APP/CONFIG.PY", &st), SDB_OK);
    assert_int_equal(st.size, sdb_fat_cluster_bytes(&c.vol));
    ram_card_free(&c);
}

/* An owned directory starting at a user directory's cluster: the owned
 * name goes, the user's directory and everything in it stay. */
static void owned_dir_at_user_dir(void **state)
{
    (void)state;
    struct ram_card c;
    make_card(&c);
    uint32_t app = first_clus(&c, "/APP"), docs = first_clus(&c, "/DOCS");
    set_first(entry(&c, app, "SUB        "), docs);
    repair_and_verify(&c, "/APP/SUB: starts in another entry's clusters: removed\n");
    ram_card_free(&c);
}

/* Two user files sharing clusters: reported, neither changed. */
static void user_user_left_alone(void **state)
{
    (void)state;
    struct ram_card c;
    make_card(&c);
    uint32_t user = first_clus(&c, "/USER.TXT");
    set_first(entry(&c, 0, "OTHER   TXT"), user);
    remount(&c);
    struct sdb_fat_check_report r;
    uint8_t *before = malloc(c.bytes);
    memcpy(before, c.mem, c.bytes);
    assert_int_equal(sdb_fat_check_owned(&c.vol, true, bitmap, sizeof bitmap, &opts, &r), 0);
    assert_int_equal(r.left_alone, 1);
    assert_non_null(strstr(notes, "/OTHER.TXT: starts in another entry's clusters: removed "
                                  "(left alone)\n"));
    /* Only OTHER.TXT's own clusters, used by nothing now, were freed: every
     * directory sector is as it was. */
    assert_memory_equal(before + (size_t)c.vol.root_lba * 512, c.mem + (size_t)c.vol.root_lba * 512,
                        (size_t)c.vol.root_sectors * 512);
    assert_user_files_whole(&c);
    free(before);
    ram_card_free(&c);
}

/* Without ownership the check is the plain one: the same card, the walk's
 * order decides (here the user's entry comes after /APP and loses). */
static void without_opts_walk_order_decides(void **state)
{
    (void)state;
    struct ram_card c;
    make_card(&c);
    uint32_t own = first_clus(&c, "/APP/CONFIG.PY");
    set_first(entry(&c, 0, "USER    TXT"), own);
    remount(&c);
    struct sdb_fat_check_report r;
    assert_int_equal(sdb_fat_check(&c.vol, true, bitmap, sizeof bitmap, &r), SDB_OK);
    assert_int_equal(r.cross_links, 1);
    struct sdb_fat_stat st;
    assert_int_equal(sdb_fat_stat(&c.vol, "/USER.TXT", &st), SDB_FAT_ENOENT);
    ram_card_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(owned_starts_in_user_file),
        cmocka_unit_test(user_file_named_after_owned_one),
        cmocka_unit_test(owned_chain_joins_user_chain),
        cmocka_unit_test(owned_dir_at_user_dir),
        cmocka_unit_test(user_user_left_alone),
        cmocka_unit_test(without_opts_walk_order_decides),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
