/*
 * The SD-over-SPI driver of the bare-metal port (ports/baremetal/sd_spi.c) on
 * the host, against a small SD card model in SPI mode: bring-up of SDHC and
 * v1 SDSC cards (block vs byte addresses as the card sees them, CMD16), multi-sector
 * reads and writes, and the failures QEMU cannot make: a data CRC wrong once
 * (read again) or always, a card that stops answering, a written block the
 * card rejects, a card that stays busy, and the power-cut hook.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "sd_spi.h"

#define SECTORS 64u

/* ---- the card model ---- */

enum phase { P_CMD, P_READ_STREAM, P_WAIT_TOKEN, P_WRITE_DATA };

struct card {
    bool present, sdhc, v1, idle;
    uint8_t mem[SECTORS][512];
    uint8_t frame[6];
    unsigned frame_len;
    uint8_t out[2048]; /* bytes the card will send, in order */
    unsigned out_head, out_len;
    enum phase phase;
    uint8_t cmd; /* data command in progress */
    uint32_t sector;
    uint8_t wbuf[514];
    unsigned wlen;
    bool app; /* the next command is an ACMD */
    /* faults */
    unsigned corrupt_reads; /* blocks sent with one data byte flipped */
    bool reject_writes, busy_forever;
    bool stuck;      /* once its queued bytes are out, the card holds the line low */
    long dead_after; /* bytes until the card stops answering (-1 never) */
    /* what the card saw */
    uint32_t last_arg;
    unsigned blocks_programmed;
    unsigned long bytes;
};

static struct card card;

static void send(const uint8_t *p, unsigned n)
{
    assert_true(card.out_len + n <= sizeof card.out);
    for (unsigned i = 0; i < n; i++)
        card.out[(card.out_head + card.out_len++) % sizeof card.out] = p[i];
}

static void send1(uint8_t b)
{
    send(&b, 1);
}

static void queue_block(void)
{
    uint8_t blk[515];
    blk[0] = 0xFE;
    memcpy(blk + 1, card.mem[card.sector], 512);
    uint16_t crc = sdb_sd_crc16(blk + 1, 512);
    if (card.corrupt_reads) {
        card.corrupt_reads--;
        blk[100] ^= 0x10;
    }
    blk[513] = (uint8_t)(crc >> 8);
    blk[514] = (uint8_t)crc;
    send1(0xFF); /* access time */
    send(blk, sizeof blk);
}

static uint32_t sector_of(uint32_t arg)
{
    return card.sdhc ? arg : arg / 512;
}

static void r1(uint8_t v)
{
    send1(0xFF); /* Ncr */
    send1(v);
}

static void command(void)
{
    uint8_t cmd = card.frame[0] & 0x3F;
    uint32_t arg = (uint32_t)card.frame[1] << 24 | (uint32_t)card.frame[2] << 16 |
                   (uint32_t)card.frame[3] << 8 | card.frame[4];
    assert_int_equal(card.frame[5], sdb_sd_crc7(card.frame, 5) << 1 | 1); /* CRC7 always right */
    card.last_arg = arg;
    bool app = card.app;
    card.app = false;
    uint8_t idle = card.idle ? 1 : 0;
    if (app && cmd == 41) {
        card.idle = false;
        r1(idle);
        return;
    }
    switch (cmd) {
    case 0:
        card.idle = true;
        r1(1);
        break;
    case 8:
        if (card.v1) {
            r1(0x05);
        } else {
            r1(idle);
            uint8_t echo[4] = {0, 0, (uint8_t)(arg >> 8 & 0xF), (uint8_t)arg};
            send(echo, 4);
        }
        break;
    case 55:
        card.app = true;
        r1(idle);
        break;
    case 58: {
        r1(idle);
        uint8_t ocr[4] = {(uint8_t)(0x80 | (card.sdhc ? 0x40 : 0)), 0xFF, 0x80, 0};
        send(ocr, 4);
        break;
    }
    case 9: { /* CSD 2.0 for SDHC, 1.0 (READ_BL_LEN 9, C_SIZE_MULT 7) for SDSC */
        r1(0);
        uint8_t csd[16] = {0};
        if (card.sdhc) {
            csd[0] = 0x40; /* (C_SIZE + 1) * 512 KiB: a 512 KiB card claims 1 unit */
        } else {
            csd[5] = 9; /* C_SIZE 0: 256 KiB */
            csd[9] = 3;
            csd[10] = 0x80;
        }
        uint8_t blk[19];
        blk[0] = 0xFE;
        memcpy(blk + 1, csd, 16);
        uint16_t crc = sdb_sd_crc16(csd, 16);
        blk[17] = (uint8_t)(crc >> 8);
        blk[18] = (uint8_t)crc;
        send1(0xFF);
        send(blk, sizeof blk);
        break;
    }
    case 16:
        r1(arg == 512 ? 0 : 0x40);
        break;
    case 12:
        card.phase = P_CMD;
        send1(0xFF); /* stuff byte */
        r1(0);
        break;
    case 17:
    case 18:
        card.sector = sector_of(arg);
        card.cmd = cmd;
        r1(card.sector < SECTORS ? 0 : 0x40);
        if (card.sector < SECTORS) {
            queue_block();
            if (cmd == 18)
                card.phase = P_READ_STREAM;
        }
        break;
    case 24:
    case 25:
        card.sector = sector_of(arg);
        card.cmd = cmd;
        r1(0);
        card.phase = P_WAIT_TOKEN;
        break;
    default:
        r1(idle | 0x04);
    }
}

