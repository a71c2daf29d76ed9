/* Block devices: RAM, file image, and the fault-injecting wrapper's model. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "sdboot/bd_fault.h"
#include "sdboot/bd_file.h"
#include "sdboot/bd_ram.h"

#define SECTORS 16
static uint8_t mem[SECTORS * SDB_SECTOR_SIZE];
static struct sdb_bd_ram ram;
static struct sdb_bd_fault fault;

static void fill(uint8_t *buf, uint8_t v)
{
    memset(buf, v, SDB_SECTOR_SIZE);
}

static int setup(void **state)
{
    (void)state;
    memset(mem, 0xAA, sizeof mem);
    sdb_bd_ram_init(&ram, mem, SECTORS);
    sdb_bd_fault_init(&fault, &ram.bd);
    return 0;
}

static void ram_roundtrip_and_counts(void **state)
{
    (void)state;
    uint8_t out[2 * SDB_SECTOR_SIZE], in[2 * SDB_SECTOR_SIZE];
    memset(out, 0x11, sizeof out);
    assert_int_equal(sdb_bd_write(&ram.bd, 3, 2, out), SDB_OK);
    assert_int_equal(sdb_bd_read(&ram.bd, 3, 2, in), SDB_OK);
    assert_memory_equal(in, out, sizeof out);
    assert_int_equal(ram.bd.stats.sectors_written, 2);
    assert_int_equal(ram.bd.stats.sectors_read, 2);
    assert_int_equal(ram.bd.stats.write_ops, 1);
}

static void range_errors_write_nothing(void **state)
{
    (void)state;
    uint8_t buf[SDB_SECTOR_SIZE * 2];
    fill(buf, 0);
    assert_int_equal(sdb_bd_write(&ram.bd, SECTORS - 1, 2, buf), SDB_BD_ERANGE);
    assert_int_equal(sdb_bd_write(&ram.bd, SECTORS, 1, buf), SDB_BD_ERANGE);
    assert_int_equal(sdb_bd_read(&ram.bd, 0, 0, buf), SDB_BD_ERANGE);
    assert_int_equal(sdb_bd_write(&ram.bd, 0xFFFFFFFFu, 2, buf), SDB_BD_ERANGE);
    assert_int_equal(ram.bd.stats.sectors_written, 0);
    for (size_t i = 0; i < sizeof mem; i++)
        assert_int_equal(mem[i], 0xAA);
}

static void write_n(sdb_bd_t *bd, uint32_t first, uint32_t n, uint8_t v, int expect_last)
{
    uint8_t buf[SDB_SECTOR_SIZE];
    for (uint32_t i = 0; i < n; i++) {
        fill(buf, (uint8_t)(v + i));
        int err = sdb_bd_write(bd, first + i, 1, buf);
        assert_int_equal(err, i + 1 == n ? expect_last : SDB_OK);
    }
}

static void cut_loses_cutting_write_and_kills_device(void **state)
{
    (void)state;
    struct sdb_fault_case c = {.at = 3};
    sdb_bd_fault_set_cut(&fault, &c);
    write_n(&fault.bd, 0, 3, 0x10, SDB_BD_EPOWER);
    assert_int_equal(mem[0], 0x10);
    assert_int_equal(mem[SDB_SECTOR_SIZE], 0x11);
    assert_int_equal(mem[2 * SDB_SECTOR_SIZE], 0xAA); /* write 3 never landed */
    uint8_t buf[SDB_SECTOR_SIZE];
    assert_int_equal(sdb_bd_read(&fault.bd, 0, 1, buf), SDB_BD_EPOWER);
    assert_int_equal(sdb_bd_write(&fault.bd, 5, 1, buf), SDB_BD_EPOWER);
    assert_int_equal(sdb_bd_sync(&fault.bd), SDB_BD_EPOWER);
    assert_int_equal(mem[5 * SDB_SECTOR_SIZE], 0xAA);
}

