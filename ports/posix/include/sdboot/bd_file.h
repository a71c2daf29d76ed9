/*
 * File-backed block device (host port): an SD-card image file.
 * sync = fsync. Owns one file descriptor, closed by sdb_bd_file_close.
 */
#ifndef SDBOOT_BD_FILE_H
#define SDBOOT_BD_FILE_H

#include <stdbool.h>
#include "sdboot/blockdev.h"

enum sdb_bd_file_err {
    SDB_BD_FILE_EOPEN = -388,   /* the image file cannot be opened */
    SDB_BD_FILE_ESIZE = -389,   /* the image is not a whole number of sectors, or empty */
    SDB_BD_FILE_ECREATE = -390, /* the image file cannot be created or sized */
};

struct sdb_bd_file {
    sdb_bd_t bd; /* first */
    int fd;
};

/* Open an existing image. */
int sdb_bd_file_open(struct sdb_bd_file *f, const char *path, bool read_only);
/* Create (or truncate) an image of `bytes` (a multiple of 512), filled with zeros. */
int sdb_bd_file_create(struct sdb_bd_file *f, const char *path, uint64_t bytes);
int sdb_bd_file_close(struct sdb_bd_file *f);
/* Message for an SDB_BD_FILE_* code, NULL for any other: the host registers it
 * with sdb_strerror_set_port() so sdb_strerror() names these codes too. */
const char *sdb_bd_file_strerror(int err);

#endif
