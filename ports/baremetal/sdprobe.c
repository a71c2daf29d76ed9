/*
 * sdprobe: the first program of the bare-metal port. Brings the card up over
 * SPI, prints what it is and how big, reads sector 0 and a run of sectors in
 * one request, and (with "rw=1" on the semihosting command line) writes a
 * pattern with single- and multi-sector requests and reads it back. The test
 * (tests/baremetal/qemu_probe.sh) checks the console and the card image.
 *
 * Exit codes: 0 done, 2 no card, 1 any other failure.
 */
#include <string.h>
#include "board.h"
#include "sdboot/crc32.h"

static struct sdb_sd card;
static uint8_t buf[8 * SDB_SECTOR_SIZE];
static uint8_t one[SDB_SECTOR_SIZE];

static void print_stats(const char *what)
{
    board_printf("%s: commands=%lu blocks_read=%lu blocks_written=%lu crc_errors=%lu "
                 "retries=%lu\n",
                 what, (unsigned long)card.stats.commands, (unsigned long)card.stats.blocks_read,
                 (unsigned long)card.stats.blocks_written, (unsigned long)card.stats.crc_errors,
                 (unsigned long)card.stats.retries);
}

static int fail(const char *what, int err)
{
    board_printf("probe: %s failed: %d (%s)\n", what, err, sdb_sd_fail_name(card.fail));
    return 1;
}

/* Sectors 0..7 in one request must equal eight single-sector reads. */
static int check_multi_read(void)
{
    int err = sdb_bd_read(&card.bd, 0, 8, buf);
    if (err)
        return fail("read of 8 sectors", err);
    for (uint32_t i = 0; i < 8; i++) {
        err = sdb_bd_read(&card.bd, i, 1, one);
        if (err)
            return fail("read of 1 sector", err);
        if (memcmp(one, buf + i * SDB_SECTOR_SIZE, SDB_SECTOR_SIZE) != 0) {
            board_printf("probe: sector %lu differs between CMD17 and CMD18\n", (unsigned long)i);
            return 1;
        }
    }
    board_printf("probe: sectors 0-7 crc32=%08lx\n", (unsigned long)sdb_crc32(0, buf, sizeof buf));
    return 0;
}

/* Pattern in the last 9 sectors: one CMD24, then eight in one CMD25. */
static int check_write(void)
{
    uint32_t first = card.bd.sector_count - 9;
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (uint8_t)(i * 7 + 3);
    memset(one, 0xA5, sizeof one);
    int err = sdb_bd_write(&card.bd, first, 1, one);
    if (!err)
        err = sdb_bd_write(&card.bd, first + 1, 8, buf);
    if (err)
        return fail("write", err);
    static uint8_t back[sizeof buf];
    err = sdb_bd_read(&card.bd, first + 1, 8, back);
    if (!err)
        err = sdb_bd_read(&card.bd, first, 1, one);
    if (err)
        return fail("read back", err);
    if (memcmp(back, buf, sizeof buf) != 0 || one[0] != 0xA5 || one[511] != 0xA5) {
        board_puts("probe: written sectors read back different\n");
        return 1;
    }
    board_printf("probe: wrote sectors %lu-%lu crc32=%08lx\n", (unsigned long)first,
                 (unsigned long)(first + 8), (unsigned long)sdb_crc32(0, buf, sizeof buf));
    return 0;
}

int main(void)
{
    board_init();
    board_puts("probe: sdboot bare-metal (lm3s6965, SD over SPI)\n");
    int err = sdb_sd_open(&card, &board_sd_bus);
    if (err == SDB_BD_ENOMEDIUM) {
        board_printf("probe: no card (%s)\n", sdb_sd_fail_name(card.fail));
        return 2;
    }
    if (err)
        return fail("card bring-up", err);
    board_printf("probe: card %s%s, %lu sectors (%lu MiB), crc %s\n", card.sdhc ? "SDHC" : "SDSC",
                 card.v2 ? " v2" : " v1", (unsigned long)card.bd.sector_count,
                 (unsigned long)(card.bd.sector_count >> 11), card.crc_on ? "on" : "off");
    print_stats("probe: bring-up");
    err = sdb_bd_read(&card.bd, 0, 1, one);
    if (err)
        return fail("read of sector 0", err);
    board_printf("probe: sector 0 signature %02x%02x crc32=%08lx\n", one[510], one[511],
                 (unsigned long)sdb_crc32(0, one, sizeof one));
    if (check_multi_read())
        return 1;
    if (board_arg("rw", 0) && check_write())
        return 1;
    print_stats("probe: total");
    board_printf("probe: stack used %lu of %lu bytes\n", (unsigned long)board_stack_used(),
                 (unsigned long)board_stack_size());
    return 0;
}
