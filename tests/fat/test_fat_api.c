/* FAT driver API: behaviour and every error code, on RAM cards. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>
#include "fat_test_util.h"
#include "fsck_oracle.h"
#include "sdboot/bd_fault.h"
#include "sdboot/bytes.h"

static uint8_t data[200000];
static uint8_t back[200000];
static uint8_t bitmap[8192];

static void fill_data(void)
{
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 31 + (i >> 9));
}

static void assert_fsck_clean(struct ram_card *c)
{
    char report[2048];
    assert_int_equal(sdb_fat_sync(&c->vol), SDB_OK);
    int clean = sdb_test_fsck_clean_mem(c->mem, c->bytes, report, sizeof report);
    if (clean != 1)
        fail_msg("fsck.fat -n: %s", report);
}

static void mkfs_picks_types_and_detects(void **state)
{
    (void)state;
    const struct {
        size_t bytes;
        uint8_t forced, expect;
    } cases[] = {{2u << 20, 0, 12},   {20u << 20, 0, 12}, {64u << 20, 0, 16}, {8u << 20, 16, 16},
                 {70u << 20, 16, 16}, {20u << 20, 32, 0}, {40u << 20, 32, 32}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct ram_card c;
        int err = ram_card_format(&c, cases[i].bytes, cases[i].forced);
        if (!cases[i].expect) {
            assert_int_equal(err, SDB_FAT_ENOFIT);
        } else {
            assert_int_equal(err, SDB_OK);
            assert_int_equal(c.vol.type, cases[i].expect);
            enum sdb_card_class cls;
            assert_int_equal(sdb_fat_detect(&c.ram.bd, &cls), SDB_OK);
            assert_int_equal(cls, SDB_CARD_FAT);
            assert_fsck_clean(&c);
        }
        ram_card_free(&c);
    }
}

/* Without a forced type: the SD Association's table (docs/card-layout.md). */
static void mkfs_lays_out_as_sd_cards(void **state)
{
    (void)state;
    const struct {
        size_t bytes;
        uint8_t type, spc;
        uint32_t boundary;
    } rows[] = {{2u << 20, 12, 16, 16},    {8u << 20, 12, 16, 16},    {20u << 20, 12, 32, 32},
                {64u << 20, 16, 32, 32},   {65u << 20, 16, 32, 64},   {200u << 20, 16, 32, 64},
                {512u << 20, 16, 32, 128}, {1024u << 20, 16, 32, 128}};
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct ram_card c;
        assert_int_equal(ram_card_format(&c, rows[i].bytes, 0), SDB_OK);
        assert_int_equal(c.vol.type, rows[i].type);
        assert_int_equal(c.vol.sec_per_clus, rows[i].spc);
        assert_int_equal(c.vol.data_lba % rows[i].boundary, 0);
        if (rows[i].bytes <= (64u << 20))
            assert_fsck_clean(&c);
        ram_card_free(&c);
    }
    /* In a partition from sector 2048 the boundary counts from the card's start. */
    struct sdb_bd_ram ram;
    size_t bytes = 200u << 20;
    uint8_t *mem = calloc(1, bytes);
    sdb_bd_ram_init(&ram, mem, (uint32_t)(bytes / SDB_SECTOR_SIZE));
    struct sdb_mkfs_opts o = {.hidden = 2048 + 24};
    assert_int_equal(sdb_fat_mkfs(&ram.bd, &o), SDB_OK);
    struct sdb_fat_vol vol;
    assert_int_equal(sdb_fat_mount(&vol, &ram.bd, true), SDB_OK);
    assert_int_equal((vol.data_lba + o.hidden) % 64, 0);
    assert_int_equal(sdb_get_le32(mem + 28), o.hidden);
    free(mem);
}

