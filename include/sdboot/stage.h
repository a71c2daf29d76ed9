/*
 * The staging contract between the application (OTA client) and the bootloader.
 *
 * The application downloads and verifies a release, then hands it over by
 * writing files under /.sdboot/staging/ through the port's file interface
 * (fileio.h). The bootloader, with the card to itself at the next power-on,
 * re-checks and installs it. Neither side ever writes the other's files,
 * except the two one-sector records defined here.
 *
 * Order the application follows (each step survives a power cut):
 *   1. download into STAGE_PART (resumable; the OTA client owns STAGE_RESUME);
 *   2. check size + SHA-256 against the signed manifest;
 *   3. rename STAGE_PART -> STAGE_ARCHIVE;
 *   4. write STAGE_PENDING (one 512-byte record, CRC-protected) and close it.
 * A cut before 4 completes leaves no valid pending record: nothing is installed,
 * the archive is kept or re-downloaded. The bootloader installs only when the
 * pending record is valid AND the archive's size and SHA-256 match it.
 *
 * A delta (SDB_STAGE_DELTA, docs/ota.md) is staged the same way: STAGE_ARCHIVE
 * then holds only the new and changed files (a plain tar of them, each checked
 * against the signed index as it arrived) and SDB_STAGE_INDEX the release's
 * whole index, written before the pending record. The record names the
 * release the delta applies to (base) and the index's signed SHA-256; size and
 * SHA-256 are those of the delta archive.
 *
 * The application confirms a trial boot by writing SDB_CONFIRM (one record).
 */
#ifndef SDBOOT_STAGE_H
#define SDBOOT_STAGE_H

#include <stdbool.h>
#include <stdint.h>

#define SDB_DIR "/.sdboot" /* the one definition: the bootloader's own directory */
#define SDB_STAGING_DIR SDB_DIR "/staging"
#define SDB_STAGE_PART SDB_STAGING_DIR "/release.part"
#define SDB_STAGE_RESUME SDB_STAGING_DIR "/resume"
#define SDB_STAGE_ARCHIVE SDB_STAGING_DIR "/release.tar"
#define SDB_STAGE_PENDING SDB_STAGING_DIR "/pending"
/* Per-file indexes (index.h): of the release staged (handed to the bootloader
 * with it, which keeps it as SDB_CURRENT_INDEX once installed), and the OTA
 * client's own: of the one being fetched, of the installed one when it had to
 * be fetched. */
#define SDB_STAGE_INDEX SDB_STAGING_DIR "/release.idx"
#define SDB_STAGE_INDEX_NEW SDB_STAGING_DIR "/new.idx"
#define SDB_STAGE_INDEX_OLD SDB_STAGING_DIR "/installed.idx"
/* The installed release's archive: the bootloader's, read by a delta download. */
#define SDB_CURRENT_ARCHIVE SDB_DIR "/current.tar"
/* The bootloader's: the installed release's index, and its delta archive when
 * it was installed as a delta over current.tar (read by the OTA client). A
 * delta holds every file of its release that differs from the base, so the
 * next one, made against the base too, replaces it (docs/boot.md). */
#define SDB_CURRENT_INDEX SDB_DIR "/current.idx"
#define SDB_CURRENT_DELTA SDB_DIR "/current.dlt"
/* Under an installed delta: the index of the base (current.tar), which the
 * next delta is made against, and current.tar's staging record (its version). */
#define SDB_BASE_INDEX SDB_DIR "/base.idx"
#define SDB_CURRENT_RECORD SDB_DIR "/current.rec"
#define SDB_CONFIRM SDB_DIR "/confirm"

#define SDB_RECORD_SIZE 512u
#define SDB_VERSION_MAX 64   /* longest semver string kept, including NUL */
#define SDB_FILENAME_MAX 128 /* longest release file name, including NUL */
#define SDB_BOARD_MAX 32     /* longest board id, including NUL */

enum sdb_stage_flags {
    SDB_STAGE_SIGNED = 1u << 0,  /* the manifest line came with a valid signature */
    SDB_STAGE_GZIP = 1u << 1,    /* archive is tar.gz */
    SDB_STAGE_FORCED = 1u << 2,  /* version policy was overridden on purpose */
    SDB_STAGE_INDEXED = 1u << 3, /* index_sha256 is the signed index's; SDB_STAGE_INDEX holds it */
    SDB_STAGE_DELTA = 1u << 4,   /* the archive holds only what changed from `base` */
};

/* What the application staged: the manifest line it verified. */
struct sdb_stage_record {
    char version[SDB_VERSION_MAX];
    char filename[SDB_FILENAME_MAX];
    char board[SDB_BOARD_MAX]; /* "" when the manifest names none */
    uint64_t size;
    uint8_t sha256[32];
    uint32_t flags;
    char base[SDB_VERSION_MAX]; /* SDB_STAGE_DELTA: the release it applies to */
    uint8_t index_sha256[32];   /* SDB_STAGE_INDEXED: the signed index= */
};

/* The application's confirmation of the release it runs. */
struct sdb_confirm_record {
    char version[SDB_VERSION_MAX];
};

/* Encode into exactly SDB_RECORD_SIZE bytes (magic, fields, CRC-32). */
int sdb_stage_record_encode(const struct sdb_stage_record *rec, uint8_t out[SDB_RECORD_SIZE]);
/* SDB_OK, or a release-layer error when magic, CRC or a field is wrong. */
int sdb_stage_record_decode(const uint8_t in[SDB_RECORD_SIZE], struct sdb_stage_record *rec);
int sdb_confirm_record_encode(const struct sdb_confirm_record *rec, uint8_t out[SDB_RECORD_SIZE]);
int sdb_confirm_record_decode(const uint8_t in[SDB_RECORD_SIZE], struct sdb_confirm_record *rec);

#endif
