/*
 * RAM block device: sectors in a caller-owned buffer (tests, benchmarks, and
 * devices that stage in PSRAM). Writes are immediate and never torn; sync does
 * nothing. RAM: sizeof(struct sdb_bd_ram) plus the caller's buffer.
 */
#ifndef SDBOOT_BD_RAM_H
#define SDBOOT_BD_RAM_H

#include "sdboot/blockdev.h"

struct sdb_bd_ram {
    sdb_bd_t bd; /* first: pass &ram.bd to every layer */
    uint8_t *mem;
};

/* mem must hold sectors * SDB_SECTOR_SIZE bytes and outlive the device. */
void sdb_bd_ram_init(struct sdb_bd_ram *ram, void *mem, uint32_t sectors);

#endif