static void torn_write_keeps_prefix(void **state)
{
    (void)state;
    struct sdb_fault_case c = {.at = 1, .tear = 100};
    sdb_bd_fault_set_cut(&fault, &c);
    uint8_t buf[SDB_SECTOR_SIZE];
    fill(buf, 0x55);
    assert_int_equal(sdb_bd_write(&fault.bd, 7, 1, buf), SDB_BD_EPOWER);
    for (int i = 0; i < 100; i++)
        assert_int_equal(mem[7 * SDB_SECTOR_SIZE + i], 0x55);
    for (int i = 100; i < (int)SDB_SECTOR_SIZE; i++)
        assert_int_equal(mem[7 * SDB_SECTOR_SIZE + i], 0xAA);
}

static void multi_sector_write_counts_each_sector(void **state)
{
    (void)state;
    struct sdb_fault_case c = {.at = 3, .tear = SDB_SECTOR_SIZE};
    sdb_bd_fault_set_cut(&fault, &c);
    uint8_t buf[4 * SDB_SECTOR_SIZE];
    memset(buf, 0x66, sizeof buf);
    assert_int_equal(sdb_bd_write(&fault.bd, 0, 4, buf), SDB_BD_EPOWER);
    assert_int_equal(mem[2 * SDB_SECTOR_SIZE], 0x66); /* fully written, then cut */
    assert_int_equal(mem[3 * SDB_SECTOR_SIZE], 0xAA);
    assert_int_equal(fault.writes_seen, 3);
}

static struct sdb_fault_log_entry cache_log[8];

static void cache_loss_undoes_chosen_unsynced_writes(void **state)
{
    (void)state;
    sdb_bd_fault_set_cache(&fault, cache_log, 8);
    write_n(&fault.bd, 0, 2, 0x20, SDB_OK); /* synced below: survives any loss */
    assert_int_equal(sdb_bd_sync(&fault.bd), SDB_OK);
    /* unsynced: #0 -> s4=0x30, #1 -> s5=0x31, #2 -> s4=0x40, #3 (cut, full) -> s6=0x50 */
    uint8_t buf[SDB_SECTOR_SIZE];
    fill(buf, 0x30);
    assert_int_equal(sdb_bd_write(&fault.bd, 4, 1, buf), SDB_OK);
    fill(buf, 0x31);
    assert_int_equal(sdb_bd_write(&fault.bd, 5, 1, buf), SDB_OK);
    fill(buf, 0x40);
    assert_int_equal(sdb_bd_write(&fault.bd, 4, 1, buf), SDB_OK);
    struct sdb_fault_case c = {.at = 6, .tear = SDB_SECTOR_SIZE, .lost = 0x6}; /* lose #1, #2 */
    sdb_bd_fault_set_cut(&fault, &c);
    fill(buf, 0x50);
    assert_int_equal(sdb_bd_write(&fault.bd, 6, 1, buf), SDB_BD_EPOWER);
    assert_int_equal(mem[0], 0x20);
    assert_int_equal(mem[4 * SDB_SECTOR_SIZE], 0x30); /* newest kept write of s4 */
    assert_int_equal(mem[5 * SDB_SECTOR_SIZE], 0xAA); /* its only write was lost */
    assert_int_equal(mem[6 * SDB_SECTOR_SIZE], 0x50); /* cutting write kept */
}

static void cache_loss_of_everything_restores_last_sync(void **state)
{
    (void)state;
    sdb_bd_fault_set_cache(&fault, cache_log, 8);
    struct sdb_fault_case c = {.at = 4, .tear = 0, .lost = ~0ull};
    sdb_bd_fault_set_cut(&fault, &c);
    write_n(&fault.bd, 0, 4, 0x70, SDB_BD_EPOWER);
    for (size_t i = 0; i < 4 * SDB_SECTOR_SIZE; i++)
        assert_int_equal(mem[i], 0xAA);
}

