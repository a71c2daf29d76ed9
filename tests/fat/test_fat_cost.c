/*
 * What FAT work costs on the card, counted by the block device: creating n new
 * files in one directory reads O(n) sectors in total, file data moves in
 * requests of many sectors, and names the caller promises are new
 * (SDB_FAT_UNIQUE) get distinct aliases without a lookup, fsck-clean; the
 * check's FAT-wide scans (copies compared, lost clusters swept) read many FAT
 * sectors a request when given a scan buffer, finding the same. Counts,
 * not time: each bound below fails on the one-sector, rescan-per-file driver.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "fat_test_util.h"
#include "fsck_oracle.h"

#define FILE_BYTES 14000u
static uint8_t data[65536];

static void fill_data(void)
{
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 7 + (i >> 10));
}

static void assert_fsck_clean(struct ram_card *c)
{
    char report[2048];
    assert_int_equal(sdb_fat_sync(&c->vol), SDB_OK);
    if (sdb_test_fsck_clean_mem(c->mem, c->bytes, report, sizeof report) != 1)
        fail_msg("fsck.fat -n: %s", report);
}

static int put_new(struct sdb_fat_vol *vol, const char *path, uint32_t len)
{
    struct sdb_fat_file f;
    unsigned flags = SDB_FAT_WRITE | SDB_FAT_CREATE | SDB_FAT_EXCL | SDB_FAT_UNIQUE;
    int err = sdb_fat_open(vol, &f, path, flags);
    if (err)
        return err;
    err = sdb_fat_write(&f, data, len);
    int cerr = sdb_fat_close(&f);
    return err ? err : cerr;
}

/* Sectors read to create n files of FILE_BYTES in a new /.d/app. */
static uint64_t create_reads(uint32_t n, uint8_t type, unsigned flags_unique)
{
    struct ram_card c;
    assert_int_equal(ram_card_format(&c, 64u << 20, type), SDB_OK);
    assert_int_equal(sdb_fat_mkdir(&c.vol, "/.d"), SDB_OK);
    assert_int_equal(sdb_fat_mkdir(&c.vol, "/.d/app"), SDB_OK);
    sdb_bd_reset_stats(&c.ram.bd);
    for (uint32_t i = 0; i < n; i++) {
        char path[64];
        snprintf(path, sizeof path, "/.d/app/module_%u.py", (unsigned)i);
        if (flags_unique)
            assert_int_equal(put_new(&c.vol, path, FILE_BYTES), SDB_OK);
        else
            assert_int_equal(put_file(&c.vol, path, data, FILE_BYTES), SDB_OK);
    }
    assert_int_equal(sdb_fat_sync(&c.vol), SDB_OK);
    uint64_t reads = c.ram.bd.stats.sectors_read;
    assert_fsck_clean(&c);
    ram_card_free(&c);
    return reads;
}

static void creating_new_files_reads_linear(void **state)
{
    (void)state;
    fill_data();
    const uint8_t types[] = {16, 32};
    for (size_t t = 0; t < sizeof types; t++) {
        uint64_t r100 = create_reads(100, types[t], 1), r400 = create_reads(400, types[t], 1);
        printf("FAT%u new names: 100 files %llu sectors read, 400 files %llu\n", types[t],
               (unsigned long long)r100, (unsigned long long)r400);
        /* The path's directories (/, /.d, /.d/app) and, with one-sector
         * clusters on FAT32, a FAT sector of the directory's chain now and
         * then: at most 6 sectors a file, growing with n, not n^2. */
        assert_true(r400 <= 6 * 400);
        assert_true(r400 * 10 <= r100 * 46);
    }
}

static void looked_up_names_are_still_correct(void **state)
{
    (void)state;
    fill_data();
    /* Without the promise each create looks its name up: more reads, same result. */
    uint64_t r100 = create_reads(100, 32, 0);
    printf("FAT32 looked-up names: 100 files %llu sectors read\n", (unsigned long long)r100);
    assert_true(r100 > 0);
}