static void detect_classes(void **state)
{
    (void)state;
    static uint8_t mem[64 * SDB_SECTOR_SIZE];
    struct sdb_bd_ram ram;
    struct sdb_bd_fault fault;
    enum sdb_card_class cls;
    memset(mem, 0, sizeof mem);
    sdb_bd_ram_init(&ram, mem, 64);
    assert_int_equal(sdb_fat_detect(&ram.bd, &cls), SDB_OK);
    assert_int_equal(cls, SDB_CARD_BLANK);
    memset(mem, 0xFF, sizeof mem);
    assert_int_equal(sdb_fat_detect(&ram.bd, &cls), SDB_OK);
    assert_int_equal(cls, SDB_CARD_BLANK);
    /* ext4: superblock magic 0xEF53 at byte 1080 */
    memset(mem, 0, sizeof mem);
    mem[1080] = 0x53, mem[1081] = 0xEF;
    assert_int_equal(sdb_fat_detect(&ram.bd, &cls), SDB_OK);
    assert_int_equal(cls, SDB_CARD_OTHER_FS);
    /* MBR with one Linux partition */
    memset(mem, 0, sizeof mem);
    mem[446 + 4] = 0x83, mem[446 + 8] = 8, mem[446 + 12] = 40, mem[510] = 0x55, mem[511] = 0xAA;
    assert_int_equal(sdb_fat_detect(&ram.bd, &cls), SDB_OK);
    assert_int_equal(cls, SDB_CARD_OTHER_FS);
    /* read errors are their own class, whatever the content */
    sdb_bd_fault_init(&fault, &ram.bd);
    assert_int_equal(sdb_bd_fault_add_bad_range(&fault, 0, 1), SDB_OK);
    assert_int_equal(sdb_fat_detect(&fault.bd, &cls), SDB_OK);
    assert_int_equal(cls, SDB_CARD_IO_ERROR);
    fault.no_medium = true;
    assert_int_equal(sdb_fat_detect(&fault.bd, &cls), SDB_OK);
    assert_int_equal(cls, SDB_CARD_NONE);
    assert_int_equal(fault.bd.stats.sectors_written, 0);
}

static void mbr_partitioned_card_mounts(void **state)
{
    (void)state;
    size_t bytes = 24u << 20;
    uint8_t *mem = calloc(1, bytes);
    struct sdb_bd_ram whole, part;
    sdb_bd_ram_init(&whole, mem, (uint32_t)(bytes / 512));
    sdb_bd_ram_init(&part, mem + 2048 * 512, (uint32_t)(bytes / 512 - 2048));
    assert_int_equal(sdb_fat_mkfs(&part.bd, NULL), SDB_OK);
    uint8_t *e = mem + 446;
    e[4] = 0x0E, e[8] = 0x00, e[9] = 0x08; /* start 2048 */
    uint32_t n = (uint32_t)(bytes / 512 - 2048);
    e[12] = (uint8_t)n, e[13] = (uint8_t)(n >> 8), e[14] = (uint8_t)(n >> 16);
    mem[510] = 0x55, mem[511] = 0xAA;
    struct sdb_fat_vol vol;
    assert_int_equal(sdb_fat_mount(&vol, &whole.bd, false), SDB_OK);
    assert_int_equal(vol.vol_lba, 2048);
    assert_int_equal(put_file(&vol, "/x.txt", "abc", 3), SDB_OK);
    uint32_t len;
    assert_int_equal(get_file(&vol, "/x.txt", back, sizeof back, &len), SDB_OK);
    assert_int_equal(len, 3);
    free(mem);
}