static void tear_boundaries_land_exact_prefix(void **state)
{
    (void)state;
    const uint16_t tears[] = {0, 1, 256, 511, 512};
    for (size_t t = 0; t < sizeof tears / sizeof tears[0]; t++) {
        setup(NULL);
        struct sdb_fault_case c = {.at = 2, .tear = tears[t]};
        sdb_bd_fault_set_cut(&fault, &c);
        uint8_t buf[2 * SDB_SECTOR_SIZE];
        memset(buf, 0x33, sizeof buf);
        assert_int_equal(sdb_bd_write(&fault.bd, 4, 2, buf), SDB_BD_EPOWER);
        const uint8_t *cut = mem + 5 * SDB_SECTOR_SIZE;
        for (size_t i = 0; i < SDB_SECTOR_SIZE; i++)
            assert_int_equal(cut[i], i < tears[t] ? 0x33 : 0xAA);
        assert_int_equal(mem[4 * SDB_SECTOR_SIZE + 511], 0x33);
        assert_int_equal(mem[6 * SDB_SECTOR_SIZE], 0xAA);
    }
}

static void counts_through_the_wrapper_are_exact(void **state)
{
    (void)state;
    uint8_t buf[3 * SDB_SECTOR_SIZE];
    memset(buf, 1, sizeof buf);
    assert_int_equal(sdb_bd_write(&fault.bd, 0, 3, buf), SDB_OK);
    assert_int_equal(sdb_bd_write(&fault.bd, 9, 1, buf), SDB_OK);
    assert_int_equal(fault.unsynced, 4);
    assert_int_equal(sdb_bd_sync(&fault.bd), SDB_OK);
    assert_int_equal(fault.unsynced, 0);
    assert_int_equal(sdb_bd_write(&fault.bd, 1, 2, buf), SDB_OK);
    assert_int_equal(sdb_bd_read(&fault.bd, 0, 3, buf), SDB_OK);
    assert_int_equal(fault.bd.stats.sectors_written, 6);
    assert_int_equal(fault.bd.stats.write_ops, 3);
    assert_int_equal(fault.bd.stats.sectors_read, 3);
    assert_int_equal(fault.bd.stats.syncs, 1);
    assert_int_equal(fault.writes_seen, 6);
    assert_int_equal(fault.unsynced, 2);
    assert_int_equal(ram.bd.stats.sectors_written, 6); /* no cache: nothing extra below */
    /* a refused write counts as no sector written */
    fault.write_protect = true;
    assert_int_equal(sdb_bd_write(&fault.bd, 0, 1, buf), SDB_BD_EROFS);
    assert_int_equal(fault.writes_seen, 6);
}

static void cache_overflow_treats_oldest_as_flushed(void **state)
{
    (void)state;
    sdb_bd_fault_set_cache(&fault, cache_log, 2);
    struct sdb_fault_case c = {.at = 4, .tear = 0, .lost = ~0ull};
    sdb_bd_fault_set_cut(&fault, &c);
    write_n(&fault.bd, 0, 4, 0x70, SDB_BD_EPOWER);
    assert_int_equal(fault.cache_overflows, 1);
    assert_int_equal(mem[0], 0x70);                   /* fell out of the log: kept */
    assert_int_equal(mem[1 * SDB_SECTOR_SIZE], 0xAA); /* tracked and lost */
    assert_int_equal(mem[2 * SDB_SECTOR_SIZE], 0xAA);
    assert_int_equal(mem[3 * SDB_SECTOR_SIZE], 0xAA); /* the cut write, not written */
}

static void read_errors_write_protect_no_medium(void **state)
{
    (void)state;
    uint8_t buf[SDB_SECTOR_SIZE];
    assert_int_equal(sdb_bd_fault_add_bad_range(&fault, 2, 2), SDB_OK);
    assert_int_equal(sdb_bd_read(&fault.bd, 1, 1, buf), SDB_OK);
    assert_int_equal(sdb_bd_read(&fault.bd, 1, 2, buf), SDB_BD_EIO);
    assert_int_equal(sdb_bd_read(&fault.bd, 3, 1, buf), SDB_BD_EIO);
    assert_int_equal(sdb_bd_read(&fault.bd, 4, 1, buf), SDB_OK);
    fault.write_protect = true;
    fill(buf, 0);
    assert_int_equal(sdb_bd_write(&fault.bd, 0, 1, buf), SDB_BD_EROFS);
    assert_int_equal(mem[0], 0xAA);
    fault.no_medium = true;
    assert_int_equal(sdb_bd_read(&fault.bd, 0, 1, buf), SDB_BD_ENOMEDIUM);
    for (int i = 1; i < SDB_FAULT_MAX_BAD; i++)
        assert_int_equal(sdb_bd_fault_add_bad_range(&fault, 10, 1), SDB_OK);
    assert_int_equal(sdb_bd_fault_add_bad_range(&fault, 10, 1), SDB_E_BUFSIZE);
}

