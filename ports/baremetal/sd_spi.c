/*
 * SD card over SPI: card bring-up and sector transfer (contract in sd_spi.h).
 *
 * Every transaction selects the card, does its command and data phases, then
 * deselects and clocks one byte so the card lets go of its data line.
 */
#include <string.h>
#include "sd_spi.h"

#define CMD_GO_IDLE 0
#define CMD_SEND_IF_COND 8
#define CMD_SEND_CSD 9
#define CMD_STOP 12
#define CMD_SET_BLOCKLEN 16
#define CMD_READ_ONE 17
#define CMD_READ_MANY 18
#define CMD_WRITE_ONE 24
#define CMD_WRITE_MANY 25
#define CMD_APP 55
#define CMD_READ_OCR 58
#define CMD_CRC_ON_OFF 59
#define ACMD_OP_COND 41

#define R1_IDLE 0x01u
#define R1_ILLEGAL 0x04u
#define TOKEN_START 0xFEu      /* single block read/write, multi-block read */
#define TOKEN_START_MANY 0xFCu /* multi-block write */
#define TOKEN_STOP_MANY 0xFDu  /* end of a multi-block write */
#define DATA_ACCEPTED 0x05u

/* Timeouts in bytes clocked: at 400 kHz a byte is 20 us, at 25 MHz 0.3 us. */
#define R1_WAIT_BYTES 16u        /* Ncr is at most 8 */
#define TOKEN_WAIT_BYTES 40000u  /* 100 ms read access at 400 kHz */
#define BUSY_WAIT_BYTES 1000000u /* 250 ms programming at 25 MHz, 20 s slow */
#define GO_IDLE_TRIES 16u
#define OP_COND_TRIES 4000u /* ACMD41 for about 1 s at 400 kHz */
#define OCR_TRIES 100u

#define OCR_POWERED_UP (1u << 31)
#define OCR_CCS (1u << 30)
#define OCR_VOLTAGES 0x00FF8000u /* 2.7 - 3.6 V */

/* Every byte on the bus goes through here, so that it is counted. */
static void io(struct sdb_sd *sd, const uint8_t *tx, uint8_t *rx, size_t n)
{
    sd->bus.xfer(sd->bus.ctx, tx, rx, n);
    sd->stats.bytes += (uint32_t)n;
}

static uint8_t xchg(struct sdb_sd *sd, uint8_t out)
{
    uint8_t in;
    io(sd, &out, &in, 1);
    return in;
}

static void clock_idle(struct sdb_sd *sd, size_t n)
{
    io(sd, NULL, NULL, n);
}

static void begin(struct sdb_sd *sd)
{
    sd->bus.select(sd->bus.ctx, true);
}

static void end(struct sdb_sd *sd)
{
    sd->bus.select(sd->bus.ctx, false);
    clock_idle(sd, 1);
}

static int fail(struct sdb_sd *sd, enum sdb_sd_fail why, int err)
{
    sd->fail = (uint8_t)why;
    return err;
}

uint8_t sdb_sd_crc7(const uint8_t *p, size_t n)
{
    uint8_t crc = 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t byte = p[i];
        for (int bit = 0; bit < 8; bit++, byte <<= 1) {
            crc <<= 1;
            if ((byte ^ crc) & 0x80)
                crc ^= 0x09;
        }
    }
    return crc & 0x7F;
}

uint16_t sdb_sd_crc16(const uint8_t *p, size_t n)
{
    uint16_t crc = 0; /* CRC-16/XMODEM: polynomial 0x1021, initial 0 */
    for (size_t i = 0; i < n; i++) {
        crc ^= (uint16_t)(p[i] << 8);
        for (int bit = 0; bit < 8; bit++)
            crc = (uint16_t)(crc & 0x8000 ? (crc << 1) ^ 0x1021 : crc << 1);
    }
    return crc;
}

/* Clock until the card stops holding its data line low (busy). */
static bool wait_ready(struct sdb_sd *sd)
{
    for (uint32_t i = 0; i < BUSY_WAIT_BYTES; i++)
        if (xchg(sd, 0xFF) == 0xFF)
            return true;
    return false;
}