static void feed(uint8_t in)
{
    switch (card.phase) {
    case P_READ_STREAM:
        if (in == 0x4C) { /* CMD12 interrupts the stream */
            card.out_len = 0;
            card.phase = P_CMD;
            card.frame[0] = in;
            card.frame_len = 1;
        } else if (card.out_len < 600 && ++card.sector < SECTORS) {
            queue_block();
        }
        return;
    case P_WAIT_TOKEN:
        if (in == 0xFE || in == 0xFC) {
            card.phase = P_WRITE_DATA;
            card.wlen = 0;
        } else if (in == 0xFD) {
            card.phase = P_CMD;
            send1(0x00); /* busy a byte */
        }
        return;
    case P_WRITE_DATA:
        card.wbuf[card.wlen++] = in;
        if (card.wlen < 514)
            return;
        if (card.reject_writes) {
            send1(0x0D);
        } else {
            memcpy(card.mem[card.sector++], card.wbuf, 512);
            card.blocks_programmed++;
            send1(0xE5); /* xxx0 0101: accepted */
            send1(0x00); /* busy */
            card.stuck = card.busy_forever;
        }
        card.phase = card.cmd == 25 ? P_WAIT_TOKEN : P_CMD;
        return;
    case P_CMD:
        if (card.frame_len == 0 && (in & 0xC0) != 0x40)
            return;
        card.frame[card.frame_len++] = in;
        if (card.frame_len == 6) {
            card.frame_len = 0;
            command();
        }
    }
}

static void bus_select(void *ctx, bool selected)
{
    (void)ctx;
    (void)selected;
}

static void bus_xfer(void *ctx, const uint8_t *tx, uint8_t *rx, size_t n)
{
    (void)ctx;
    for (size_t i = 0; i < n; i++) {
        uint8_t out = 0xFF;
        card.bytes++;
        if (card.stuck && !card.out_len) {
            out = 0x00; /* holds the data line low: busy for ever */
        } else if (card.present && card.dead_after != 0) {
            if (card.dead_after > 0)
                card.dead_after--;
            if (card.out_len) {
                out = card.out[card.out_head];
                card.out_head = (card.out_head + 1) % sizeof card.out;
                card.out_len--;
            }
            feed(tx ? tx[i] : 0xFF);
        }
        if (rx)
            rx[i] = out;
    }
}

static const struct sdb_spi_bus bus = {.select = bus_select, .xfer = bus_xfer};

static int setup(void **state)
{
    (void)state;
    memset(&card, 0, sizeof card);
    card.present = true;
    card.sdhc = true;
    card.dead_after = -1;
    for (unsigned s = 0; s < SECTORS; s++)
        for (unsigned i = 0; i < 512; i++)
            card.mem[s][i] = (uint8_t)(s * 3 + i);
    return 0;
}

static struct sdb_sd sd;

/* ---- tests ---- */