static void case_ids_round_trip(void **state)
{
    (void)state;
    const struct sdb_fault_case cases[] = {{.at = 1},
                                           {.at = 37, .tear = 256},
                                           {.at = 9, .tear = 512, .lost = 5},
                                           {.at = 4, .lost = 0xff}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char id[SDB_FAULT_ID_MAX];
        struct sdb_fault_case back;
        sdb_fault_case_format(&cases[i], id, sizeof id);
        assert_int_equal(sdb_fault_case_parse(id, &back), SDB_OK);
        assert_int_equal(back.at, cases[i].at); /* fields, not bytes: padding is unspecified */
        assert_int_equal(back.tear, cases[i].tear);
        assert_int_equal(back.lost, cases[i].lost);
    }
    char id[SDB_FAULT_ID_MAX];
    sdb_fault_case_format(&cases[1], id, sizeof id);
    assert_string_equal(id, "w37/t256");
    struct sdb_fault_case c;
    const char *bad[] = {"", "w", "w0", "x3", "w3/t513", "w3/t", "w3/q1", "w3/l", "w3junk", "w-1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(sdb_fault_case_parse(bad[i], &c), SDB_E_INVAL);
}

static void file_image_roundtrip_and_errors(void **state)
{
    (void)state;
    char path[] = "/tmp/sdb-bdfile-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    struct sdb_bd_file f;
    assert_int_equal(sdb_bd_file_create(&f, path, 1000), SDB_BD_FILE_ESIZE);
    assert_int_equal(sdb_bd_file_create(&f, path, 8 * SDB_SECTOR_SIZE), SDB_OK);
    assert_int_equal(f.bd.sector_count, 8);
    uint8_t buf[SDB_SECTOR_SIZE], back[SDB_SECTOR_SIZE];
    fill(buf, 0x42);
    assert_int_equal(sdb_bd_write(&f.bd, 7, 1, buf), SDB_OK);
    assert_int_equal(sdb_bd_sync(&f.bd), SDB_OK);
    assert_int_equal(sdb_bd_file_close(&f), SDB_OK);
    assert_int_equal(sdb_bd_file_open(&f, path, true), SDB_OK);
    assert_int_equal(sdb_bd_read(&f.bd, 7, 1, back), SDB_OK);
    assert_memory_equal(buf, back, sizeof buf);
    assert_int_equal(sdb_bd_write(&f.bd, 0, 1, buf), SDB_BD_EROFS);
    assert_int_equal(sdb_bd_file_close(&f), SDB_OK);
    unlink(path);
    assert_int_equal(sdb_bd_file_open(&f, path, false), SDB_BD_FILE_EOPEN);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(ram_roundtrip_and_counts, setup),
        cmocka_unit_test_setup(range_errors_write_nothing, setup),
        cmocka_unit_test_setup(cut_loses_cutting_write_and_kills_device, setup),
        cmocka_unit_test_setup(torn_write_keeps_prefix, setup),
        cmocka_unit_test_setup(multi_sector_write_counts_each_sector, setup),
        cmocka_unit_test_setup(cache_loss_undoes_chosen_unsynced_writes, setup),
        cmocka_unit_test_setup(cache_loss_of_everything_restores_last_sync, setup),
        cmocka_unit_test_setup(tear_boundaries_land_exact_prefix, setup),
        cmocka_unit_test_setup(counts_through_the_wrapper_are_exact, setup),
        cmocka_unit_test_setup(cache_overflow_treats_oldest_as_flushed, setup),
        cmocka_unit_test_setup(read_errors_write_protect_no_medium, setup),
        cmocka_unit_test_setup(case_ids_round_trip, setup),
        cmocka_unit_test(file_image_roundtrip_and_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
