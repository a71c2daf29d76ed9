/* One-sector record frame and reading (see record.h). */
#include <string.h>
#include "sdboot/bytes.h"
#include "sdboot/crc32.h"
#include "sdboot/record.h"

#define FORMAT 1

void sdb_record_seal(uint8_t rec[SDB_RECORD_SIZE], const char magic[SDB_RECORD_MAGIC_LEN])
{
    memcpy(rec, magic, SDB_RECORD_MAGIC_LEN);
    sdb_put_le32(rec + SDB_RECORD_MAGIC_LEN, FORMAT);
    sdb_put_le32(rec + SDB_RECORD_CRC_AT, sdb_crc32(0, rec, SDB_RECORD_CRC_AT));
}

int sdb_record_unseal(const uint8_t rec[SDB_RECORD_SIZE], const char magic[SDB_RECORD_MAGIC_LEN])
{
    if (memcmp(rec, magic, SDB_RECORD_MAGIC_LEN) ||
        sdb_get_le32(rec + SDB_RECORD_MAGIC_LEN) != FORMAT)
        return SDB_STAGE_EMAGIC;
    if (sdb_get_le32(rec + SDB_RECORD_CRC_AT) != sdb_crc32(0, rec, SDB_RECORD_CRC_AT))
        return SDB_STAGE_ECRC;
    return SDB_OK;
}

int sdb_record_read(sdb_record_reader read, void *ctx, const char *path,
                    uint8_t buf[SDB_RECORD_SIZE])
{
    size_t got = 0;
    int err = read(ctx, path, buf, SDB_RECORD_SIZE, &got);
    if (err)
        return err;
    return got == SDB_RECORD_SIZE ? SDB_OK : SDB_STAGE_EFIELD;
}

int sdb_record_fio_reader(void *ctx, const char *path, uint8_t *buf, size_t cap, size_t *got)
{
    const sdb_fileio_t *fio = ctx;
    void *f;
    int err = fio->open(fio->ctx, path, SDB_FIO_READ, &f);
    if (err)
        return err;
    err = fio->read(fio->ctx, f, buf, cap, got);
    int cerr = fio->close(fio->ctx, f);
    return err ? err : cerr;
}

int sdb_record_read_fio(const sdb_fileio_t *fio, const char *path, uint8_t buf[SDB_RECORD_SIZE])
{
    return sdb_record_read(sdb_record_fio_reader, (void *)fio, path, buf);
}

int sdb_record_write_fio(const sdb_fileio_t *fio, const char *path,
                         const uint8_t buf[SDB_RECORD_SIZE])
{
    void *f;
    int err = fio->open(fio->ctx, path, SDB_FIO_CREATE, &f);
    if (err)
        return err;
    err = fio->write(fio->ctx, f, buf, SDB_RECORD_SIZE);
    int cerr = fio->close(fio->ctx, f);
    return err ? err : cerr;
}

bool sdb_record_pick_b(int ea, uint32_t seq_a, int eb, uint32_t seq_b)
{
    return ea || (!eb && seq_b > seq_a);
}