static void unique_names_get_distinct_aliases(void **state)
{
    (void)state;
    fill_data();
    struct ram_card c;
    assert_int_equal(ram_card_format(&c, 16u << 20, 16), SDB_OK);
    assert_int_equal(sdb_fat_mkdir(&c.vol, "/d"), SDB_OK);
    /* Same 6-character basis for all: the looked-up way needs a tail each. */
    for (unsigned i = 0; i < 300; i++) {
        char path[64];
        snprintf(path, sizeof path, "/d/file_%u.py", i);
        assert_int_equal(put_new(&c.vol, path, 100 + i), SDB_OK);
    }
    /* An 8.3 name, and a name with '~' that could equal an alias: the long way. */
    assert_int_equal(put_new(&c.vol, "/d/MAIN.PY", 5), SDB_OK);
    assert_int_equal(put_new(&c.vol, "/d/FILE_1~1.PY", 7), SDB_OK);
    assert_int_equal(put_new(&c.vol, "/d/FILE_1~1.PY", 7), SDB_FAT_EEXIST);
    assert_fsck_clean(&c);
    for (unsigned i = 0; i < 300; i++) {
        char path[64];
        struct sdb_fat_stat st;
        snprintf(path, sizeof path, "/d/FILE_%u.PY", i); /* case-insensitive */
        assert_int_equal(sdb_fat_stat(&c.vol, path, &st), SDB_OK);
        assert_int_equal(st.size, 100 + i);
    }
    /* After a remount /d is no longer this mount's: the promise is checked. */
    assert_int_equal(sdb_fat_unmount(&c.vol), SDB_OK);
    assert_int_equal(sdb_fat_mount(&c.vol, &c.ram.bd, false), SDB_OK);
    uint64_t written = c.ram.bd.stats.sectors_written;
    assert_int_equal(put_new(&c.vol, "/d/file_7.py", 1), SDB_FAT_EEXIST);
    assert_int_equal(put_new(&c.vol, "/file_7.py", 1), SDB_OK); /* root: looked up, new */
    assert_int_equal(put_new(&c.vol, "/file_7.py", 1), SDB_FAT_EEXIST);
    assert_true(c.ram.bd.stats.sectors_written > written);
    assert_fsck_clean(&c);
    ram_card_free(&c);
}

static void data_moves_in_large_requests(void **state)
{
    (void)state;
    fill_data();
    const uint8_t types[] = {12, 16, 32};
    for (size_t t = 0; t < sizeof types; t++) {
        struct ram_card c;
        assert_int_equal(ram_card_format(&c, types[t] == 32 ? 64u << 20 : 16u << 20, types[t]),
                         SDB_OK);
        sdb_bd_reset_stats(&c.ram.bd);
        assert_int_equal(put_new(&c.vol, "/big.bin", sizeof data), SDB_OK);
        const struct sdb_bd_stats *s = &c.ram.bd.stats;
        /* 128 data sectors: contiguous clusters, one write request for all of them,
         * then the FAT sectors (two copies) and the directory entry. */
        printf("FAT%u write 64 KiB: %llu sectors in %llu requests\n", types[t],
               (unsigned long long)s->sectors_written, (unsigned long long)s->write_ops);
        assert_true(s->sectors_written >= 128);
        assert_true(s->write_ops <= 12);
        sdb_bd_reset_stats(&c.ram.bd);
        static uint8_t back[sizeof data];
        uint32_t got;
        assert_int_equal(get_file(&c.vol, "/big.bin", back, sizeof back, &got), SDB_OK);
        assert_int_equal(got, sizeof data);
        assert_memory_equal(back, data, sizeof data);
        printf("FAT%u read 64 KiB: %llu sectors in %llu requests\n", types[t],
               (unsigned long long)s->sectors_read, (unsigned long long)s->read_ops);
        assert_true(s->sectors_read / s->read_ops >= 8);
        assert_fsck_clean(&c);
        ram_card_free(&c);
    }
}

/* Files created one after another in a folder share their directory
 * sector's write and the FAT sector's (POWERLOSS.md): close writes nothing,
 * sync writes the rest. 64 files of 16 KiB with long names, two slots each:
 * 9 directory sectors. Written through (entry at create and close, the FAT
 * sector per copy at each close) it took 5 requests a file. A card image cut
 * before the sync (a copy of it) holds the files of the sectors already
 * written, whole, and not the last one, whose entry and chain were both still
 * in the cache: nothing for check to repair, fsck-clean. */
