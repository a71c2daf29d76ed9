/*
 * Staging and confirm records (stage.h): exactly one sector each, so the
 * application hands a release to the bootloader with one write, and a torn or
 * half-written record is recognised by its CRC and ignored.
 *
 * Frame (record.h): magic "SDBSTAGE"/"SDBCONFM", format 1, the fields below
 * from offset 12, zero padding, CRC-32 at 508.
 */
#include <stddef.h>
#include <string.h>
#include "sdboot/bytes.h"
#include "sdboot/record.h"
#include "sdboot/release.h"
#include "sdboot/stage.h"

#define STAGE_MAGIC "SDBSTAGE"
#define CONFIRM_MAGIC "SDBCONFM"

static bool terminated(const char *s, size_t cap)
{
    return memchr(s, '\0', cap) != NULL;
}

enum {
    OFF_VERSION = SDB_RECORD_FIELDS,
    OFF_FILENAME = OFF_VERSION + SDB_VERSION_MAX,
    OFF_BOARD = OFF_FILENAME + SDB_FILENAME_MAX,
    OFF_SIZE = OFF_BOARD + SDB_BOARD_MAX,
    OFF_SHA256 = OFF_SIZE + 8,
    OFF_FLAGS = OFF_SHA256 + 32,
    OFF_BASE = OFF_FLAGS + 4,
    OFF_INDEX = OFF_BASE + SDB_VERSION_MAX,
    OFF_END = OFF_INDEX + 32,
};
_Static_assert(OFF_END <= SDB_RECORD_CRC_AT, "stage record fits one sector");
#define AT(field) (OFF_VERSION + offsetof(struct sdb_stage_record, field))
_Static_assert(AT(filename) == OFF_FILENAME && AT(board) == OFF_BOARD && AT(size) == OFF_SIZE &&
                   AT(sha256) == OFF_SHA256 && AT(flags) == OFF_FLAGS && AT(base) == OFF_BASE &&
                   AT(index_sha256) == OFF_INDEX && AT(index_sha256) + 32 == OFF_END,
               "the record's fields lie as struct sdb_stage_record's");

int sdb_stage_record_encode(const struct sdb_stage_record *rec, uint8_t out[SDB_RECORD_SIZE])
{
    if (!rec || !terminated(rec->version, SDB_VERSION_MAX) ||
        !terminated(rec->filename, SDB_FILENAME_MAX) || !terminated(rec->board, SDB_BOARD_MAX) ||
        !terminated(rec->base, SDB_VERSION_MAX))
        return SDB_STAGE_EFIELD;
    memset(out, 0, SDB_RECORD_SIZE);
    strcpy((char *)out + OFF_VERSION, rec->version);
    strcpy((char *)out + OFF_FILENAME, rec->filename);
    strcpy((char *)out + OFF_BOARD, rec->board);
    sdb_put_le32(out + OFF_SIZE, (uint32_t)rec->size);
    sdb_put_le32(out + OFF_SIZE + 4, (uint32_t)(rec->size >> 32));
    memcpy(out + OFF_SHA256, rec->sha256, 32);
    sdb_put_le32(out + OFF_FLAGS, rec->flags);
    strcpy((char *)out + OFF_BASE, rec->base);
    memcpy(out + OFF_INDEX, rec->index_sha256, 32);
    sdb_record_seal(out, STAGE_MAGIC);
    return SDB_OK;
}

int sdb_stage_record_decode(const uint8_t in[SDB_RECORD_SIZE], struct sdb_stage_record *rec)
{
    int err = sdb_record_unseal(in, STAGE_MAGIC);
    if (err)
        return err;
    /* The fields lie in the record as in the struct (asserted above): one
     * copy, then the numbers read little-endian, whatever the CPU. */
    memset(rec, 0, sizeof *rec);
    memcpy(rec, in + OFF_VERSION, OFF_END - OFF_VERSION);
    rec->size = sdb_get_le32(in + OFF_SIZE) | (uint64_t)sdb_get_le32(in + OFF_SIZE + 4) << 32;
    rec->flags = sdb_get_le32(in + OFF_FLAGS);
    /* older records have zeros in base and index: no base, no index */
    if (!terminated(rec->version, SDB_VERSION_MAX) || !rec->version[0] ||
        !terminated(rec->filename, SDB_FILENAME_MAX) || !terminated(rec->board, SDB_BOARD_MAX) ||
        !terminated(rec->base, SDB_VERSION_MAX) ||
        ((rec->flags & SDB_STAGE_DELTA) && !rec->base[0]))
        return SDB_STAGE_EFIELD;
    return SDB_OK;
}

int sdb_confirm_record_encode(const struct sdb_confirm_record *rec, uint8_t out[SDB_RECORD_SIZE])
{
    if (!rec || !terminated(rec->version, SDB_VERSION_MAX))
        return SDB_STAGE_EFIELD;
    memset(out, 0, SDB_RECORD_SIZE);
    strcpy((char *)out + OFF_VERSION, rec->version);
    sdb_record_seal(out, CONFIRM_MAGIC);
    return SDB_OK;
}

int sdb_confirm_record_decode(const uint8_t in[SDB_RECORD_SIZE], struct sdb_confirm_record *rec)
{
    int err = sdb_record_unseal(in, CONFIRM_MAGIC);
    if (err)
        return err;
    memcpy(rec->version, in + OFF_VERSION, SDB_VERSION_MAX);
    return terminated(rec->version, SDB_VERSION_MAX) && rec->version[0] ? SDB_OK : SDB_STAGE_EFIELD;
}
