/* Helpers shared by the FAT tests: a formatted RAM card and small file helpers. */
#ifndef SDB_FAT_TEST_UTIL_H
#define SDB_FAT_TEST_UTIL_H

#include <stdlib.h>
#include <string.h>
#include "sdboot/bd_ram.h"
#include "sdboot/fat.h"

struct ram_card {
    uint8_t *mem;
    size_t bytes;
    struct sdb_bd_ram ram;
    struct sdb_fat_vol vol;
};

static inline int ram_card_format(struct ram_card *c, size_t bytes, uint8_t fat_type)
{
    c->mem = calloc(1, bytes);
    c->bytes = bytes;
    sdb_bd_ram_init(&c->ram, c->mem, (uint32_t)(bytes / SDB_SECTOR_SIZE));
    struct sdb_mkfs_opts o = {.type = fat_type, .volume_id = 1};
    int err = sdb_fat_mkfs(&c->ram.bd, &o);
    return err ? err : sdb_fat_mount(&c->vol, &c->ram.bd, false);
}

static inline void ram_card_free(struct ram_card *c)
{
    free(c->mem);
    c->mem = NULL;
}

static inline int put_file(struct sdb_fat_vol *vol, const char *path, const void *data,
                           uint32_t len)
{
    struct sdb_fat_file f;
    int err = sdb_fat_open(vol, &f, path, SDB_FAT_WRITE | SDB_FAT_CREATE | SDB_FAT_TRUNC);
    if (err)
        return err;
    err = sdb_fat_write(&f, data, len);
    int cerr = sdb_fat_close(&f);
    return err ? err : cerr;
}

/* Reads a whole file into buf (cap bytes); *len its size. */
static inline int get_file(struct sdb_fat_vol *vol, const char *path, void *buf, uint32_t cap,
                           uint32_t *len)
{
    struct sdb_fat_file f;
    int err = sdb_fat_open(vol, &f, path, SDB_FAT_READ);
    if (err)
        return err;
    err = sdb_fat_read(&f, buf, cap, len);
    sdb_fat_close(&f);
    return err;
}

#endif