static void new_files_share_metadata_writes(void **state)
{
    (void)state;
    fill_data();
    struct ram_card c = {.bytes = 64u << 20};
    c.mem = calloc(1, c.bytes);
    assert_non_null(c.mem);
    sdb_bd_ram_init(&c.ram, c.mem, (uint32_t)(c.bytes / SDB_SECTOR_SIZE));
    /* FAT16 with 16 KiB clusters, as image create lays out a 64 MiB card */
    assert_int_equal(
        sdb_fat_mkfs(&c.ram.bd, &(struct sdb_mkfs_opts){.type = 16, .sec_per_clus = 32}), SDB_OK);
    assert_int_equal(sdb_fat_mount(&c.vol, &c.ram.bd, false), SDB_OK);
    assert_int_equal(sdb_fat_mkdir(&c.vol, "/app"), SDB_OK);
    assert_int_equal(sdb_fat_sync(&c.vol), SDB_OK);
    sdb_bd_reset_stats(&c.ram.bd);
    const struct sdb_bd_stats *s = &c.ram.bd.stats;
    for (unsigned i = 0; i < 64; i++) {
        char path[64];
        struct sdb_fat_file f;
        snprintf(path, sizeof path, "/app/module_%u.py", i);
        assert_int_equal(
            sdb_fat_open(&c.vol, &f, path,
                         SDB_FAT_WRITE | SDB_FAT_CREATE | SDB_FAT_EXCL | SDB_FAT_UNIQUE),
            SDB_OK);
        assert_int_equal(sdb_fat_write(&f, data, 16384), SDB_OK);
        uint64_t before = s->write_ops;
        assert_int_equal(sdb_fat_close(&f), SDB_OK);
        assert_int_equal(s->write_ops, before); /* the entry waits in the cache */
    }
    uint8_t *cut = malloc(c.bytes);
    assert_non_null(cut);
    memcpy(cut, c.mem, c.bytes);
    assert_int_equal(sdb_fat_sync(&c.vol), SDB_OK);
    printf("64 files of 16 KiB: %llu sectors written in %llu requests\n",
           (unsigned long long)s->sectors_written, (unsigned long long)s->write_ops);
    /* 64 data requests; 9 directory sectors ("." and ".." and 128 slots;
     * the last at sync), each after the FAT sector's two copies. */
    assert_true(s->write_ops <= 64 + 9 * 3);
    assert_true(s->sectors_written >= 64 * 32);
    struct sdb_fat_stat st;
    assert_int_equal(sdb_fat_stat(&c.vol, "/app/module_63.py", &st), SDB_OK);
    assert_int_equal(st.size, 16384);
    assert_fsck_clean(&c);

    struct ram_card lost = {.mem = cut, .bytes = c.bytes};
    sdb_bd_ram_init(&lost.ram, lost.mem, (uint32_t)(lost.bytes / SDB_SECTOR_SIZE));
    assert_int_equal(sdb_fat_mount(&lost.vol, &lost.ram.bd, false), SDB_OK);
    struct sdb_fat_check_report r;
    static uint8_t bitmap[1024];
    assert_int_equal(sdb_fat_check(&lost.vol, true, bitmap, sizeof bitmap, &r), SDB_OK);
    printf("cut before the sync: %u lost clusters freed, %u files\n", (unsigned)r.lost_clusters,
           (unsigned)r.files);
    assert_int_equal(r.files, 63);
    assert_int_equal(r.lost_clusters + r.orphan_lfn + r.chains_truncated + r.sizes_fixed +
                         r.cross_links + r.fat_copies_fixed,
                     0);
    assert_int_equal(sdb_fat_stat(&lost.vol, "/app/module_62.py", &st), SDB_OK);
    assert_int_equal(st.size, 16384);
    assert_int_equal(sdb_fat_stat(&lost.vol, "/app/module_63.py", &st), SDB_FAT_ENOENT);
    assert_fsck_clean(&lost);
    ram_card_free(&lost);
    ram_card_free(&c);
}