/* Send one command frame and return its R1 (0xFF: no answer). */
static uint8_t command(struct sdb_sd *sd, uint8_t cmd, uint32_t arg)
{
    if (cmd != CMD_GO_IDLE && cmd != CMD_STOP && !wait_ready(sd)) {
        sd->fail = SDB_SD_FAIL_BUSY;
        return 0xFF;
    }
    uint8_t frame[6] = {(uint8_t)(0x40u | cmd), (uint8_t)(arg >> 24), (uint8_t)(arg >> 16),
                        (uint8_t)(arg >> 8),    (uint8_t)arg,         0};
    frame[5] = (uint8_t)(sdb_sd_crc7(frame, 5) << 1 | 1u);
    io(sd, frame, NULL, sizeof frame);
    sd->stats.commands++;
    if (cmd == CMD_STOP)
        clock_idle(sd, 1); /* the stuff byte after a stop command */
    uint8_t r1 = 0xFF;
    for (uint32_t i = 0; i < R1_WAIT_BYTES && (r1 & 0x80); i++)
        r1 = xchg(sd, 0xFF);
    return r1;
}

static uint8_t app_command(struct sdb_sd *sd, uint8_t acmd, uint32_t arg)
{
    uint8_t r1 = command(sd, CMD_APP, 0);
    if (r1 & ~R1_IDLE)
        return r1;
    return command(sd, acmd, arg);
}