static void files_round_trip_at_boundaries(void **state)
{
    (void)state;
    fill_data();
    uint8_t types[] = {12, 16, 32};
    size_t sizes[] = {4u << 20, 20u << 20, 64u << 20};
    uint32_t lens[] = {0, 1, 511, 512, 513, 4095, 4096, 4097, 100000};
    for (int t = 0; t < 3; t++) {
        struct ram_card c;
        assert_int_equal(ram_card_format(&c, sizes[t], types[t]), SDB_OK);
        for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
            char path[64];
            snprintf(path, sizeof path, "/file of %u bytes.bin", lens[i]);
            assert_int_equal(put_file(&c.vol, path, data, lens[i]), SDB_OK);
        }
        for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
            char path[64];
            uint32_t len = 12345;
            snprintf(path, sizeof path, "/FILE OF %u BYTES.BIN", lens[i]); /* case-insensitive */
            assert_int_equal(get_file(&c.vol, path, back, sizeof back, &len), SDB_OK);
            assert_int_equal(len, lens[i]);
            assert_memory_equal(back, data, len);
        }
        assert_fsck_clean(&c);
        ram_card_free(&c);
    }
}

/* A file's tail sector written whole from the caller's slack: one request
 * for the whole file, exact size and content, nothing past it read back. */
static void write_slack_sends_the_tail_sector_whole(void **state)
{
    (void)state;
    fill_data();
    struct ram_card c;
    assert_int_equal(ram_card_format(&c, 20u << 20, 16), SDB_OK);
    const uint32_t lens[] = {100, 511, 513, 4000, 14000};
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        char path[64];
        snprintf(path, sizeof path, "/slack %u.bin", lens[i]);
        struct sdb_fat_file f;
        assert_int_equal(
            sdb_fat_open(&c.vol, &f, path, SDB_FAT_WRITE | SDB_FAT_CREATE | SDB_FAT_EXCL), SDB_OK);
        uint64_t ops = c.ram.bd.stats.write_ops;
        assert_int_equal(sdb_fat_write_slack(&f, data, lens[i], 512), SDB_OK);
        assert_int_equal(c.ram.bd.stats.write_ops - ops, 1); /* data and tail: one request */
        assert_int_equal(sdb_fat_size(&f), lens[i]);
        assert_int_equal(sdb_fat_close(&f), SDB_OK);
        uint32_t len = 0;
        assert_int_equal(get_file(&c.vol, path, back, sizeof back, &len), SDB_OK);
        assert_int_equal(len, lens[i]);
        assert_memory_equal(back, data, len);
    }
    /* Too little slack: the tail goes through the cache as with sdb_fat_write. */
    struct sdb_fat_file f;
    assert_int_equal(sdb_fat_open(&c.vol, &f, "/short.bin", SDB_FAT_WRITE | SDB_FAT_CREATE),
                     SDB_OK);
    assert_int_equal(sdb_fat_write_slack(&f, data, 1000, 23), SDB_OK);
    assert_int_equal(sdb_fat_size(&f), 1000);
    assert_int_equal(sdb_fat_close(&f), SDB_OK);
    uint32_t len = 0;
    assert_int_equal(get_file(&c.vol, "/short.bin", back, sizeof back, &len), SDB_OK);
    assert_int_equal(len, 1000);
    assert_memory_equal(back, data, len);
    assert_fsck_clean(&c);
    ram_card_free(&c);
}

static void seek_write_truncate_append(void **state)
{
    (void)state;
    fill_data();
    struct ram_card c;
    assert_int_equal(ram_card_format(&c, 4u << 20, 12), SDB_OK);
    struct sdb_fat_file f;
    assert_int_equal(sdb_fat_open(&c.vol, &f, "/f", SDB_FAT_READ | SDB_FAT_WRITE | SDB_FAT_CREATE),
                     SDB_OK);
    assert_int_equal(sdb_fat_write(&f, data, 10000), SDB_OK);
    assert_int_equal(sdb_fat_seek(&f, 5000), SDB_OK);
    assert_int_equal(sdb_fat_write(&f, "XYZ", 3), SDB_OK);
    assert_int_equal(sdb_fat_seek(&f, 10001), SDB_E_INVAL);
    assert_int_equal(sdb_fat_truncate(&f, 3000), SDB_OK);
    assert_int_equal(sdb_fat_size(&f), 3000);
    assert_int_equal(sdb_fat_close(&f), SDB_OK);
    assert_int_equal(sdb_fat_open(&c.vol, &f, "/f", SDB_FAT_APPEND | SDB_FAT_READ), SDB_OK);
    assert_int_equal(sdb_fat_write(&f, "tail", 4), SDB_OK);
    assert_int_equal(sdb_fat_close(&f), SDB_OK);
    uint32_t len;
    assert_int_equal(get_file(&c.vol, "/f", back, sizeof back, &len), SDB_OK);
    assert_int_equal(len, 3004);
    assert_memory_equal(back, data, 3000);
    assert_memory_equal(back + 3000, "tail", 4);
    assert_int_equal(sdb_fat_open(&c.vol, &f, "/f", SDB_FAT_WRITE | SDB_FAT_TRUNC), SDB_OK);
    assert_int_equal(sdb_fat_close(&f), SDB_OK);
    struct sdb_fat_stat st;
    assert_int_equal(sdb_fat_stat(&c.vol, "/f", &st), SDB_OK);
    assert_int_equal(st.size, 0);
    assert_int_equal(st.first_clus, 0);
    assert_fsck_clean(&c);
    ram_card_free(&c);
}

