#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "release_io.h"
#include "sdboot/fileio.h"
#include "sdboot/hash.h"
#include "sdboot/limits.h"
#include "sdboot/tar.h"

int release_file_scan(const char *path, struct release_file_info *info)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return errno == ENOENT ? SDB_FIO_ENOENT : SDB_FIO_EIO;
    static uint64_t names[SDB_LIMIT_ENTRIES]; /* more entries: SDB_TAR_ETOOMANY */
    static uint8_t arena[SDB_TAR_GZIP_ARENA];
    static struct sdb_tar tar;
    sdb_tar_init(&tar, NULL, NULL, names, SDB_LIMIT_ENTRIES, arena, sizeof arena);
    struct sdb_sha1 s1;
    struct sdb_sha256 s256;
    sdb_sha1_init(&s1);
    sdb_sha256_init(&s256);
    static uint8_t buf[65536];
    size_t n;
    int tar_err = SDB_OK;
    memset(info, 0, sizeof *info);
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
        sdb_sha1_update(&s1, buf, n);
        sdb_sha256_update(&s256, buf, n);
        info->size += n;
        if (!tar_err)
            tar_err = sdb_tar_feed(&tar, buf, n);
    }
    int io_err = ferror(f) ? SDB_FIO_EIO : SDB_OK;
    fclose(f);
    sdb_sha1_finish(&s1, info->sha1);
    sdb_sha256_finish(&s256, info->sha256);
    if (!tar_err)
        tar_err = sdb_tar_finish(&tar);
    info->entries = tar.entries;
    return io_err ? io_err : tar_err;
}

int release_file_matches(const struct release_file_info *info, const struct sdb_manifest_entry *e)
{
    if (e->has_size && e->size != info->size)
        return SDB_SIZE_EMISMATCH;
    if (memcmp(e->sha1, info->sha1, 20) || (e->has_sha256 && memcmp(e->sha256, info->sha256, 32)))
        return SDB_HASH_EMISMATCH;
    if (e->has_entries && e->entries != info->entries)
        return SDB_ENTRIES_EMISMATCH;
    return SDB_OK;
}

int release_dir_load(const char *dir, uint8_t **manifest, size_t *manifest_len, uint8_t **sig,
                     size_t *sig_len)
{
    char path[4096];
    *sig = NULL;
    *sig_len = 0;
    snprintf(path, sizeof path, "%s/versions", dir);
    if (cli_read_file(path, SDB_MANIFEST_MAX, manifest, manifest_len))
        return errno == EFBIG ? SDB_MF_ETOOBIG : errno == ENOENT ? SDB_FIO_ENOENT : SDB_FIO_EIO;
    snprintf(path, sizeof path, "%s/versions.sig", dir);
    if (cli_read_file(path, 4096, sig, sig_len) && errno != ENOENT) {
        free(*manifest);
        return SDB_FIO_EIO;
    }
    return SDB_OK;
}
