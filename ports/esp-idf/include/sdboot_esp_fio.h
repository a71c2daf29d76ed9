/*
 * sdb_fileio_t on the POSIX files newlib gives over esp_vfs_fat: the
 * application side writes the card only through the mounted file system.
 * `root` is the mount point ("/sdcard"); paths from the core are appended.
 */
#ifndef SDBOOT_ESP_FIO_H
#define SDBOOT_ESP_FIO_H

#include "sdboot/fileio.h"

#define SDB_ESP_ROOT_MAX 32

struct sdb_esp_fio {
    sdb_fileio_t fio;
    char root[SDB_ESP_ROOT_MAX];
};

/* SDB_OK, or SDB_E_INVAL when root is longer than SDB_ESP_ROOT_MAX - 1. */
int sdb_esp_fio_init(struct sdb_esp_fio *f, const char *root);

#endif