static void test_sdhc_bring_up_and_multi_sector_io(void **state)
{
    (void)state;
    assert_int_equal(sdb_sd_open(&sd, &bus), SDB_OK);
    assert_true(sd.sdhc && sd.v2);
    assert_int_equal(sd.bd.sector_count, 1024); /* C_SIZE 0: 512 KiB */
    uint8_t buf[4 * 512];
    assert_int_equal(sdb_bd_read(&sd.bd, 5, 4, buf), SDB_OK);
    assert_int_equal(card.last_arg, 0); /* CMD12 ends the CMD18 */
    for (unsigned s = 0; s < 4; s++)
        assert_memory_equal(buf + s * 512, card.mem[5 + s], 512);
    memset(buf, 0x5A, sizeof buf);
    assert_int_equal(sdb_bd_write(&sd.bd, 10, 3, buf), SDB_OK);
    assert_int_equal(sdb_bd_write(&sd.bd, 20, 1, buf), SDB_OK);
    assert_int_equal(card.last_arg, 20); /* block address */
    assert_int_equal(card.blocks_programmed, 4);
    assert_int_equal(card.mem[12][511], 0x5A);
    assert_int_equal(card.mem[13][0], (uint8_t)(13 * 3));
    assert_int_equal(sd.stats.blocks_read, 4);
    assert_int_equal(sd.stats.blocks_written, 4);
    assert_int_equal(sd.stats.retries, 0);
    assert_int_equal(sdb_bd_sync(&sd.bd), SDB_OK);
}

static void test_v1_sdsc_card_is_byte_addressed(void **state)
{
    (void)state;
    card.sdhc = false;
    card.v1 = true;
    assert_int_equal(sdb_sd_open(&sd, &bus), SDB_OK);
    assert_false(sd.sdhc);
    assert_false(sd.v2);
    assert_int_equal(sd.bd.sector_count, 512); /* CSD 1.0: 1 << (0 + 7 + 2 + 9) bytes */
    uint8_t buf[512];
    assert_int_equal(sdb_bd_read(&sd.bd, 7, 1, buf), SDB_OK);
    assert_int_equal(card.last_arg, 7 * 512);
    assert_memory_equal(buf, card.mem[7], 512);
}

static void test_bad_crc_once_is_read_again(void **state)
{
    (void)state;
    assert_int_equal(sdb_sd_open(&sd, &bus), SDB_OK);
    card.corrupt_reads = 1;
    uint8_t buf[3 * 512];
    assert_int_equal(sdb_bd_read(&sd.bd, 2, 3, buf), SDB_OK);
    for (unsigned s = 0; s < 3; s++)
        assert_memory_equal(buf + s * 512, card.mem[2 + s], 512);
    assert_int_equal(sd.stats.crc_errors, 1);
    assert_int_equal(sd.stats.retries, 1);
}

static void test_bad_crc_always_fails_with_its_reason(void **state)
{
    (void)state;
    assert_int_equal(sdb_sd_open(&sd, &bus), SDB_OK);
    card.corrupt_reads = 1000;
    uint8_t buf[512];
    assert_int_equal(sdb_bd_read(&sd.bd, 2, 1, buf), SDB_BD_EIO);
    assert_int_equal(sd.fail, SDB_SD_FAIL_CRC);
    assert_int_equal(sd.stats.crc_errors, SDB_SD_RETRIES);
    assert_int_equal(sd.bd.stats.sectors_read, 0);
}

static void test_no_card(void **state)
{
    (void)state;
    card.present = false;
    assert_int_equal(sdb_sd_open(&sd, &bus), SDB_BD_ENOMEDIUM);
    assert_int_equal(sd.fail, SDB_SD_FAIL_NO_IDLE);
    assert_string_equal(sdb_sd_fail_name(sd.fail), "no card (CMD0 unanswered)");
}

