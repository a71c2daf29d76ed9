/*
 * Inside the OTA client: the download into the .part file, shared by the whole
 * download (client.c) and the delta download (delta.c): every byte of a release
 * reaches .part through part_append, which hashes it (SHA-1, SHA-256 of the
 * whole tar), counts it and closes/reopens .part every CHECKPOINT_BYTES so a
 * power cut takes back at most that much.
 */
#ifndef SDBOOT_OTA_INTERNAL_H
#define SDBOOT_OTA_INTERNAL_H

#include "sdboot/ota.h"

struct dl {
    struct sdboot_ota *o;
    void *part;
    struct sdb_http_response resp_store; /* the answer being received */
    struct sdb_http_response *resp;
    struct sdb_sha1 sha1;
    struct sdb_sha256 sha256;
    uint64_t have; /* bytes in .part */
    uint64_t cap;
    bool started; /* first body byte of this answer seen */
    uint32_t since_checkpoint;
};

int ota_join_url(const char *base, const char *name, char *out);
bool ota_retryable(int err);
void ota_backoff(struct sdboot_ota *o, unsigned attempt);
void ota_log(struct sdboot_ota *o, const char *fmt, const char *a, const char *b);
/* Append release bytes to .part (hashes, counters, checkpoints, size cap). */
int part_append(struct dl *d, const uint8_t *data, size_t len);
/* Open .part (append or create) and hash what an earlier attempt left in it. */
int part_reopen(struct dl *d, bool keep);
/* Close and reopen .part where it stands: what it holds survives a cut. */
int part_checkpoint(struct dl *d);
/* Open .part keeping (and hashing) its first `at` bytes, writing from there;
 * at 0 a new, empty .part. */
int part_reopen_at(struct dl *d, uint64_t at);
/* Write the resume record for the answer now starting (its ETag). */
int ota_resume_write(struct sdboot_ota *o, const char *etag);
bool ota_resume_matches(struct sdboot_ota *o, char etag[SDB_ETAG_MAX]);

/* The delta download (delta.c): the files the installed release lacks,
 * fetched by byte ranges into .part as a delta archive (a plain tar of them).
 * SDB_OK when .part holds all of it (d's SHA-256 is the archive's),
 * SDB_OTA_ENODELTA when only a whole download can do (nothing wrong with the
 * release: no index kept, the installed one a delta, Range not served, the
 * delta over half the release), or an error. */
int delta_download(struct sdboot_ota *o, struct dl *d, const char *url);
/* After a whole download of an indexed release: fetch its index into
 * SDB_STAGE_INDEX, staged with it so the bootloader keeps it and the next
 * update can be a delta. false when it could not (logged: that only costs
 * the next update a whole download). */
bool delta_keep_index(struct sdboot_ota *o);

#endif