/* Reading a contiguous file while another one grows (the install: the staged
 * archive read, the new files written): the read's chain walk takes its links
 * from the run it learnt, so it does not evict the FAT sector the writes
 * allocate in, and that sector is not written back (two copies) per read.
 * FAT16 with 1 KiB clusters: the 320 KiB file's chain fills FAT sector 0, the
 * new file allocates in sector 1. Then a change inside the run (the file cut
 * and rewritten as another chain) is read back right. */
static void contiguous_read_keeps_the_fat_sector(void **state)
{
    (void)state;
    fill_data();
    struct ram_card c;
    assert_int_equal(ram_card_format(&c, 16u << 20, 16), SDB_OK);
    assert_int_equal(c.vol.sec_per_clus, 2);
    for (unsigned i = 0; i < 5; i++) {
        struct sdb_fat_file f;
        assert_int_equal(sdb_fat_open(&c.vol, &f, "/big.bin", SDB_FAT_APPEND | SDB_FAT_CREATE),
                         SDB_OK);
        assert_int_equal(sdb_fat_write(&f, data, sizeof data), SDB_OK);
        assert_int_equal(sdb_fat_close(&f), SDB_OK);
    }
    assert_int_equal(sdb_fat_sync(&c.vol), SDB_OK);
    struct sdb_fat_file in, out;
    assert_int_equal(sdb_fat_open(&c.vol, &in, "/big.bin", SDB_FAT_READ), SDB_OK);
    assert_int_equal(sdb_fat_open(&c.vol, &out, "/new.bin", SDB_FAT_WRITE | SDB_FAT_CREATE),
                     SDB_OK);
    sdb_bd_reset_stats(&c.ram.bd);
    static uint8_t buf[4096];
    for (unsigned i = 0; i < 64; i++) {
        uint32_t got;
        assert_int_equal(sdb_fat_read(&in, buf, sizeof buf, &got), SDB_OK);
        assert_int_equal(got, sizeof buf);
        assert_memory_equal(buf, data + (i * sizeof buf) % sizeof data, sizeof buf);
        assert_int_equal(sdb_fat_write(&out, buf, sizeof buf), SDB_OK);
    }
    const struct sdb_bd_stats *s = &c.ram.bd.stats;
    printf("64 reads of 4 KiB beside 64 writes: %llu write requests, %llu read requests\n",
           (unsigned long long)s->write_ops, (unsigned long long)s->read_ops);
    /* The data, one request each way a chunk, and a few FAT sector loads and
     * write-backs (two copies): when the read walks a FAT sector first, and
     * when the new chain crosses into the next one. Walking the FAT for every
     * read, it was 196 and 196 (the FAT sector evicted, written back, and
     * read again each time). */
    assert_true(s->write_ops <= 64 + 12);
    assert_true(s->read_ops <= 64 + 12);
    assert_int_equal(sdb_fat_close(&in), SDB_OK);
    assert_int_equal(sdb_fat_close(&out), SDB_OK);
    /* Cut inside the run; a filler takes the clusters after the cut, so the
     * file grows again on another chain (cluster 11 links to 14, not 12). */
    struct sdb_fat_file f;
    assert_int_equal(sdb_fat_open(&c.vol, &f, "/big.bin", SDB_FAT_WRITE), SDB_OK);
    assert_int_equal(sdb_fat_truncate(&f, 10000), SDB_OK);
    assert_int_equal(put_file(&c.vol, "/filler", data + 5, 2048), SDB_OK);
    assert_int_equal(sdb_fat_seek(&f, 10000), SDB_OK);
    assert_int_equal(sdb_fat_write(&f, data, sizeof data), SDB_OK);
    assert_int_equal(sdb_fat_close(&f), SDB_OK);
    static uint8_t back[10000 + sizeof data];
    uint32_t len;
    assert_int_equal(get_file(&c.vol, "/big.bin", back, sizeof back, &len), SDB_OK);
    assert_int_equal(len, sizeof back);
    assert_memory_equal(back, data, 10000);
    assert_memory_equal(back + 10000, data, sizeof data);
    assert_fsck_clean(&c);
    ram_card_free(&c);
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* The check of a damaged FAT32 card with and without a scan buffer: the same
 * report, and with one the FAT scans cost ~FAT sectors / 2 requests instead of
 * 3 x FAT sectors (FAT 1 and its copy compared, then the lost-cluster sweep). */
static void check_scans_fat_in_large_requests(void **state)
{
    (void)state;
    fill_data();
    struct ram_card c;
    assert_int_equal(ram_card_format(&c, 128u << 20, 32), SDB_OK);
    assert_int_equal(put_new(&c.vol, "/big.bin", sizeof data), SDB_OK);
    assert_int_equal(sdb_fat_sync(&c.vol), SDB_OK);
    const uint32_t fat = c.vol.fat_lba * SDB_SECTOR_SIZE, fat_sectors = c.vol.fat_sectors;
    const uint32_t copy = fat + fat_sectors * SDB_SECTOR_SIZE, last = c.vol.nclusters + 1;
    put32(c.mem + fat + 4 * (last - 5), 0x0FFFFFFF); /* lost in both copies */
    put32(c.mem + copy + 4 * (last - 5), 0x0FFFFFFF);
    put32(c.mem + copy + 4 * (last / 2), 0x0FFFFFFF); /* only in the copy */
    static uint8_t bitmap[2048], scan[4096];
    struct sdb_fat_check_report plain, fast;
    const struct sdb_fat_check_opts none = {NULL, NULL, NULL, NULL, 0, false};
    const struct sdb_fat_check_opts big = {NULL, NULL, NULL, scan, sizeof scan, false};
    assert_int_equal(sdb_fat_mount(&c.vol, &c.ram.bd, false), SDB_OK);
    sdb_bd_reset_stats(&c.ram.bd);
    assert_int_equal(sdb_fat_check_owned(&c.vol, false, bitmap, sizeof bitmap, &none, &plain),
                     SDB_FAT_ECORRUPT);
    uint64_t plain_ops = c.ram.bd.stats.read_ops;
    assert_int_equal(sdb_fat_mount(&c.vol, &c.ram.bd, false), SDB_OK);
    sdb_bd_reset_stats(&c.ram.bd);
    assert_int_equal(sdb_fat_check_owned(&c.vol, false, bitmap, sizeof bitmap, &big, &fast),
                     SDB_FAT_ECORRUPT);
    uint64_t fast_ops = c.ram.bd.stats.read_ops;
    printf("FAT32 check, %u FAT sectors: %llu read requests, %llu with a 4 KiB scan buffer\n",
           (unsigned)fat_sectors, (unsigned long long)plain_ops, (unsigned long long)fast_ops);
    assert_memory_equal(&plain, &fast, sizeof plain);
    assert_int_equal(fast.lost_clusters, 1);
    assert_int_equal(fast.fat_copies_fixed, 1);
    /* FAT 1 8 sectors a request, the copy 4 (the 2 KiB bitmap), the sweep 8. */
    assert_true(fast_ops <= fat_sectors / 8 + fat_sectors / 4 + fat_sectors / 8 + 64);
    /* Repair through the scan buffer: a dirty cached FAT sector (the lost
     * cluster freed) is flushed before the sweep reads on, and the card ends clean. */
    assert_int_equal(sdb_fat_check_owned(&c.vol, true, bitmap, sizeof bitmap, &big, &fast), SDB_OK);
    assert_int_equal(fast.lost_clusters, 1);
    assert_int_equal(fast.fat_copies_fixed, 1);
    assert_int_equal(sdb_fat_check_owned(&c.vol, false, bitmap, sizeof bitmap, &big, &fast),
                     SDB_OK);
    assert_fsck_clean(&c);
    ram_card_free(&c);
}

static bool owns_app(void *ctx, const char *path, bool is_dir)
{
    (void)ctx, (void)is_dir;
    return !strncmp(path, "/app", 4);
}

/* First cluster of a root file, from its 8.3 entry. */
static uint32_t first_cluster(struct ram_card *c, const char *path)
{
    struct sdb_fat_file f;
    assert_int_equal(sdb_fat_open(&c->vol, &f, path, SDB_FAT_READ), SDB_OK);
    uint32_t clus = f.first_clus;
    sdb_fat_close(&f);
    return clus;
}

/* The chains-only check (the boot's guard before it frees a chain of its
 * own): the walks without the FAT-wide scans. A lost cluster and a stale FAT
 * copy are not its business: SDB_OK in a few dozen reads, where the full
 * check reads the FAT 5 times over through an 8-byte bitmap. With windows of
 * 64 clusters, a user's file at the far end of the volume gets no walk of its
 * window, but an owned chain running into it does, and the cross-link is
 * found. It never repairs. */
static void chains_only_check_skips_fat_scans(void **state)
{
    (void)state;
    fill_data();
    struct ram_card c;
    assert_int_equal(ram_card_format(&c, 128u << 20, 32), SDB_OK);
    assert_int_equal(sdb_fat_mkdir(&c.vol, "/app"), SDB_OK);
    assert_int_equal(put_new(&c.vol, "/app/mine.bin", 4096), SDB_OK);
    const uint32_t last = c.vol.nclusters + 1;
    c.vol.next_free = last - 40; /* the user's file far away */
    assert_int_equal(put_new(&c.vol, "/user.bin", 4096), SDB_OK);
    assert_int_equal(sdb_fat_sync(&c.vol), SDB_OK);
    const uint32_t fat = c.vol.fat_lba * SDB_SECTOR_SIZE, fat_sectors = c.vol.fat_sectors;
    const uint32_t copy = fat + fat_sectors * SDB_SECTOR_SIZE;
    put32(c.mem + fat + 4 * (last / 2), 0x0FFFFFFF); /* lost in both copies */
    put32(c.mem + copy + 4 * (last / 2), 0x0FFFFFFF);
    put32(c.mem + copy + 4 * (last / 3), 0x0FFFFFFF); /* only in the copy */
    static uint8_t bitmap[8], scan[4096];
    struct sdb_fat_check_report r;
    struct sdb_fat_check_opts opts = {owns_app, NULL, NULL, scan, sizeof scan, true};
    assert_int_equal(sdb_fat_mount(&c.vol, &c.ram.bd, false), SDB_OK);
    sdb_bd_reset_stats(&c.ram.bd);
    assert_int_equal(sdb_fat_check_owned(&c.vol, false, bitmap, sizeof bitmap, &opts, &r), SDB_OK);
    uint64_t chains_reads = c.ram.bd.stats.sectors_read;
    assert_int_equal(r.lost_clusters, 0);
    assert_int_equal(r.fat_copies_fixed, 0);
    assert_int_equal(r.files, 2);
    opts.chains_only = false;
    sdb_bd_reset_stats(&c.ram.bd);
    assert_int_equal(sdb_fat_check_owned(&c.vol, false, bitmap, sizeof bitmap, &opts, &r),
                     SDB_FAT_ECORRUPT);
    printf("FAT32 check, %u FAT sectors, 64-cluster windows: %llu sectors read chains only, "
           "%llu in full\n",
           (unsigned)fat_sectors, (unsigned long long)chains_reads,
           (unsigned long long)c.ram.bd.stats.sectors_read);
    assert_int_equal(r.lost_clusters, 1);
    assert_int_equal(r.fat_copies_fixed, 1);
    /* One window walked twice (the rest, then owned entries): the root, /app
     * and the FAT sectors of two chains, a few times each (66 sectors). */
    assert_true(chains_reads <= fat_sectors / 16);
    assert_true(c.ram.bd.stats.sectors_read >= 2 * fat_sectors);
    /* The owned chain runs on into the user's file, in a window of its own. */
    uint32_t mine = first_cluster(&c, "/app/mine.bin"), theirs = first_cluster(&c, "/user.bin");
    put32(c.mem + fat + 4 * mine, theirs);
    put32(c.mem + copy + 4 * mine, theirs);
    assert_int_equal(sdb_fat_mount(&c.vol, &c.ram.bd, false), SDB_OK);
    opts.chains_only = true;
    assert_int_equal(sdb_fat_check_owned(&c.vol, false, bitmap, sizeof bitmap, &opts, &r),
                     SDB_FAT_ECORRUPT);
    assert_int_equal(r.cross_links, 1);
    assert_int_equal(r.left_alone, 0);
    assert_int_equal(sdb_fat_check_owned(&c.vol, true, bitmap, sizeof bitmap, &opts, &r),
                     SDB_E_INVAL);
    ram_card_free(&c);
}

/* Sectors read to look up a missing name in /d1/d2, from its folder when
 * the driver still remembers it (at most that folder's one sector), from the
 * root when not (root, /d1, /d1/d2: three). */
static uint64_t miss_reads(struct ram_card *c)
{
    struct sdb_fat_stat st;
    assert_int_equal(sdb_fat_sync(&c->vol), SDB_OK);
    sdb_bd_reset_stats(&c->ram.bd);
    assert_int_equal(sdb_fat_stat(&c->vol, "/d1/d2/none", &st), SDB_FAT_ENOENT);
    return c->ram.bd.stats.sectors_read;
}

/* The folder a lookup remembered (struct sdb_fat_vol's walk_path) stays
 * while nothing can change what its path names: a file in it removed (its
 * chain freed), a folder made in it. A folder removed or renamed is
 * forgotten: its path names nothing, or another folder. */
static void remembered_folder_outlives_file_changes(void **state)
{
    (void)state;
    fill_data();
    struct ram_card c;
    struct sdb_fat_stat st;
    assert_int_equal(ram_card_format(&c, 16u << 20, 16), SDB_OK);
    assert_int_equal(sdb_fat_mkdir(&c.vol, "/d1"), SDB_OK);
    assert_int_equal(sdb_fat_mkdir(&c.vol, "/d1/d2"), SDB_OK);
    assert_int_equal(put_file(&c.vol, "/d1/d2/f1", data, 600), SDB_OK);
    assert_true(miss_reads(&c) <= 1);
    assert_int_equal(sdb_fat_unlink(&c.vol, "/d1/d2/f1"), SDB_OK);
    assert_true(miss_reads(&c) <= 1);
    assert_int_equal(sdb_fat_mkdir(&c.vol, "/d1/d2/sub"), SDB_OK);
    assert_true(miss_reads(&c) <= 1);
    /* Renamed: the old path names nothing, the new one the folder. */
    assert_int_equal(sdb_fat_rename(&c.vol, "/d1/d2", "/d1/d3", false), SDB_OK);
    assert_int_equal(sdb_fat_stat(&c.vol, "/d1/d2/sub", &st), SDB_FAT_ENOENT);
    assert_int_equal(sdb_fat_stat(&c.vol, "/d1/d3/sub", &st), SDB_OK);
    assert_true(st.is_dir);
    /* Removed, then a file made where it was. */
    assert_int_equal(put_file(&c.vol, "/d1/d3/sub/x", data, 10), SDB_OK);
    assert_int_equal(sdb_fat_unlink(&c.vol, "/d1/d3/sub/x"), SDB_OK);
    assert_int_equal(sdb_fat_rmdir(&c.vol, "/d1/d3/sub"), SDB_OK);
    assert_int_equal(put_file(&c.vol, "/d1/d3/sub", data, 10), SDB_OK);
    assert_int_equal(sdb_fat_stat(&c.vol, "/d1/d3/sub/x", &st), SDB_FAT_ENOTDIR);
    assert_fsck_clean(&c);
    ram_card_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(creating_new_files_reads_linear),
        cmocka_unit_test(looked_up_names_are_still_correct),
        cmocka_unit_test(unique_names_get_distinct_aliases),
        cmocka_unit_test(remembered_folder_outlives_file_changes),
        cmocka_unit_test(data_moves_in_large_requests),
        cmocka_unit_test(new_files_share_metadata_writes),
        cmocka_unit_test(contiguous_read_keeps_the_fat_sector),
        cmocka_unit_test(check_scans_fat_in_large_requests),
        cmocka_unit_test(chains_only_check_skips_fat_scans),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
