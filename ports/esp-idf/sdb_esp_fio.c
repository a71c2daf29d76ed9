/* sdb_fileio_t on POSIX files (newlib over esp_vfs_fat on the device). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "sdboot_esp_fio.h"

#define PATH_LEN 160

static int code_of_errno(void)
{
    switch (errno) {
    case ENOENT:
        return SDB_FIO_ENOENT;
    case EEXIST:
        return SDB_FIO_EEXIST;
    case ENOSPC:
        return SDB_FIO_ENOSPC;
    default:
        return SDB_FIO_EIO;
    }
}

static int full_path(void *ctx, const char *path, char out[PATH_LEN])
{
    const struct sdb_esp_fio *f = ctx;
    int n = snprintf(out, PATH_LEN, "%s%s", f->root, path);
    return n < 0 || n >= PATH_LEN ? SDB_E_BUFSIZE : SDB_OK;
}

static int fio_open(void *ctx, const char *path, enum sdb_fio_mode mode, void **file)
{
    static const char *const modes[] = {"", "rb", "wb", "ab", "r+b"};
    char p[PATH_LEN];
    if (mode < SDB_FIO_READ || mode > SDB_FIO_UPDATE)
        return SDB_E_INVAL;
    int err = full_path(ctx, path, p);
    if (err)
        return err;
    FILE *fp = fopen(p, modes[mode]);
    if (!fp)
        return code_of_errno();
    *file = fp;
    return SDB_OK;
}

static int fio_read(void *ctx, void *file, void *buf, size_t n, size_t *got)
{
    (void)ctx;
    *got = fread(buf, 1, n, file);
    return *got < n && ferror((FILE *)file) ? SDB_FIO_EIO : SDB_OK;
}

static int fio_write(void *ctx, void *file, const void *buf, size_t n)
{
    (void)ctx;
    if (fwrite(buf, 1, n, file) == n)
        return SDB_OK;
    return errno == ENOSPC ? SDB_FIO_ENOSPC : SDB_FIO_EIO;
}

static int fio_seek(void *ctx, void *file, uint64_t offset)
{
    (void)ctx;
    if (offset > (uint64_t)LONG_MAX)
        return SDB_E_INVAL;
    return fseek(file, (long)offset, SEEK_SET) ? SDB_FIO_EIO : SDB_OK;
}

static int fio_close(void *ctx, void *file)
{
    (void)ctx;
    FILE *fp = file;
    /* fsync makes FatFs write the directory entry, not only the data */
    int err = fflush(fp) || fsync(fileno(fp)) ? SDB_FIO_EIO : SDB_OK;
    if (fclose(fp) && !err)
        err = code_of_errno();
    return err;
}

static int fio_size(void *ctx, const char *path, uint64_t *size)
{
    char p[PATH_LEN];
    struct stat st;
    int err = full_path(ctx, path, p);
    if (err)
        return err;
    if (stat(p, &st))
        return code_of_errno();
    *size = (uint64_t)st.st_size;
    return SDB_OK;
}

static int fio_remove(void *ctx, const char *path)
{
    char p[PATH_LEN];
    int err = full_path(ctx, path, p);
    if (err)
        return err;
    if (unlink(p) && errno != ENOENT)
        return code_of_errno();
    return SDB_OK;
}

static int fio_rename(void *ctx, const char *from, const char *to)
{
    char a[PATH_LEN], b[PATH_LEN];
    int err = full_path(ctx, from, a);
    if (!err)
        err = full_path(ctx, to, b);
    if (!err)
        err = fio_remove(ctx, to); /* FatFs does not rename over a file */
    if (err)
        return err;
    return rename(a, b) ? code_of_errno() : SDB_OK;
}

static int fio_mkdir(void *ctx, const char *path)
{
    char p[PATH_LEN];
    int err = full_path(ctx, path, p);
    if (err)
        return err;
    if (mkdir(p, 0775) && errno != EEXIST)
        return code_of_errno();
    return SDB_OK;
}

int sdb_esp_fio_init(struct sdb_esp_fio *f, const char *root)
{
    size_t n = strlen(root);
    while (n > 0 && root[n - 1] == '/')
        n--; /* "/" becomes "" so core paths stay single-slashed */
    if (n >= sizeof f->root)
        return SDB_E_INVAL;
    memcpy(f->root, root, n);
    f->root[n] = '\0';
    f->fio = (sdb_fileio_t){
        .ctx = f,
        .open = fio_open,
        .read = fio_read,
        .write = fio_write,
        .seek = fio_seek,
        .close = fio_close,
        .size = fio_size,
        .remove = fio_remove,
        .rename = fio_rename,
        .mkdir = fio_mkdir,
    };
    return SDB_OK;
}
