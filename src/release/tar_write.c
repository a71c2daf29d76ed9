/*
 * Deterministic tar writer for `sdboot pack`: GNU format headers ("ustar  "),
 * uid/gid 0, the caller's mtime, a GNU long-name entry for paths over 100
 * bytes, ending with two zero blocks padded to a 10240-byte record as GNU tar.
 */
#include <stdio.h>
#include <string.h>
#include "sdboot/tar.h"

static int emit(struct sdb_tar_writer *w, const void *data, size_t len)
{
    int err = w->out(w->ctx, data, len);
    if (err == SDB_OK)
        w->written += len;
    return err;
}

static int pad_to_block(struct sdb_tar_writer *w)
{
    static const uint8_t zeros[512];
    size_t rest = (512 - w->written % 512) % 512;
    return rest ? emit(w, zeros, rest) : SDB_OK;
}

static void octal(uint8_t *field, size_t len, uint64_t v)
{
    char tmp[24];
    snprintf(tmp, sizeof tmp, "%0*llo", (int)(len - 1), (unsigned long long)v);
    memcpy(field, tmp, len - 1);
    field[len - 1] = '\0';
}

static int block(struct sdb_tar_writer *w, const char *name, uint8_t type, uint64_t size,
                 uint32_t mode)
{
    uint8_t b[512] = {0};
    memcpy(b, name, strlen(name) < 100 ? strlen(name) : 100);
    octal(b + 100, 8, mode);
    octal(b + 108, 8, 0);
    octal(b + 116, 8, 0);
    octal(b + 124, 12, size);
    octal(b + 136, 12, w->mtime);
    b[156] = type;
    memcpy(b + 257, "ustar  ", 8); /* GNU magic + version */
    memcpy(b + 265, "root", 4);
    memcpy(b + 297, "root", 4);
    memset(b + 148, ' ', 8);
    uint32_t sum = 0;
    for (int i = 0; i < 512; i++)
        sum += b[i];
    snprintf((char *)b + 148, 8, "%06o", (unsigned)sum);
    b[155] = ' ';
    return emit(w, b, sizeof b);
}

int sdb_tar_write_header(struct sdb_tar_writer *w, const char *path, enum sdb_tar_type type,
                         uint64_t size, uint32_t mode)
{
    char name[SDB_TAR_PATH_MAX + 2];
    int n = snprintf(name, sizeof name, "%s%s", path, type == SDB_TAR_DIR ? "/" : "");
    if (n < 0 || (size_t)n >= sizeof name)
        return SDB_TAR_EPATHLEN;
    int err = pad_to_block(w);
    if (err)
        return err;
    if (n > 99) { /* GNU long name: the name as data of a 'L' entry */
        if ((err = block(w, "././@LongLink", 'L', (uint64_t)n + 1, 0)) ||
            (err = emit(w, name, (size_t)n + 1)) || (err = pad_to_block(w)))
            return err;
    }
    w->entry_left = type == SDB_TAR_DIR ? 0 : size;
    return block(w, name, type == SDB_TAR_DIR ? '5' : '0', w->entry_left, mode);
}

int sdb_tar_write_data(struct sdb_tar_writer *w, const void *data, size_t len)
{
    if (len > w->entry_left)
        return SDB_TAR_ESIZE;
    w->entry_left -= len;
    return emit(w, data, len);
}

int sdb_tar_write_end(struct sdb_tar_writer *w)
{
    static const uint8_t zeros[512];
    if (w->entry_left)
        return SDB_TAR_ETRUNCATED;
    int err = pad_to_block(w);
    for (int i = 0; i < 2 && !err; i++)
        err = emit(w, zeros, sizeof zeros);
    while (!err && w->written % 10240)
        err = emit(w, zeros, sizeof zeros);
    return err;
}

int sdb_tar_mem_out(void *ctx, const void *data, size_t len)
{
    struct sdb_tar_mem *m = ctx;
    if (len > m->cap - m->len)
        return SDB_E_BUFSIZE;
    memcpy(m->buf + m->len, data, len);
    m->len += len;
    return SDB_OK;
}