/* Every reason has its own name; a value past the last is "unknown". */
static void test_fail_names(void **state)
{
    (void)state;
    assert_string_equal(sdb_sd_fail_name(SDB_SD_FAIL_NONE), "none");
    assert_string_equal(sdb_sd_fail_name(SDB_SD_FAIL_VOLTAGE),
                        "card refused the voltage (CMD8/OCR)");
    assert_string_equal(sdb_sd_fail_name(SDB_SD_FAIL_TOKEN),
                        "no data token (read timeout or error token)");
    assert_string_equal(sdb_sd_fail_name(SDB_SD_FAIL_BUSY), "card stayed busy");
    for (int f = SDB_SD_FAIL_NONE; f <= SDB_SD_FAIL_BUSY; f++) {
        const char *name = sdb_sd_fail_name((enum sdb_sd_fail)f);
        assert_true(name[0] != '\0');
        assert_string_not_equal(name, "unknown");
        for (int g = SDB_SD_FAIL_NONE; g < f; g++)
            assert_string_not_equal(name, sdb_sd_fail_name((enum sdb_sd_fail)g));
    }
    assert_string_equal(sdb_sd_fail_name((enum sdb_sd_fail)(SDB_SD_FAIL_BUSY + 1)), "unknown");
    assert_string_equal(sdb_sd_fail_name((enum sdb_sd_fail)200), "unknown");
}

static void test_card_that_stops_answering(void **state)
{
    (void)state;
    assert_int_equal(sdb_sd_open(&sd, &bus), SDB_OK);
    card.dead_after = 0;
    unsigned long before = card.bytes;
    uint8_t buf[2 * 512];
    assert_int_equal(sdb_bd_read(&sd.bd, 0, 2, buf), SDB_BD_EIO);
    assert_int_equal(sd.fail, SDB_SD_FAIL_NO_RESPONSE);
    assert_true(card.bytes - before < 200); /* three short tries, not a hang */
    assert_int_equal(sdb_bd_write(&sd.bd, 0, 1, buf), SDB_BD_EIO);
    assert_int_equal(sd.fail, SDB_SD_FAIL_NO_RESPONSE);
}

static void test_rejected_write(void **state)
{
    (void)state;
    assert_int_equal(sdb_sd_open(&sd, &bus), SDB_OK);
    card.reject_writes = true;
    uint8_t buf[512];
    memset(buf, 0x77, sizeof buf);
    assert_int_equal(sdb_bd_write(&sd.bd, 3, 1, buf), SDB_BD_EIO);
    assert_int_equal(sd.fail, SDB_SD_FAIL_WRITE_REJECT);
    assert_int_equal(card.mem[3][0], 9);
    assert_int_equal(sd.bd.stats.sectors_written, 0);
}

static void test_card_stays_busy(void **state)
{
    (void)state;
    assert_int_equal(sdb_sd_open(&sd, &bus), SDB_OK);
    card.busy_forever = true;
    uint8_t buf[512] = {0};
    assert_int_equal(sdb_bd_write(&sd.bd, 3, 1, buf), SDB_BD_EIO);
    assert_int_equal(sd.fail, SDB_SD_FAIL_BUSY);
}

static jmp_buf cut_jump;

static void cut_here(void *ctx)
{
    (void)ctx;
    longjmp(cut_jump, 1);
}

static void test_power_cut_hook_after_exact_writes(void **state)
{
    (void)state;
    sd.cut_after_writes = 3;
    sd.cut = cut_here;
    assert_int_equal(sdb_sd_open(&sd, &bus), SDB_OK); /* open keeps the hook */
    static uint8_t buf[5 * 512];
    memset(buf, 0x33, sizeof buf);
    if (setjmp(cut_jump) == 0) {
        sdb_bd_write(&sd.bd, 30, 5, buf);
        fail_msg("the cut hook was not called");
    }
    assert_int_equal(card.blocks_programmed, 3);
    assert_int_equal(card.mem[32][0], 0x33);
    assert_int_equal(card.mem[33][0], (uint8_t)(33 * 3));
    sd.cut_after_writes = 0;
    sd.cut = NULL;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_sdhc_bring_up_and_multi_sector_io, setup),
        cmocka_unit_test_setup(test_v1_sdsc_card_is_byte_addressed, setup),
        cmocka_unit_test_setup(test_bad_crc_once_is_read_again, setup),
        cmocka_unit_test_setup(test_bad_crc_always_fails_with_its_reason, setup),
        cmocka_unit_test_setup(test_no_card, setup),
        cmocka_unit_test(test_fail_names),
        cmocka_unit_test_setup(test_card_that_stops_answering, setup),
        cmocka_unit_test_setup(test_rejected_write, setup),
        cmocka_unit_test_setup(test_card_stays_busy, setup),
        cmocka_unit_test_setup(test_power_cut_hook_after_exact_writes, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
