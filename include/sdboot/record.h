/*
 * One-sector records: the boot state (state.a/b), the staged release
 * (staging/pending) and the application's confirmation (confirm) share one
 * frame and one way of being read.
 *
 * Frame (little-endian, SDB_RECORD_SIZE = 512 bytes):
 *   0   magic[8]        "SDBSTATE", "SDBSTAGE", "SDBCONFM"
 *   8   u32 format      1
 *   12  fields          the record's own, zero padding
 *   508 u32 CRC-32      of bytes 0..507
 * A record is rewritten by one sector write, so a power cut leaves either the
 * old or the new record, or a torn one that the CRC rejects: never a wrong one.
 * Two alternating copies with a sequence number (the state) give the newest
 * complete record after any cut; sdb_record_pick chooses it.
 *
 * RAM: none of its own; the caller's 512-byte buffer. Stack < 64 B.
 */
#ifndef SDBOOT_RECORD_H
#define SDBOOT_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "sdboot/fileio.h"
#include "sdboot/release.h"
#include "sdboot/stage.h"

#define SDB_RECORD_MAGIC_LEN 8
#define SDB_RECORD_FIELDS 12                    /* first byte of a record's own fields */
#define SDB_RECORD_CRC_AT (SDB_RECORD_SIZE - 4) /* first byte of the CRC */

/* Stamp magic, format 1 and the CRC over a record whose fields are filled in
 * (bytes SDB_RECORD_FIELDS .. SDB_RECORD_CRC_AT - 1). Cannot fail. */
void sdb_record_seal(uint8_t rec[SDB_RECORD_SIZE], const char magic[SDB_RECORD_MAGIC_LEN]);
/* SDB_OK, SDB_STAGE_EMAGIC (another record, another format) or SDB_STAGE_ECRC
 * (torn or damaged). The fields are the caller's to check after this. */
int sdb_record_unseal(const uint8_t rec[SDB_RECORD_SIZE], const char magic[SDB_RECORD_MAGIC_LEN]);

/* Read up to cap bytes from the start of the file at path into buf, *got the
 * count, and close it (also on a read error). The boot side reads with its FAT
 * driver, the application through its file system (fileio.h). */
typedef int (*sdb_record_reader)(void *ctx, const char *path, uint8_t *buf, size_t cap,
                                 size_t *got);
/* The record file at path, exactly SDB_RECORD_SIZE bytes, into buf (not yet
 * unsealed). SDB_OK, the reader's error (a missing file is the reader's
 * "not found" code), or SDB_STAGE_EFIELD when the file is shorter. Reads only. */
int sdb_record_read(sdb_record_reader read, void *ctx, const char *path,
                    uint8_t buf[SDB_RECORD_SIZE]);

/* The application side's reader and writer, through the platform's file
 * system (fileio.h): sdb_record_read with fio as the reader, and writing one
 * whole record file (created or truncated; its close is the commit). A cut
 * while writing leaves the old file, an empty or short one, or a torn record:
 * each fails sdb_record_read or unseal, never passes as a wrong record. */
int sdb_record_read_fio(const sdb_fileio_t *fio, const char *path, uint8_t buf[SDB_RECORD_SIZE]);
int sdb_record_write_fio(const sdb_fileio_t *fio, const char *path,
                         const uint8_t buf[SDB_RECORD_SIZE]);
/* The reader behind sdb_record_read_fio (ctx: the sdb_fileio_t). */
int sdb_record_fio_reader(void *ctx, const char *path, uint8_t *buf, size_t cap, size_t *got);

/* Of two copies, each decoded with error ea / eb and carrying sequence seq_a /
 * seq_b: true to take b (a failed, or both are good and b is newer), false to
 * take a. The caller has checked that at least one is good. */
bool sdb_record_pick_b(int ea, uint32_t seq_a, int eb, uint32_t seq_b);

#endif
