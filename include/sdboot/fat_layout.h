/*
 * On-card FAT structures shared by the driver, mkfs, check and the host's
 * image tool: the boot-sector signature, the MBR partition table and the
 * FAT32 FSInfo sector (Microsoft's FAT specification). Constants and
 * read-only checks only; no RAM, no I/O.
 */
#ifndef SDBOOT_FAT_LAYOUT_H
#define SDBOOT_FAT_LAYOUT_H

#include <stdbool.h>
#include <stdint.h>
#include "sdboot/bytes.h"

/* Boot sector and MBR: 0x55 0xAA in the last two bytes. */
#define SDB_BOOT_SIG_AT 510

/* MBR: four 16-byte partition entries from byte 446. */
#define SDB_MBR_TABLE_AT 446
#define SDB_MBR_ENTRY_SIZE 16
#define SDB_MBR_DISK_SIG_AT 440
#define SDB_MBR_E_STATUS 0 /* 0x80 bootable, 0x00 not */
#define SDB_MBR_E_TYPE 4
#define SDB_MBR_E_LBA 8
#define SDB_MBR_E_SECTORS 12

/* FAT32 FSInfo sector. */
#define SDB_FSINFO_LEAD_SIG 0x41615252u /* at 0 */
#define SDB_FSINFO_STRUC_SIG 0x61417272u
#define SDB_FSINFO_STRUC_AT 484
#define SDB_FSINFO_FREE_AT 488 /* free cluster count, 0xFFFFFFFF = unknown */
#define SDB_FSINFO_NEXT_AT 492 /* next free cluster hint */
#define SDB_FSINFO_TRAIL_SIG 0xAA550000u
#define SDB_FSINFO_TRAIL_AT 508

/* A FAT partition type in an MBR entry (FAT12, FAT16 <32M, FAT16, FAT32
 * CHS/LBA, FAT16 LBA). */
static inline bool sdb_mbr_fat_type(uint8_t t)
{
    return t == 0x01 || t == 0x04 || t == 0x06 || t == 0x0B || t == 0x0C || t == 0x0E;
}

static inline bool sdb_has_boot_sig(const uint8_t *sector)
{
    return sector[SDB_BOOT_SIG_AT] == 0x55 && sector[SDB_BOOT_SIG_AT + 1] == 0xAA;
}

static inline void sdb_put_boot_sig(uint8_t *sector)
{
    sector[SDB_BOOT_SIG_AT] = 0x55;
    sector[SDB_BOOT_SIG_AT + 1] = 0xAA;
}

/* Both FSInfo signatures the driver relies on (the trailing one is not checked:
 * some formatters leave it out). */
static inline bool sdb_fsinfo_valid(const uint8_t *sector)
{
    return sdb_get_le32(sector) == SDB_FSINFO_LEAD_SIG &&
           sdb_get_le32(sector + SDB_FSINFO_STRUC_AT) == SDB_FSINFO_STRUC_SIG;
}

#endif
