/*
 * Block device interface: 512-byte sectors in, sectors out.
 *
 * This is the only way the core touches storage. A port implements the three
 * operations for its hardware (SDMMC/SPI on a device, a file on the host, RAM in
 * tests); everything above (FAT, boot engine) works on a `sdb_bd_t *`.
 *
 * Contract for implementations:
 *  - read/write move `count` whole sectors starting at `lba`. The caller has
 *    already checked the range (sdb_bd_read/sdb_bd_write do it), so an
 *    implementation only reports real failures.
 *  - A write that returned SDB_OK may still sit in a volatile cache until sync
 *    returns SDB_OK (an SD card's write cache). Power lost before that may lose
 *    any subset of those writes; software above must order its syncs accordingly.
 *  - A single-sector write is the unit of atomicity the core relies on only when
 *    the device guarantees it; the fault-injecting device can tear a sector to
 *    check that nothing depends on it by accident.
 *  - After SDB_BD_EPOWER the device is gone: every later call fails the same way.
 *
 * Ownership: the caller owns the sdb_bd_t and the implementation state it embeds
 * (implementations put `sdb_bd_t` first in their own struct). No allocation.
 *
 * RAM: sizeof(sdb_bd_t) is 64 bytes on a 32-bit MCU; no stack beyond the caller's buffer.
 */
#ifndef SDBOOT_BLOCKDEV_H
#define SDBOOT_BLOCKDEV_H

#include <stdint.h>
#include "sdboot/error.h"

#define SDB_SECTOR_SIZE 512u

enum sdb_bd_err {
    SDB_BD_EIO = -16,       /* the medium reported a read or write error */
    SDB_BD_ENOMEDIUM = -17, /* no card in the slot, or it does not answer */
    SDB_BD_EROFS = -18,     /* the card is write-protected */
    SDB_BD_ERANGE = -19,    /* sector range past the end of the device */
    SDB_BD_EPOWER = -20,    /* (simulation) power was cut; the device is dead */
};

typedef struct sdb_bd sdb_bd_t;

struct sdb_bd_ops {
    int (*read)(sdb_bd_t *bd, uint32_t lba, uint32_t count, void *buf);
    int (*write)(sdb_bd_t *bd, uint32_t lba, uint32_t count, const void *buf);
    int (*sync)(sdb_bd_t *bd); /* may be NULL: nothing to flush */
};

/* Traffic counters, kept by sdb_bd_read/sdb_bd_write/sdb_bd_sync for every device. */
struct sdb_bd_stats {
    uint64_t sectors_read;
    uint64_t sectors_written;
    uint64_t read_ops;
    uint64_t write_ops;
    uint64_t syncs;
};

struct sdb_bd {
    const struct sdb_bd_ops *ops;
    uint32_t sector_count;
    struct sdb_bd_stats stats;
};

/* Range-checked, counted access. These are what every layer calls. */
int sdb_bd_read(sdb_bd_t *bd, uint32_t lba, uint32_t count, void *buf);
int sdb_bd_write(sdb_bd_t *bd, uint32_t lba, uint32_t count, const void *buf);
int sdb_bd_sync(sdb_bd_t *bd);
void sdb_bd_reset_stats(sdb_bd_t *bd);

#endif
