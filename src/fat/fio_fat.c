/* sdb_fileio_t on the FAT driver (see fio_fat.h). */
#include <string.h>
#include "sdboot/fio_fat.h"

static int map(int err)
{
    return err == SDB_FAT_ENOENT ? SDB_FIO_ENOENT : err == SDB_FAT_ENOSPC ? SDB_FIO_ENOSPC : err;
}

static int fio_open(void *ctx, const char *path, enum sdb_fio_mode mode, void **file)
{
    struct sdb_fio_fat *h = ctx;
    static const unsigned flags[] = {
        [SDB_FIO_READ] = SDB_FAT_READ,
        [SDB_FIO_CREATE] = SDB_FAT_WRITE | SDB_FAT_CREATE | SDB_FAT_TRUNC,
        [SDB_FIO_APPEND] = SDB_FAT_WRITE | SDB_FAT_CREATE | SDB_FAT_APPEND,
        [SDB_FIO_UPDATE] = SDB_FAT_READ | SDB_FAT_WRITE,
    };
    if (mode < SDB_FIO_READ || mode > SDB_FIO_UPDATE)
        return SDB_E_INVAL;
    for (int i = 0; i < SDB_FIO_FAT_FILES; i++) {
        if (h->used[i])
            continue;
        int err = sdb_fat_open(h->vol, &h->files[i], path, flags[mode]);
        if (err)
            return map(err);
        h->used[i] = true;
        *file = &h->files[i];
        return SDB_OK;
    }
    return SDB_E_BUFSIZE;
}

static int fio_read(void *ctx, void *file, void *buf, size_t n, size_t *got)
{
    (void)ctx;
    uint32_t g = 0;
    int err = sdb_fat_read(file, buf, n > UINT32_MAX ? UINT32_MAX : (uint32_t)n, &g);
    *got = g;
    return map(err);
}

static int fio_write(void *ctx, void *file, const void *buf, size_t n)
{
    (void)ctx;
    return map(sdb_fat_write(file, buf, (uint32_t)n));
}

static int fio_seek(void *ctx, void *file, uint64_t offset)
{
    (void)ctx;
    return offset > UINT32_MAX ? SDB_E_INVAL : map(sdb_fat_seek(file, (uint32_t)offset));
}

static int fio_close(void *ctx, void *file)
{
    struct sdb_fio_fat *h = ctx;
    int err = sdb_fat_close(file);
    h->used[(struct sdb_fat_file *)file - h->files] = false;
    if (err == SDB_OK)
        err = sdb_fat_sync(h->vol);
    return map(err);
}

static int fio_size(void *ctx, const char *path, uint64_t *size)
{
    struct sdb_fio_fat *h = ctx;
    struct sdb_fat_stat st;
    int err = sdb_fat_stat(h->vol, path, &st);
    if (err == SDB_OK)
        *size = st.size;
    return map(err);
}

static int fio_remove(void *ctx, const char *path)
{
    struct sdb_fio_fat *h = ctx;
    int err = sdb_fat_unlink(h->vol, path);
    return err == SDB_FAT_ENOENT ? SDB_OK : map(err);
}

static int fio_rename(void *ctx, const char *from, const char *to)
{
    struct sdb_fio_fat *h = ctx;
    int err = sdb_fat_rename(h->vol, from, to, true);
    return map(err ? err : sdb_fat_sync(h->vol));
}

static int fio_space(void *ctx, uint64_t *free_bytes, uint32_t *unit_bytes)
{
    struct sdb_fio_fat *h = ctx;
    uint32_t n;
    int err = sdb_fat_free_clusters(h->vol, &n);
    if (err)
        return map(err);
    *unit_bytes = sdb_fat_cluster_bytes(h->vol);
    *free_bytes = (uint64_t)n * *unit_bytes;
    return SDB_OK;
}

static int fio_mkdir(void *ctx, const char *path)
{
    struct sdb_fio_fat *h = ctx;
    int err = sdb_fat_mkdir(h->vol, path);
    return err == SDB_FAT_EEXIST ? SDB_OK : map(err);
}

void sdb_fio_fat_init(struct sdb_fio_fat *h, struct sdb_fat_vol *vol)
{
    memset(h, 0, sizeof *h);
    h->vol = vol;
    h->fio = (sdb_fileio_t){h,        fio_open,   fio_read,   fio_write, fio_seek, fio_close,
                            fio_size, fio_remove, fio_rename, fio_mkdir, fio_space};
}