static uint32_t read_u32(struct sdb_sd *sd)
{
    uint8_t b[4];
    io(sd, NULL, b, 4);
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* One data block from the card: start token, n bytes, CRC16. */
static int receive_block(struct sdb_sd *sd, uint8_t *buf, size_t n)
{
    uint8_t token = 0xFF;
    for (uint32_t i = 0; i < TOKEN_WAIT_BYTES && token == 0xFF; i++)
        token = xchg(sd, 0xFF);
    if (token != TOKEN_START)
        return fail(sd, SDB_SD_FAIL_TOKEN, SDB_BD_EIO);
    uint8_t crc[2];
    io(sd, NULL, buf, n);
    io(sd, NULL, crc, 2);
    if (sdb_sd_crc16(buf, n) != (uint16_t)(crc[0] << 8 | crc[1])) {
        sd->stats.crc_errors++;
        return fail(sd, SDB_SD_FAIL_CRC, SDB_BD_EIO);
    }
    return SDB_OK;
}

/* One data block to the card; SDB_OK once it is accepted and programmed. */
static int send_block(struct sdb_sd *sd, uint8_t token, const uint8_t *buf)
{
    uint16_t crc = sdb_sd_crc16(buf, SDB_SECTOR_SIZE);
    uint8_t head[2] = {0xFF, token}; /* one byte of gap, then the token */
    uint8_t tail[2] = {(uint8_t)(crc >> 8), (uint8_t)crc};
    io(sd, head, NULL, 2);
    io(sd, buf, NULL, SDB_SECTOR_SIZE);
    io(sd, tail, NULL, 2);
    uint8_t resp = 0xFF;
    for (uint32_t i = 0; i < R1_WAIT_BYTES && resp == 0xFF; i++)
        resp = xchg(sd, 0xFF);
    if ((resp & 0x1F) != DATA_ACCEPTED)
        return fail(sd, SDB_SD_FAIL_WRITE_REJECT, SDB_BD_EIO);
    if (!wait_ready(sd))
        return fail(sd, SDB_SD_FAIL_BUSY, SDB_BD_EIO);
    sd->stats.blocks_written++;
    return SDB_OK;
}

static uint32_t card_address(const struct sdb_sd *sd, uint32_t lba)
{
    return sd->sdhc ? lba : lba * SDB_SECTOR_SIZE;
}

static int r1_error(struct sdb_sd *sd, uint8_t r1)
{
    if (r1 == 0xFF && sd->fail == SDB_SD_FAIL_BUSY)
        return SDB_BD_EIO; /* command() never sent it: the card was busy */
    if (r1 == 0xFF)
        return fail(sd, SDB_SD_FAIL_NO_RESPONSE, SDB_BD_EIO);
    return fail(sd, SDB_SD_FAIL_R1, SDB_BD_EIO);
}

/* Up to count sectors in one command: CMD17 / CMD18 + CMD12 reads, CMD24 /
 * CMD25 + stop token writes (which only read buf); *done = sectors read
 * intact or accepted. */
static int run(struct sdb_sd *sd, bool write, uint32_t lba, uint32_t count, uint8_t *buf,
               uint32_t *done)
{
    bool many = count > 1;
    uint8_t cmd =
        write ? (many ? CMD_WRITE_MANY : CMD_WRITE_ONE) : (many ? CMD_READ_MANY : CMD_READ_ONE);
    *done = 0;
    uint8_t r1 = command(sd, cmd, card_address(sd, lba));
    if (r1 != 0)
        return r1_error(sd, r1);
    int err = SDB_OK;
    while (*done < count && err == SDB_OK) {
        uint8_t *block = buf + (size_t)*done * SDB_SECTOR_SIZE;
        err = write ? send_block(sd, many ? TOKEN_START_MANY : TOKEN_START, block)
                    : receive_block(sd, block, SDB_SECTOR_SIZE);
        if (err == SDB_OK) {
            ++*done;
            if (!write)
                sd->stats.blocks_read++;
            else if (sd->cut_after_writes && --sd->cut_after_writes == 0 && sd->cut)
                sd->cut(sd->cut_ctx); /* test hook: power gone right here */
        }
    }
    if (many) {
        r1 = 0;
        if (write) {
            static const uint8_t stop = TOKEN_STOP_MANY;
            io(sd, &stop, NULL, 1);
            clock_idle(sd, 1);
        } else {
            r1 = command(sd, CMD_STOP, 0);
        }
        if (!wait_ready(sd) && err == SDB_OK)
            err = fail(sd, SDB_SD_FAIL_BUSY, SDB_BD_EIO);
        if (r1 != 0 && err == SDB_OK)
            err = r1_error(sd, r1);
    }
    return err;
}

/* Retry policy shared by reads and writes: go on from the first sector that
 * failed, SDB_SD_RETRIES attempts in a row at most. */
static int transfer(struct sdb_sd *sd, bool write, uint32_t lba, uint32_t count, uint8_t *buf)
{
    unsigned tries = 0;
    sd->fail = SDB_SD_FAIL_NONE;
    begin(sd);
    int err = SDB_OK;
    while (count > 0) {
        uint32_t done;
        err = run(sd, write, lba, count, buf, &done);
        lba += done;
        count -= done;
        buf += (size_t)done * SDB_SECTOR_SIZE;
        if (err == SDB_OK)
            break;
        tries = done ? 1 : tries + 1;
        if (tries >= SDB_SD_RETRIES)
            break;
        sd->stats.retries++;
        err = SDB_OK;
    }
    end(sd);
    return err;
}

static int bd_read(sdb_bd_t *bd, uint32_t lba, uint32_t count, void *buf)
{
    return transfer((struct sdb_sd *)bd, false, lba, count, buf);
}

static int bd_write(sdb_bd_t *bd, uint32_t lba, uint32_t count, const void *buf)
{
    return transfer((struct sdb_sd *)bd, true, lba, count, (uint8_t *)(uintptr_t)buf);
}

/* Nothing is cached in the driver: a write returned once the card released
 * busy. Sync only checks the card is still there and idle. */
static int bd_sync(sdb_bd_t *bd)
{
    struct sdb_sd *sd = (struct sdb_sd *)bd;
    begin(sd);
    bool ready = wait_ready(sd);
    end(sd);
    return ready ? SDB_OK : fail(sd, SDB_SD_FAIL_BUSY, SDB_BD_EIO);
}

static const struct sdb_bd_ops sd_ops = {.read = bd_read, .write = bd_write, .sync = bd_sync};

static int go_idle(struct sdb_sd *sd)
{
    sd->bus.select(sd->bus.ctx, false);
    clock_idle(sd, 10); /* at least 74 clocks with the card deselected */
    begin(sd);
    for (unsigned i = 0; i < GO_IDLE_TRIES; i++) {
        if (command(sd, CMD_GO_IDLE, 0) == R1_IDLE)
            return SDB_OK;
        sd->stats.retries++;
    }
    return fail(sd, SDB_SD_FAIL_NO_IDLE, SDB_BD_ENOMEDIUM);
}

/* CMD8: a v2 card echoes the check pattern; a v1 card calls it illegal. */
static int check_voltage(struct sdb_sd *sd)
{
    uint8_t r1 = command(sd, CMD_SEND_IF_COND, 0x1AA);
    if (r1 & R1_ILLEGAL) {
        sd->v2 = false;
        return SDB_OK;
    }
    if (r1 & ~R1_IDLE)
        return r1_error(sd, r1);
    uint32_t echo = read_u32(sd);
    if ((echo & 0xFFF) != 0x1AA)
        return fail(sd, SDB_SD_FAIL_VOLTAGE, SDB_BD_EIO);
    sd->v2 = true;
    return SDB_OK;
}

static int leave_idle(struct sdb_sd *sd)
{
    uint32_t hcs = sd->v2 ? OCR_CCS : 0;
    for (unsigned i = 0; i < OP_COND_TRIES; i++) {
        uint8_t r1 = app_command(sd, ACMD_OP_COND, hcs);
        if (r1 == 0)
            return SDB_OK;
        if (r1 != R1_IDLE)
            return r1_error(sd, r1);
    }
    return fail(sd, SDB_SD_FAIL_INIT_TIMEOUT, SDB_BD_EIO);
}

static int read_ocr(struct sdb_sd *sd)
{
    for (unsigned i = 0; i < OCR_TRIES; i++) {
        uint8_t r1 = command(sd, CMD_READ_OCR, 0);
        if (r1 & ~R1_IDLE)
            return fail(sd, SDB_SD_FAIL_OCR, SDB_BD_EIO);
        uint32_t ocr = read_u32(sd);
        if (!(ocr & OCR_VOLTAGES))
            return fail(sd, SDB_SD_FAIL_VOLTAGE, SDB_BD_EIO);
        if (ocr & OCR_POWERED_UP) {
            sd->sdhc = sd->v2 && (ocr & OCR_CCS);
            return SDB_OK;
        }
    }
    return fail(sd, SDB_SD_FAIL_OCR, SDB_BD_EIO);
}

/* Capacity from the CSD register (structure 1.0 for SDSC, 2.0 for SDHC). */
static int read_capacity(struct sdb_sd *sd)
{
    uint8_t csd[16];
    uint8_t r1 = command(sd, CMD_SEND_CSD, 0);
    if (r1 != 0)
        return fail(sd, SDB_SD_FAIL_CSD, SDB_BD_EIO);
    if (receive_block(sd, csd, sizeof csd) != SDB_OK)
        return SDB_BD_EIO;
    /* Sectors, in 32 bits: (C_SIZE + 1) << (C_SIZE_MULT + 2 + READ_BL_LEN)
     * bytes for 1.0, (C_SIZE + 1) * 512 KiB for 2.0 (which wraps to 0 only
     * for a card of 2 TiB, past what a 32-bit sector count can address). */
    uint32_t sectors = 0;
    switch (csd[0] >> 6) {
    case 0: {
        unsigned read_bl_len = csd[5] & 0x0F;
        uint32_t c_size = (uint32_t)(csd[6] & 3) << 10 | (uint32_t)csd[7] << 2 | csd[8] >> 6;
        unsigned shift = ((unsigned)(csd[9] & 3) << 1 | csd[10] >> 7) + 2 + read_bl_len;
        sectors = shift >= 9 ? (c_size + 1) << (shift - 9) : (c_size + 1) >> (9 - shift);
        break;
    }
    case 1:
        sectors = ((uint32_t)(csd[7] & 0x3F) << 16 | (uint32_t)csd[8] << 8 | csd[9]) + 1;
        sectors <<= 10;
        break;
    }
    if (sectors == 0)
        return fail(sd, SDB_SD_FAIL_CSD, SDB_BD_EIO); /* not understood, or under a sector */
    sd->bd.sector_count = sectors;
    return SDB_OK;
}

static int bring_up(struct sdb_sd *sd)
{
    int err = go_idle(sd);
    if (!err)
        err = check_voltage(sd);
    if (!err) /* ask for CRC checking; a card that refuses works without */
        sd->crc_on = (command(sd, CMD_CRC_ON_OFF, 1) & ~R1_IDLE) == 0;
    if (!err)
        err = leave_idle(sd);
    if (!err)
        err = read_ocr(sd);
    if (!err)
        err = read_capacity(sd);
    if (!err && !sd->sdhc && command(sd, CMD_SET_BLOCKLEN, SDB_SECTOR_SIZE) != 0)
        err = fail(sd, SDB_SD_FAIL_R1, SDB_BD_EIO);
    return err;
}

int sdb_sd_open(struct sdb_sd *sd, const struct sdb_spi_bus *bus)
{
    memset(sd, 0, offsetof(struct sdb_sd, cut_after_writes)); /* the test hook stays */
    sd->bus = *bus;
    sd->bd.ops = &sd_ops;
    int err = bring_up(sd);
    end(sd);
    if (err)
        sd->bd.sector_count = 0;
    return err;
}

const char *sdb_sd_fail_name(enum sdb_sd_fail f)
{
    /* In the order of enum sdb_sd_fail (sd_spi.h), each ended by its NUL,
     * "unknown" last with a second one: no table of pointers. */
    static const char names[] = "none\0"
                                "no card (CMD0 unanswered)\0"
                                "card refused the voltage (CMD8/OCR)\0"
                                "card never left idle (ACMD41)\0"
                                "OCR unreadable or power-up unfinished (CMD58)\0"
                                "capacity unreadable (CMD9)\0"
                                "card stopped answering\0"
                                "command refused by the card\0"
                                "no data token (read timeout or error token)\0"
                                "data CRC16 wrong after retries\0"
                                "written block not accepted\0"
                                "card stayed busy\0"
                                "unknown\0";
    const char *p = names;
    for (unsigned i = (unsigned)f; i && p[strlen(p) + 1]; i--)
        p += strlen(p) + 1;
    return p;
}
