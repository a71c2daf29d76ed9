/*
 * SD card over SPI as an sdboot block device (sdb_bd_t).
 *
 * Protocol (SD Physical Layer, SPI mode): 80 idle clocks, CMD0 until the card
 * answers "idle", CMD8 (0x1AA) to tell v2 cards from v1, CMD59 to switch
 * command/data CRC on, ACMD41 (with HCS on v2 cards) until the card leaves
 * idle, CMD58 for the OCR (power-up done; CCS = SDHC block addressing,
 * otherwise SDSC byte addressing), CMD9 for the capacity, CMD16 (512) on SDSC.
 * Reads: CMD17 for one sector, CMD18 + CMD12 for several. Writes: CMD24 for
 * one sector, CMD25 + stop token for several. Every command carries its CRC7
 * and every data block its CRC16; a read block whose CRC16 does not match is
 * read again (SDB_SD_RETRIES times) before the read fails.
 *
 * Timeouts are counted in bytes clocked on the bus, not in time: the driver
 * needs no timer, and a card that stops answering (the bus reads 0xFF, or a
 * busy card never lets go) fails in bounded time with SDB_BD_EIO, or
 * SDB_BD_ENOMEDIUM when no card ever answered CMD0. The reason is kept in
 * `fail` (sdb_sd_fail_name() names it) for the console.
 *
 * The bus is reached through struct sdb_spi_bus (select, exchange bytes), so
 * the protocol compiles and is tested on the host against a simulated card.
 *
 * Power loss: a sector is on the card once its data-response token said
 * "accepted" and the card released busy; write() returns only then. A cut in
 * a multi-sector write leaves a prefix of its sectors written.
 *
 * RAM: struct sdb_sd is about 140 bytes; stack under 100 bytes (no buffer:
 * data moves between the bus and the caller's buffer directly).
 * Ownership: the caller owns struct sdb_sd and the bus; no allocation.
 */
#ifndef SDB_SD_SPI_H
#define SDB_SD_SPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "sdboot/blockdev.h"

#ifndef SDB_SD_RETRIES
#define SDB_SD_RETRIES 3 /* attempts per command or block before failing */
#endif

struct sdb_spi_bus {
    void (*select)(void *ctx, bool selected); /* chip select, active = true */
    /* Clock n bytes: send tx (0xFF each when NULL), store what comes back
     * in rx (discarded when NULL). */
    void (*xfer)(void *ctx, const uint8_t *tx, uint8_t *rx, size_t n);
    void *ctx;
};

/* Why the card was refused or an operation failed (kept after an error). */
enum sdb_sd_fail {
    SDB_SD_FAIL_NONE = 0,
    SDB_SD_FAIL_NO_IDLE,      /* nothing answered CMD0: no card */
    SDB_SD_FAIL_VOLTAGE,      /* CMD8 echo or voltage range wrong */
    SDB_SD_FAIL_INIT_TIMEOUT, /* ACMD41 never left idle */
    SDB_SD_FAIL_OCR,          /* CMD58 failed or power-up never finished */
    SDB_SD_FAIL_CSD,          /* CMD9 failed or the CSD is not understood */
    SDB_SD_FAIL_NO_RESPONSE,  /* a command got no R1 (card stopped answering) */
    SDB_SD_FAIL_R1,           /* a command was answered with an error bit */
    SDB_SD_FAIL_TOKEN,        /* no start token before a data block, or an error token */
    SDB_SD_FAIL_CRC,          /* a read block's CRC16 stayed wrong after retries */
    SDB_SD_FAIL_WRITE_REJECT, /* the card did not accept a written block */
    SDB_SD_FAIL_BUSY,         /* the card stayed busy past the timeout */
};

/* Bus traffic, counted by the driver (the block device counts sectors too). */
struct sdb_sd_stats {
    uint32_t commands;       /* command frames sent (ACMD = CMD55 + CMDn = 2) */
    uint32_t blocks_read;    /* data blocks received, CRC good */
    uint32_t blocks_written; /* data blocks accepted */
    uint32_t crc_errors;     /* data blocks read again for a bad CRC16 */
    uint32_t retries;        /* commands sent again */
    uint32_t bytes;          /* bytes clocked (cost of the SPI link) */
};

struct sdb_sd {
    sdb_bd_t bd; /* first: the engine sees a sdb_bd_t * */
    struct sdb_spi_bus bus;
    bool sdhc;    /* block addressing (CCS); SDSC is byte addressed */
    bool v2;      /* answered CMD8 */
    bool crc_on;  /* CMD59 accepted */
    uint8_t fail; /* enum sdb_sd_fail */
    struct sdb_sd_stats stats;
    /* Test hook, kept by sdb_sd_open() (it stays last): when non-zero, the
     * driver stops dead after this many more sectors written (a power cut
     * at an exact point); see run(). */
    uint32_t cut_after_writes;
    void (*cut)(void *ctx);
    void *cut_ctx;
};

/* Bring the card up. SDB_OK, SDB_BD_ENOMEDIUM (no card) or SDB_BD_EIO. */
int sdb_sd_open(struct sdb_sd *sd, const struct sdb_spi_bus *bus);
const char *sdb_sd_fail_name(enum sdb_sd_fail f);

/* CRCs of the SD protocol (exposed for the tests). */
uint8_t sdb_sd_crc7(const uint8_t *p, size_t n);
uint16_t sdb_sd_crc16(const uint8_t *p, size_t n);

#endif
