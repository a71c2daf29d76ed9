/*
 * Staging and confirm records (stage.h): exactly one sector each, so the
 * application hands a release to the bootloader with one write, and a torn or
 * half-written record is recognised by its CRC and ignored.
 *
 * Layout (little-endian): magic[8] "SDBSTAGE"/"SDBCONFM", u32 format version 1,
 * fields, zero padding, u32 CRC-32 of bytes 0..507 at offset 508.
 */
#include <string.h>
#include "sdboot/bytes.h"
#include "sdboot/crc32.h"
#include "sdboot/release.h"
#include "sdboot/stage.h"

#define STAGE_MAGIC "SDBSTAGE"
#define CONFIRM_MAGIC "SDBCONFM"
#define CRC_OFFSET (SDB_RECORD_SIZE - 4)

static bool terminated(const char *s, size_t cap)
{
    return memchr(s, '\0', cap) != NULL;
}

static void seal(uint8_t out[SDB_RECORD_SIZE], const char *magic)
{
    memcpy(out, magic, 8);
    sdb_put_le32(out + 8, 1);
    sdb_put_le32(out + CRC_OFFSET, sdb_crc32(0, out, CRC_OFFSET));
}

static int unseal(const uint8_t in[SDB_RECORD_SIZE], const char *magic)
{
    if (memcmp(in, magic, 8) || sdb_get_le32(in + 8) != 1)
        return SDB_STAGE_EMAGIC;
    if (sdb_get_le32(in + CRC_OFFSET) != sdb_crc32(0, in, CRC_OFFSET))
        return SDB_STAGE_ECRC;
    return SDB_OK;
}

enum {
    OFF_VERSION = 12,
    OFF_FILENAME = OFF_VERSION + SDB_VERSION_MAX,
    OFF_BOARD = OFF_FILENAME + SDB_FILENAME_MAX,
    OFF_SIZE = OFF_BOARD + SDB_BOARD_MAX,
    OFF_SHA256 = OFF_SIZE + 8,
    OFF_FLAGS = OFF_SHA256 + 32,
    OFF_END = OFF_FLAGS + 4,
};
_Static_assert(OFF_END <= CRC_OFFSET, "stage record fits one sector");

int sdb_stage_record_encode(const struct sdb_stage_record *rec, uint8_t out[SDB_RECORD_SIZE])
{
    if (!rec || !terminated(rec->version, SDB_VERSION_MAX) ||
        !terminated(rec->filename, SDB_FILENAME_MAX) || !terminated(rec->board, SDB_BOARD_MAX))
        return SDB_STAGE_EFIELD;
    memset(out, 0, SDB_RECORD_SIZE);
    strcpy((char *)out + OFF_VERSION, rec->version);
    strcpy((char *)out + OFF_FILENAME, rec->filename);
    strcpy((char *)out + OFF_BOARD, rec->board);
    sdb_put_le32(out + OFF_SIZE, (uint32_t)rec->size);
    sdb_put_le32(out + OFF_SIZE + 4, (uint32_t)(rec->size >> 32));
    memcpy(out + OFF_SHA256, rec->sha256, 32);
    sdb_put_le32(out + OFF_FLAGS, rec->flags);
    seal(out, STAGE_MAGIC);
    return SDB_OK;
}

int sdb_stage_record_decode(const uint8_t in[SDB_RECORD_SIZE], struct sdb_stage_record *rec)
{
    int err = unseal(in, STAGE_MAGIC);
    if (err)
        return err;
    memset(rec, 0, sizeof *rec);
    memcpy(rec->version, in + OFF_VERSION, SDB_VERSION_MAX);
    memcpy(rec->filename, in + OFF_FILENAME, SDB_FILENAME_MAX);
    memcpy(rec->board, in + OFF_BOARD, SDB_BOARD_MAX);
    if (!terminated(rec->version, SDB_VERSION_MAX) || !rec->version[0] ||
        !terminated(rec->filename, SDB_FILENAME_MAX) || !terminated(rec->board, SDB_BOARD_MAX))
        return SDB_STAGE_EFIELD;
    rec->size = sdb_get_le32(in + OFF_SIZE) | (uint64_t)sdb_get_le32(in + OFF_SIZE + 4) << 32;
    memcpy(rec->sha256, in + OFF_SHA256, 32);
    rec->flags = sdb_get_le32(in + OFF_FLAGS);
    return SDB_OK;
}

int sdb_confirm_record_encode(const struct sdb_confirm_record *rec, uint8_t out[SDB_RECORD_SIZE])
{
    if (!rec || !terminated(rec->version, SDB_VERSION_MAX))
        return SDB_STAGE_EFIELD;
    memset(out, 0, SDB_RECORD_SIZE);
    strcpy((char *)out + OFF_VERSION, rec->version);
    seal(out, CONFIRM_MAGIC);
    return SDB_OK;
}

int sdb_confirm_record_decode(const uint8_t in[SDB_RECORD_SIZE], struct sdb_confirm_record *rec)
{
    int err = unseal(in, CONFIRM_MAGIC);
    if (err)
        return err;
    memcpy(rec->version, in + OFF_VERSION, SDB_VERSION_MAX);
    return terminated(rec->version, SDB_VERSION_MAX) && rec->version[0] ? SDB_OK : SDB_STAGE_EFIELD;
}