static void namespace_errors(void **state)
{
    (void)state;
    struct ram_card c;
    assert_int_equal(ram_card_format(&c, 4u << 20, 12), SDB_OK);
    struct sdb_fat_file f;
    assert_int_equal(sdb_fat_mkdir(&c.vol, "/d"), SDB_OK);
    assert_int_equal(sdb_fat_mkdir(&c.vol, "/d"), SDB_FAT_EEXIST);
    assert_int_equal(sdb_fat_mkdir(&c.vol, "/D"), SDB_FAT_EEXIST);
    assert_int_equal(put_file(&c.vol, "/d/a.txt", "a", 1), SDB_OK);
    assert_int_equal(sdb_fat_rmdir(&c.vol, "/d"), SDB_FAT_ENOTEMPTY);
    assert_int_equal(sdb_fat_unlink(&c.vol, "/d"), SDB_FAT_EISDIR);
    assert_int_equal(sdb_fat_rmdir(&c.vol, "/d/a.txt"), SDB_FAT_ENOTDIR);
    assert_int_equal(sdb_fat_open(&c.vol, &f, "/d/a.txt/x", SDB_FAT_READ), SDB_FAT_ENOTDIR);
    assert_int_equal(sdb_fat_open(&c.vol, &f, "/d", SDB_FAT_READ), SDB_FAT_EISDIR);
    assert_int_equal(sdb_fat_open(&c.vol, &f, "/nope", SDB_FAT_READ), SDB_FAT_ENOENT);
    assert_int_equal(sdb_fat_open(&c.vol, &f, "/nodir/x", SDB_FAT_WRITE | SDB_FAT_CREATE),
                     SDB_FAT_ENOENT);
    assert_int_equal(sdb_fat_open(&c.vol, &f, "relative", SDB_FAT_READ), SDB_FAT_EPATH);
    assert_int_equal(
        sdb_fat_open(&c.vol, &f, "/d/a.txt", SDB_FAT_WRITE | SDB_FAT_CREATE | SDB_FAT_EXCL),
        SDB_FAT_EEXIST);
    const char *bad[] = {"/a:b", "/a*b", "/trailing.", "/trailing ", "/q?", "/x\"y", "/a|b", "/<>"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(put_file(&c.vol, bad[i], "x", 1), SDB_FAT_ENAME);
    char longname[300];
    memset(longname, 'n', sizeof longname);
    longname[0] = '/';
    longname[257] = '\0';
    assert_int_equal(put_file(&c.vol, longname, "x", 1), SDB_FAT_ENAME);
    assert_int_equal(sdb_fat_rmdir(&c.vol, "/"), SDB_FAT_EBUSY);
    assert_int_equal(sdb_fat_rename(&c.vol, "/d", "/d/sub", false), SDB_FAT_EBUSY);
    /* A new name's parent: the folders are walked before the last name is
     * judged, each error writes nothing. */
    assert_int_equal(sdb_fat_sync(&c.vol), SDB_OK);
    uint64_t written = c.ram.bd.stats.sectors_written;
    assert_int_equal(sdb_fat_mkdir(&c.vol, "/"), SDB_FAT_EBUSY);
    assert_int_equal(sdb_fat_mkdir(&c.vol, "//"), SDB_FAT_EBUSY);
    assert_int_equal(sdb_fat_rename(&c.vol, "/d/a.txt", "/", false), SDB_FAT_EBUSY);
    assert_int_equal(sdb_fat_mkdir(&c.vol, "/d/a.txt/x"), SDB_FAT_ENOTDIR);
    assert_int_equal(sdb_fat_mkdir(&c.vol, "/d/a.txt/x/y"), SDB_FAT_ENOTDIR);
    assert_int_equal(sdb_fat_mkdir(&c.vol, "/nodir/x"), SDB_FAT_ENOENT);
    assert_int_equal(sdb_fat_mkdir(&c.vol, "/nodir/a*b"), SDB_FAT_ENOENT);
    assert_int_equal(sdb_fat_mkdir(&c.vol, "/d/a*b"), SDB_FAT_ENAME);
    assert_int_equal(sdb_fat_mkdir(&c.vol, "/d/a*b/"), SDB_FAT_ENAME);
    assert_int_equal(sdb_fat_mkdir(&c.vol, "/d/x."), SDB_FAT_ENAME);
    assert_int_equal(sdb_fat_mkdir(&c.vol, "/d//.."), SDB_FAT_ENAME);
    char deep[300] = "/d/";
    memset(deep + 3, 'n', 256);
    assert_int_equal(sdb_fat_mkdir(&c.vol, deep), SDB_FAT_ENAME);
    assert_int_equal(c.ram.bd.stats.sectors_written, written);
    /* Slashes doubled or trailing name the same folder and name. */
    assert_int_equal(sdb_fat_mkdir(&c.vol, "//d//sub//"), SDB_OK);
    assert_int_equal(sdb_fat_mkdir(&c.vol, "/d/sub"), SDB_FAT_EEXIST);
    assert_int_equal(put_file(&c.vol, "/d//sub/f", "f", 1), SDB_OK);
    assert_int_equal(sdb_fat_stat(&c.vol, "/d/sub/f", &(struct sdb_fat_stat){0}), SDB_OK);
    assert_int_equal(sdb_fat_unlink(&c.vol, "/d/sub/f"), SDB_OK);
    assert_int_equal(sdb_fat_rmdir(&c.vol, "/d/sub/"), SDB_OK);
    assert_int_equal(put_file(&c.vol, "/b.txt", "b", 1), SDB_OK);
    assert_int_equal(sdb_fat_rename(&c.vol, "/b.txt", "/d/a.txt", false), SDB_FAT_EEXIST);
    assert_int_equal(sdb_fat_rename(&c.vol, "/b.txt", "/d", true), SDB_FAT_EISDIR);
    assert_int_equal(sdb_fat_rename(&c.vol, "/b.txt", "/d/a.txt", true), SDB_OK);
    uint32_t len;
    assert_int_equal(get_file(&c.vol, "/d/a.txt", back, sizeof back, &len), SDB_OK);
    assert_int_equal(len, 1);
    assert_int_equal(back[0], 'b');
    assert_int_equal(sdb_fat_stat(&c.vol, "/b.txt", &(struct sdb_fat_stat){0}), SDB_FAT_ENOENT);
    /* Moving a directory updates its "..": fsck checks it. */
    assert_int_equal(sdb_fat_mkdir(&c.vol, "/e"), SDB_OK);
    assert_int_equal(sdb_fat_rename(&c.vol, "/d", "/e/d moved", false), SDB_OK);
    assert_int_equal(get_file(&c.vol, "/e/d moved/a.txt", back, sizeof back, &len), SDB_OK);
    assert_fsck_clean(&c);
    ram_card_free(&c);
}

/* Aliases are the smallest free tails of their basis, 32 tested per walk of
 * the directory: 70 names with one basis take ~1 .. ~70 (three walks for the
 * last ones), a freed tail is taken again first (~5, then ~40 by "long name
 * 71.txt"), another basis (no extension) counts apart, and a rename in place
 * keeps an entry's own alias out of the count. */
static void aliases_take_the_smallest_free_tail(void **state)
{
    (void)state;
    struct ram_card c;
    assert_int_equal(ram_card_format(&c, 8u << 20, 16), SDB_OK);
    assert_int_equal(sdb_fat_mkdir(&c.vol, "/t"), SDB_OK);
    char path[64];
    for (int i = 1; i <= 70; i++) {
        snprintf(path, sizeof path, "/t/long name %d.txt", i);
        assert_int_equal(put_file(&c.vol, path, "x", 1), SDB_OK);
    }
    assert_int_equal(sdb_fat_unlink(&c.vol, "/t/long name 5.txt"), SDB_OK);
    assert_int_equal(sdb_fat_unlink(&c.vol, "/t/long name 40.txt"), SDB_OK);
    assert_int_equal(put_file(&c.vol, "/t/long name again.txt", "y", 1), SDB_OK);
    assert_int_equal(sdb_fat_mkdir(&c.vol, "/t/long name later"), SDB_OK);
    assert_int_equal(put_file(&c.vol, "/t/long name 71.txt", "z", 1), SDB_OK);
    struct sdb_fat_dir d;
    struct sdb_fat_dirent ent;
    unsigned seen = 0;
    assert_int_equal(sdb_fat_opendir(&c.vol, &d, "/t"), SDB_OK);
    while (sdb_fat_readdir(&d, &ent) == SDB_OK) {
        char want[16];
        int n;
        if (sscanf(ent.name, "long name %d.txt", &n) == 1)
            snprintf(want, sizeof want, n < 10 ? "LONGNA~%d.TXT" : "LONGN~%d.TXT",
                     n == 71 ? 40 : n);
        else
            snprintf(want, sizeof want, strstr(ent.name, "again") ? "LONGNA~5.TXT" : "LONGNA~1");
        assert_string_equal(ent.short_name, want);
        seen++;
    }
    assert_int_equal(seen, 71);
    /* In place, the entry's own alias does not count: LONGNA~1 stays free
     * for it, another name's alias is never reused. */
    assert_int_equal(sdb_fat_rename_inplace(&c.vol, "/t", "long name 1.txt", "long name x.txt"),
                     SDB_OK);
    assert_int_equal(sdb_fat_opendir(&c.vol, &d, "/t"), SDB_OK);
    while (sdb_fat_readdir(&d, &ent) == SDB_OK)
        if (!strcmp(ent.name, "long name x.txt"))
            assert_string_equal(ent.short_name, "LONGNA~1.TXT");
    assert_fsck_clean(&c);
    ram_card_free(&c);
}

static void root_dir_full_and_card_full(void **state)
{
    (void)state;
    struct ram_card c;
    assert_int_equal(ram_card_format(&c, 2u << 20, 12), SDB_OK); /* 224 root entries */
    int err = SDB_OK;
    unsigned n;
    for (n = 0; n < 300 && err == SDB_OK; n++) {
        char path[32];
        snprintf(path, sizeof path, "/F%u", n);
        err = put_file(&c.vol, path, "", 0);
    }
    assert_int_equal(err, SDB_FAT_EDIRFULL);
    assert_int_equal(n - 1, 224);
    assert_fsck_clean(&c);
    ram_card_free(&c);
    assert_int_equal(ram_card_format(&c, 2u << 20, 12), SDB_OK);
    fill_data();
    struct sdb_fat_file f;
    assert_int_equal(sdb_fat_open(&c.vol, &f, "/big", SDB_FAT_WRITE | SDB_FAT_CREATE), SDB_OK);
    for (err = SDB_OK; err == SDB_OK;)
        err = sdb_fat_write(&f, data, sizeof data);
    assert_int_equal(err, SDB_FAT_ENOSPC);
    assert_int_equal(sdb_fat_close(&f), SDB_OK);
    uint32_t free_clusters;
    assert_int_equal(sdb_fat_free_clusters(&c.vol, &free_clusters), SDB_OK);
    assert_int_equal(free_clusters, 0);
    assert_fsck_clean(&c);
    ram_card_free(&c);
}

static void power_loss_primitives(void **state)
{
    (void)state;
    fill_data();
    struct ram_card c;
    assert_int_equal(ram_card_format(&c, 4u << 20, 16), SDB_OK);
    assert_int_equal(sdb_fat_mkdir(&c.vol, "/s"), SDB_OK);
    assert_int_equal(put_file(&c.vol, "/s/state.a", data, 1024), SDB_OK);
    struct sdb_fat_file f;
    assert_int_equal(sdb_fat_open(&c.vol, &f, "/s/state.a", SDB_FAT_READ | SDB_FAT_WRITE), SDB_OK);
    uint8_t sector[SDB_SECTOR_SIZE];
    memset(sector, 0x77, sizeof sector);
    uint64_t before = c.ram.bd.stats.sectors_written;
    assert_int_equal(sdb_fat_overwrite_sector(&f, 512, sector), SDB_OK);
    assert_int_equal(c.ram.bd.stats.sectors_written - before, 1);
    assert_int_equal(sdb_fat_overwrite_sector(&f, 100, sector), SDB_FAT_EALIGN);
    assert_int_equal(sdb_fat_overwrite_sector(&f, 1024, sector), SDB_FAT_EALIGN);
    assert_int_equal(sdb_fat_close(&f), SDB_OK);
    uint32_t len;
    assert_int_equal(get_file(&c.vol, "/s/state.a", back, sizeof back, &len), SDB_OK);
    assert_memory_equal(back, data, 512);
    assert_memory_equal(back + 512, sector, 512);
    /* A rename in place writes pending changes first (the entry put_file left
     * in the cache, its FAT sector), then its one sector. */
    assert_int_equal(sdb_fat_sync(&c.vol), SDB_OK);
    before = c.ram.bd.stats.sectors_written;
    assert_int_equal(sdb_fat_rename_inplace(&c.vol, "/s", "state.a", "state.b"), SDB_OK);
    assert_int_equal(c.ram.bd.stats.sectors_written - before, 1);
    assert_int_equal(sdb_fat_stat(&c.vol, "/s/state.b", &(struct sdb_fat_stat){0}), SDB_OK);
    assert_int_equal(sdb_fat_rename_inplace(&c.vol, "/s", "state.b", "a much longer name.txt"),
                     SDB_FAT_ENOTINPLACE);
    assert_int_equal(sdb_fat_stat(&c.vol, "/s/state.b", &(struct sdb_fat_stat){0}), SDB_OK);
    assert_int_equal(put_file(&c.vol, "/s/Journal one.txt", "j", 1), SDB_OK);
    assert_int_equal(sdb_fat_rename_inplace(&c.vol, "/s", "journal one.txt", "Journal two.txt"),
                     SDB_OK);
    assert_int_equal(get_file(&c.vol, "/s/journal two.txt", back, sizeof back, &len), SDB_OK);
    assert_int_equal(sdb_fat_rename_inplace(&c.vol, "/s", "state.b", "journal two.txt"),
                     SDB_FAT_EEXIST);
    assert_fsck_clean(&c);
    ram_card_free(&c);
}

static void check_repairs_what_cuts_leave(void **state)
{
    (void)state;
    fill_data();
    struct ram_card c;
    assert_int_equal(ram_card_format(&c, 4u << 20, 16), SDB_OK);
    assert_int_equal(put_file(&c.vol, "/keep.bin", data, 9000), SDB_OK);
    assert_int_equal(put_file(&c.vol, "/other name.bin", data, 3000), SDB_OK);
    struct sdb_fat_check_report r;
    assert_int_equal(sdb_fat_check(&c.vol, false, bitmap, sizeof bitmap, &r), SDB_OK);
    assert_int_equal(r.files, 2);
    /* lost chain: allocate clusters nobody names */
    uint32_t lost;
    struct sdb_fat_stat st;
    extern int fat_alloc(struct sdb_fat_vol *, uint32_t, bool, uint32_t *);
    assert_int_equal(fat_alloc(&c.vol, 0, false, &lost), SDB_OK);
    /* cross-link: second name on keep.bin's chain (a cut in the middle of rename) */
    assert_int_equal(sdb_fat_stat(&c.vol, "/keep.bin", &st), SDB_OK);
    assert_int_equal(put_file(&c.vol, "/dup.bin", "", 0), SDB_OK);
    struct sdb_fat_file f;
    assert_int_equal(sdb_fat_open(&c.vol, &f, "/dup.bin", SDB_FAT_WRITE), SDB_OK);
    f.first_clus = st.first_clus;
    f.size = st.size;
    f.entry_dirty = true;
    assert_int_equal(sdb_fat_close(&f), SDB_OK);
    /* FAT copy differs: damage what is on the card, after everything is written */
    assert_int_equal(sdb_fat_sync(&c.vol), SDB_OK);
    uint8_t sector[SDB_SECTOR_SIZE];
    assert_int_equal(sdb_bd_read(&c.ram.bd, c.vol.fat_lba + c.vol.fat_sectors, 1, sector), SDB_OK);
    sector[100] ^= 0xFF;
    assert_int_equal(sdb_bd_write(&c.ram.bd, c.vol.fat_lba + c.vol.fat_sectors, 1, sector), SDB_OK);
    uint64_t before = c.ram.bd.stats.sectors_written;
    assert_int_equal(sdb_fat_check(&c.vol, false, bitmap, sizeof bitmap, &r), SDB_FAT_ECORRUPT);
    assert_int_equal(c.ram.bd.stats.sectors_written, before); /* read-only check wrote nothing */
    assert_true(r.lost_clusters >= 1);
    assert_int_equal(r.cross_links, 1);
    assert_true(r.fat_copies_fixed >= 1);
    /* Repair with a tiny bitmap: several passes over the tree. */
    assert_int_equal(sdb_fat_check(&c.vol, true, bitmap, 16, &r), SDB_OK);
    assert_int_equal(sdb_fat_check(&c.vol, false, bitmap, sizeof bitmap, &r), SDB_OK);
    uint32_t len;
    assert_int_equal(get_file(&c.vol, "/keep.bin", back, sizeof back, &len), SDB_OK);
    assert_int_equal(len, 9000);
    assert_memory_equal(back, data, 9000);
    assert_int_equal(get_file(&c.vol, "/other name.bin", back, sizeof back, &len), SDB_OK);
    assert_memory_equal(back, data, 3000);
    assert_int_equal(sdb_fat_stat(&c.vol, "/dup.bin", &st), SDB_FAT_ENOENT);
    assert_fsck_clean(&c);
    ram_card_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(mkfs_picks_types_and_detects),
        cmocka_unit_test(detect_classes),
        cmocka_unit_test(mbr_partitioned_card_mounts),
        cmocka_unit_test(files_round_trip_at_boundaries),
        cmocka_unit_test(write_slack_sends_the_tail_sector_whole),
        cmocka_unit_test(seek_write_truncate_append),
        cmocka_unit_test(namespace_errors),
        cmocka_unit_test(aliases_take_the_smallest_free_tail),
        cmocka_unit_test(root_dir_full_and_card_full),
        cmocka_unit_test(mkfs_lays_out_as_sd_cards),
        cmocka_unit_test(power_loss_primitives),
        cmocka_unit_test(check_repairs_what_cuts_leave),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
