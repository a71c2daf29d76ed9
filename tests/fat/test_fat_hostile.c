/*
 * Hostile cards: corrupt boot sectors, FAT loops, cross-links, directory cycles,
 * sizes past the end. Every case must end in an error code or a clean result,
 * never a crash or a hang, and a read-only mount + walk must write nothing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>
#include "fat_test_util.h"

static uint8_t buf[65536];
static uint8_t bitmap[4096];

/* Mount read-only, walk everything, read every file, check; count writes. */
static void walk_everything(struct sdb_fat_vol *vol, const char *path, unsigned depth)
{
    struct sdb_fat_dir d;
    struct sdb_fat_dirent ent;
    if (depth > 20 || sdb_fat_opendir(vol, &d, path))
        return;
    for (unsigned n = 0; n < 1000 && sdb_fat_readdir(&d, &ent) == SDB_OK; n++) {
        char child[SDB_FAT_PATH_MAX + 1];
        if (snprintf(child, sizeof child, "%s/%s", strcmp(path, "/") ? path : "", ent.name) >=
            (int)sizeof child)
            continue;
        if (ent.st.is_dir) {
            walk_everything(vol, child, depth + 1);
        } else {
            uint32_t got;
            get_file(vol, child, buf, sizeof buf, &got);
        }
    }
}

static void survive(uint8_t *mem, size_t bytes)
{
    struct sdb_bd_ram ram;
    sdb_bd_ram_init(&ram, mem, (uint32_t)(bytes / SDB_SECTOR_SIZE));
    struct sdb_fat_vol vol;
    enum sdb_card_class cls;
    assert_int_equal(sdb_fat_detect(&ram.bd, &cls), SDB_OK);
    if (sdb_fat_mount(&vol, &ram.bd, true) == SDB_OK) {
        walk_everything(&vol, "/", 0);
        struct sdb_fat_check_report r;
        int err = sdb_fat_check(&vol, false, bitmap, sizeof bitmap, &r);
        assert_true(err == SDB_OK || err < 0);
    }
    assert_int_equal(ram.bd.stats.sectors_written, 0);
}

static void make_card(struct ram_card *c)
{
    assert_int_equal(ram_card_format(c, 2u << 20, 12), SDB_OK);
    assert_int_equal(sdb_fat_mkdir(&c->vol, "/d"), SDB_OK);
    assert_int_equal(sdb_fat_mkdir(&c->vol, "/d/e"), SDB_OK);
    memset(buf, 'x', 20000);
    assert_int_equal(put_file(&c->vol, "/d/e/file.bin", buf, 20000), SDB_OK);
    assert_int_equal(put_file(&c->vol, "/top.txt", buf, 700), SDB_OK);
    assert_int_equal(sdb_fat_sync(&c->vol), SDB_OK);
}

static void corrupt_boot_sector_fields(void **state)
{
    (void)state;
    struct ram_card c;
    make_card(&c);
    uint8_t saved[512];
    memcpy(saved, c.mem, 512);
    const int offsets[] = {0, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 22, 23, 32, 33, 35, 510, 511};
    const uint8_t values[] = {0x00, 0xFF, 0x01, 0x80, 0x07};
    for (size_t i = 0; i < sizeof offsets / sizeof offsets[0]; i++)
        for (size_t v = 0; v < sizeof values; v++) {
            memcpy(c.mem, saved, 512);
            c.mem[offsets[i]] = values[v];
            survive(c.mem, c.bytes);
        }
    ram_card_free(&c);
}

static void fat_loop_and_cross_link(void **state)
{
    (void)state;
    struct ram_card c;
    make_card(&c);
    struct sdb_fat_stat st;
    assert_int_equal(sdb_fat_stat(&c.vol, "/d/e/file.bin", &st), SDB_OK);
    extern int fat_set(struct sdb_fat_vol *, uint32_t, uint32_t);
    /* loop: the 3rd cluster points back to the 1st */
    assert_int_equal(fat_set(&c.vol, st.first_clus + 2, st.first_clus), SDB_OK);
    survive(c.mem, c.bytes);
    /* repair ends the loop and leaves a clean volume */
    struct sdb_fat_check_report r;
    assert_int_equal(sdb_fat_check(&c.vol, true, bitmap, sizeof bitmap, &r), SDB_OK);
    assert_int_equal(sdb_fat_check(&c.vol, false, bitmap, sizeof bitmap, &r), SDB_OK);
    ram_card_free(&c);
}

static void directory_cycle_and_sizes_past_end(void **state)
{
    (void)state;
    struct ram_card c;
    make_card(&c);
    struct sdb_fat_stat d, e;
    assert_int_equal(sdb_fat_stat(&c.vol, "/d", &d), SDB_OK);
    assert_int_equal(sdb_fat_stat(&c.vol, "/d/e", &e), SDB_OK);
    /* make /d/e's first entry (after . and ..) a directory pointing at /d */
    uint8_t *dir_e =
        c.mem + (size_t)(c.vol.data_lba + (e.first_clus - 2) * c.vol.sec_per_clus) * 512;
    uint8_t *ent = dir_e + 64;
    ent[11] = 0x10;
    ent[26] = (uint8_t)d.first_clus;
    ent[27] = (uint8_t)(d.first_clus >> 8);
    assert_int_equal(sdb_fat_invalidate(&c.vol), SDB_OK);
    survive(c.mem, c.bytes);
    /* size past the end of the volume */
    ent[11] = 0x20;
    ent[28] = 0xFF, ent[29] = 0xFF, ent[30] = 0xFF, ent[31] = 0x7F;
    survive(c.mem, c.bytes);
    /* first cluster past the end */
    ent[26] = 0xFF, ent[27] = 0xFF;
    survive(c.mem, c.bytes);
    ram_card_free(&c);
}

static void random_garbage_everywhere(void **state)
{
    (void)state;
    struct ram_card c;
    make_card(&c);
    uint8_t *pristine = malloc(c.bytes);
    memcpy(pristine, c.mem, c.bytes);
    srand(12345);
    uint32_t meta_end = c.vol.data_lba + 64 * c.vol.sec_per_clus;
    for (int round = 0; round < 300; round++) {
        memcpy(c.mem, pristine, c.bytes);
        for (int k = 0; k < 1 + round % 16; k++) {
            size_t at = (size_t)(rand() % (int)(meta_end * 512));
            c.mem[at] = (uint8_t)rand();
        }
        survive(c.mem, c.bytes);
    }
    free(pristine);
    ram_card_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(corrupt_boot_sector_fields),
        cmocka_unit_test(fat_loop_and_cross_link),
        cmocka_unit_test(directory_cycle_and_sizes_past_end),
        cmocka_unit_test(random_garbage_everywhere),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
