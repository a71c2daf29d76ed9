/* File-backed block device (see bd_file.h). */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include "sdboot/bd_file.h"

static int file_read(sdb_bd_t *bd, uint32_t lba, uint32_t count, void *buf)
{
    struct sdb_bd_file *f = (struct sdb_bd_file *)bd;
    size_t want = (size_t)count * SDB_SECTOR_SIZE;
    ssize_t got = pread(f->fd, buf, want, (off_t)lba * SDB_SECTOR_SIZE);
    return got == (ssize_t)want ? SDB_OK : SDB_BD_EIO;
}

static int file_write(sdb_bd_t *bd, uint32_t lba, uint32_t count, const void *buf)
{
    struct sdb_bd_file *f = (struct sdb_bd_file *)bd;
    size_t want = (size_t)count * SDB_SECTOR_SIZE;
    ssize_t put = pwrite(f->fd, buf, want, (off_t)lba * SDB_SECTOR_SIZE);
    if (put < 0 && errno == EBADF)
        return SDB_BD_EROFS;
    return put == (ssize_t)want ? SDB_OK : SDB_BD_EIO;
}

static int file_sync(sdb_bd_t *bd)
{
    struct sdb_bd_file *f = (struct sdb_bd_file *)bd;
    return fsync(f->fd) == 0 || errno == EINVAL || errno == EBADF ? SDB_OK : SDB_BD_EIO;
}

static const struct sdb_bd_ops file_ops = {file_read, file_write, file_sync};

static int attach(struct sdb_bd_file *f, int fd)
{
    struct stat st;
    if (fstat(fd, &st) != 0 || st.st_size <= 0 || st.st_size % SDB_SECTOR_SIZE ||
        st.st_size / SDB_SECTOR_SIZE > UINT32_MAX) {
        close(fd);
        return SDB_BD_FILE_ESIZE;
    }
    *f = (struct sdb_bd_file){.fd = fd};
    f->bd.ops = &file_ops;
    f->bd.sector_count = (uint32_t)(st.st_size / SDB_SECTOR_SIZE);
    return SDB_OK;
}

int sdb_bd_file_open(struct sdb_bd_file *f, const char *path, bool read_only)
{
    int fd = open(path, read_only ? O_RDONLY : O_RDWR);
    if (fd < 0)
        return SDB_BD_FILE_EOPEN;
    return attach(f, fd);
}

int sdb_bd_file_create(struct sdb_bd_file *f, const char *path, uint64_t bytes)
{
    if (bytes == 0 || bytes % SDB_SECTOR_SIZE || bytes / SDB_SECTOR_SIZE > UINT32_MAX)
        return SDB_BD_FILE_ESIZE;
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return SDB_BD_FILE_ECREATE;
    if (ftruncate(fd, (off_t)bytes) != 0) {
        close(fd);
        return SDB_BD_FILE_ECREATE;
    }
    return attach(f, fd);
}

int sdb_bd_file_close(struct sdb_bd_file *f)
{
    if (f->fd < 0)
        return SDB_OK;
    int err = fsync(f->fd) == 0 || errno == EINVAL || errno == EBADF ? SDB_OK : SDB_BD_EIO;
    if (close(f->fd) != 0 && err == SDB_OK)
        err = SDB_BD_EIO;
    f->fd = -1;
    return err;
}

const char *sdb_bd_file_strerror(int err)
{
    switch (err) {
    case SDB_BD_FILE_EOPEN:
        return "cannot open the card image";
    case SDB_BD_FILE_ESIZE:
        return "card image size is not a positive multiple of 512 bytes";
    case SDB_BD_FILE_ECREATE:
        return "cannot create the card image";
    default:
        return NULL;
    }
}
