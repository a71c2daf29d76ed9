/* Handing a verified download to the bootloader (order in stage.h), and the
 * checks before it: the release limits and the card's free space. */
#include <string.h>
#include "sdboot/limits.h"
#include "sdboot/ota.h"
#include "sdboot/record.h"

/* Allocation units a file of `path` holds now (0 when missing). */
static uint64_t units_of(const sdb_fileio_t *fio, const char *path, uint32_t unit)
{
    uint64_t size = 0;
    if (fio->size(fio->ctx, path, &size))
        return 0;
    return (size + unit - 1) / unit;
}

int sdboot_stage_check(const sdb_fileio_t *fio, const struct sdb_manifest_entry *e,
                       struct sdb_stage_space *space)
{
    *space = (struct sdb_stage_space){0};
    if (e->has_entries && e->entries > SDB_LIMIT_ENTRIES)
        return SDB_TAR_ETOOMANY;
    uint64_t free_bytes;
    uint32_t unit;
    if (!fio->space || !e->has_size)
        return SDB_OK;
    int err = fio->space(fio->ctx, &free_bytes, &unit);
    if (err)
        return err;
    if (!unit)
        unit = SDB_RECORD_SIZE;
    /* The archive, its pending and resume records, and one unit for the
     * staging directory to grow by. A .part (resumed or restarted) and an
     * older staged release are replaced, so their units count as available. */
    uint64_t need = (e->size + unit - 1) / unit + 3;
    uint64_t have = free_bytes / unit + units_of(fio, SDB_STAGE_ARCHIVE, unit) +
                    units_of(fio, SDB_STAGE_PENDING, unit) + units_of(fio, SDB_STAGE_RESUME, unit) +
                    units_of(fio, SDB_STAGE_PART, unit);
    space->need = need * unit;
    space->avail = have * unit;
    return need > have ? SDB_OTA_ENOSPACE : SDB_OK;
}

int sdboot_stage_begin(const sdb_fileio_t *fio)
{
    int err = fio->mkdir(fio->ctx, SDB_DIR);
    if (!err)
        err = fio->mkdir(fio->ctx, SDB_STAGING_DIR);
    if (!err)
        err = fio->remove(fio->ctx, SDB_STAGE_PENDING);
    if (!err) /* without its pending record the old archive is never installed */
        err = fio->remove(fio->ctx, SDB_STAGE_ARCHIVE);
    return err;
}

void sdboot_stage_discard(const sdb_fileio_t *fio)
{
    fio->remove(fio->ctx, SDB_STAGE_PART);
    fio->remove(fio->ctx, SDB_STAGE_RESUME);
}

int sdboot_stage_commit(const sdb_fileio_t *fio, const struct sdb_manifest_entry *e, uint32_t flags)
{
    struct sdb_stage_record rec = {.size = e->size, .flags = flags};
    memcpy(rec.version, e->version, sizeof rec.version);
    memcpy(rec.filename, e->filename, sizeof rec.filename);
    memcpy(rec.board, e->board, sizeof rec.board);
    memcpy(rec.sha256, e->sha256, sizeof rec.sha256);
    if (e->has_index) { /* the bootloader keeps SDB_STAGE_INDEX when it hashes to this */
        rec.flags |= SDB_STAGE_INDEXED;
        memcpy(rec.index_sha256, e->index_sha256, sizeof rec.index_sha256);
    }
    return sdboot_stage_commit_record(fio, &rec);
}

int sdboot_stage_commit_record(const sdb_fileio_t *fio, const struct sdb_stage_record *rec)
{
    uint8_t buf[SDB_RECORD_SIZE];
    int err = sdb_stage_record_encode(rec, buf);
    if (err || (err = fio->rename(fio->ctx, SDB_STAGE_PART, SDB_STAGE_ARCHIVE)))
        return err;
    return sdb_record_write_fio(fio, SDB_STAGE_PENDING, buf);
}
