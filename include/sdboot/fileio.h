/*
 * File interface for the application side (OTA staging, confirm).
 *
 * While the application runs, the card belongs to the platform's file system
 * (MicroPython's VfsFat, ESP-IDF's esp_vfs_fat, or our own FAT driver in the host
 * simulator). The OTA client never touches sectors: it writes its staging files
 * only through this table, which each port implements. Paths are absolute,
 * '/'-separated, relative to the card root ("/.sdboot/staging/release.part").
 *
 * Every function returns SDB_OK or a negative code (the implementation's own or
 * one of SDB_FIO_*). `ctx` is the port's, passed back unchanged.
 * On power loss: a file being written may hold any prefix of what was written
 * since its last successful close/sync; renames are not assumed atomic.
 */
#ifndef SDBOOT_FILEIO_H
#define SDBOOT_FILEIO_H

#include <stddef.h>
#include <stdint.h>
#include "sdboot/error.h"

/* Port-range codes shared by every fileio implementation. */
enum sdb_fio_err {
    SDB_FIO_ENOENT = -384, /* no such file or directory */
    SDB_FIO_EIO = -385,    /* the file system reported an error */
    SDB_FIO_ENOSPC = -386, /* card full */
    SDB_FIO_EEXIST = -387, /* exists already */
};

enum sdb_fio_mode {
    SDB_FIO_READ = 1,   /* existing file, read only */
    SDB_FIO_CREATE = 2, /* create or truncate, write only */
    SDB_FIO_APPEND = 3, /* create if missing, write at the end */
    SDB_FIO_UPDATE = 4, /* existing file, read/write from offset 0, no truncation */
};

typedef struct sdb_fileio {
    void *ctx;
    int (*open)(void *ctx, const char *path, enum sdb_fio_mode mode, void **file);
    /* *got < n only at end of file. */
    int (*read)(void *ctx, void *file, void *buf, size_t n, size_t *got);
    int (*write)(void *ctx, void *file, const void *buf, size_t n);
    int (*seek)(void *ctx, void *file, uint64_t offset);
    int (*close)(void *ctx, void *file);                      /* flushes data and directory entry */
    int (*size)(void *ctx, const char *path, uint64_t *size); /* SDB_FIO_ENOENT if missing */
    int (*remove)(void *ctx, const char *path);               /* SDB_OK if already gone */
    int (*rename)(void *ctx, const char *from, const char *to); /* replaces `to` */
    int (*mkdir)(void *ctx, const char *path);                  /* SDB_OK if it exists */
    /* Optional (NULL: unknown, staging then cannot refuse a release that does
     * not fit before writing it): free bytes on the card and its allocation
     * unit (cluster) in bytes. */
    int (*space)(void *ctx, uint64_t *free_bytes, uint32_t *unit_bytes);
} sdb_fileio_t;

#endif
