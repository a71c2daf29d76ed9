/*
 * sdb_fileio_t over sdboot's own FAT driver: what the host simulator's
 * "application" writes through (on a device it is VfsFat or esp_vfs_fat).
 * Up to SDB_FIO_FAT_FILES files open at once; FAT's ENOENT is reported as
 * SDB_FIO_ENOENT, other errors pass through with their own codes.
 */
#ifndef SDBOOT_FIO_FAT_H
#define SDBOOT_FIO_FAT_H

#include "sdboot/fat.h"
#include "sdboot/fileio.h"

#define SDB_FIO_FAT_FILES                                                                          \
    8 /* a delta download holds 7: each index twice, two archives, .part re-read */

struct sdb_fio_fat {
    struct sdb_fat_vol *vol;
    struct sdb_fat_file files[SDB_FIO_FAT_FILES];
    bool used[SDB_FIO_FAT_FILES];
    sdb_fileio_t fio;
};

/* Fills h->fio; the volume must stay mounted while it is used. */
void sdb_fio_fat_init(struct sdb_fio_fat *h, struct sdb_fat_vol *vol);

#endif
