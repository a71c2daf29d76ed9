/* Handing a verified download to the bootloader (order in stage.h). */
#include <string.h>
#include "sdboot/ota.h"

int sdboot_stage_begin(const sdb_fileio_t *fio)
{
    int err = fio->mkdir(fio->ctx, SDB_DIR);
    if (!err)
        err = fio->mkdir(fio->ctx, SDB_STAGING_DIR);
    if (!err)
        err = fio->remove(fio->ctx, SDB_STAGE_PENDING);
    return err;
}

int sdboot_stage_commit(const sdb_fileio_t *fio, const struct sdb_manifest_entry *e, uint32_t flags)
{
    struct sdb_stage_record rec = {.size = e->size, .flags = flags};
    memcpy(rec.version, e->version, sizeof rec.version);
    memcpy(rec.filename, e->filename, sizeof rec.filename);
    memcpy(rec.board, e->board, sizeof rec.board);
    memcpy(rec.sha256, e->sha256, sizeof rec.sha256);
    uint8_t buf[SDB_RECORD_SIZE];
    int err = sdb_stage_record_encode(&rec, buf);
    if (err || (err = fio->rename(fio->ctx, SDB_STAGE_PART, SDB_STAGE_ARCHIVE)))
        return err;
    void *f;
    if ((err = fio->open(fio->ctx, SDB_STAGE_PENDING, SDB_FIO_CREATE, &f)))
        return err;
    err = fio->write(fio->ctx, f, buf, sizeof buf);
    int cerr = fio->close(fio->ctx, f);
    return err ? err : cerr;
}
