/*
 * OTA client (application side): check the owner's server for a newer release,
 * download it resumably into the staging area while hashing, verify, and hand
 * it to the bootloader (stage.h). It never installs: the bootloader does, at the
 * next boot, with the card to itself.
 *
 *   sdboot_ota_check()   GET versions (+ versions.sig), verify, decide
 *   sdboot_ota_stage()   GET the release (Range resume), check size + hash, stage
 *   sdboot_ota_install_update_if_available()  both; *restart says whether the
 *                        device should reset (the seed's contract)
 *
 * All I/O goes through a transport (transport.h) and the port's file interface
 * (fileio.h). No allocation in the client; RAM: sizeof(struct sdboot_ota)
 * (about 17 KiB, most of it the manifest buffer, SDB_MANIFEST_MAX).
 */
#ifndef SDBOOT_OTA_H
#define SDBOOT_OTA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "sdboot/fileio.h"
#include "sdboot/hash.h"
#include "sdboot/manifest.h"
#include "sdboot/sig.h"
#include "sdboot/stage.h"
#include "sdboot/transport.h"

#define SDB_OTA_UPTODATE 1 /* positive: nothing newer to install */
#define SDB_OTA_URL_MAX 512
#define SDB_OTA_DEFAULT_RETRIES 3      /* attempts per download when retries is 0 */
#define SDB_OTA_DEFAULT_BACKOFF_MS 500 /* first retry delay when backoff_ms is 0 */

enum sdb_ota_err {
    SDB_OTA_EHTTP = -288,      /* the server answered with an unexpected HTTP status */
    SDB_OTA_ETOOBIG = -289,    /* versions larger than SDB_MANIFEST_MAX */
    SDB_OTA_ESIZE = -290,      /* the release is larger than its signed size */
    SDB_OTA_ENOSIZE = -291,    /* the manifest names no size and the server sends none */
    SDB_OTA_EURL = -292,       /* URL too long or malformed */
    SDB_OTA_ERETRIES = -293,   /* every retry failed (the last error is logged) */
    SDB_OTA_ENOTSTAGED = -294, /* stage called without a successful check */
    SDB_OTA_ENOSPACE = -295,   /* the release does not fit in the card's free space */
    SDB_OTA_ENODELTA = -296,   /* a delta cannot be made here: whole download (internal) */
    SDB_OTA_ERANGE = -297,     /* the server answered other bytes than the range asked */
    SDB_OTA_EMULTIPART = -298, /* malformed multipart/byteranges answer */
    SDB_OTA_EMULTI = -299,     /* several ranges answered unlike asked (then one at a time) */
    SDB_OTA_ENORANGE = -300,   /* the server ignored Range (200): whole download */
    SDB_OTA_EREFUSED = -301,   /* the bootloader refused this very release: not fetched again */
};

/* Work area of a delta download (delta.c asserts it fits): two index readers,
 * the actions between requests, the multipart parser. */
#define SDB_OTA_DELTA_WORK 16384

/* Decide from a fetched manifest whether to install its latest line.
 * SDB_OK with *latest and *flags (SDB_STAGE_*) when it should be installed,
 * SDB_OTA_UPTODATE when not newer, or the refusal (signature, board, format). */
int sdboot_ota_decide(const struct sdb_trust *trust, const char *board, bool force,
                      const uint8_t *manifest, size_t len, const uint8_t *sig, size_t sig_len,
                      const char *installed, struct sdb_manifest_entry *latest, uint32_t *flags,
                      struct sdb_manifest_error *merr);

/* Staging through the port's files (the order documented in stage.h). */

/* What staging a release needs on the card and what it can have, in bytes. */
struct sdb_stage_space {
    uint64_t need;  /* the archive and its two records, in whole allocation units */
    uint64_t avail; /* free now + what staging replaces (old archive, records, .part) */
};
/* Before anything is written: SDB_TAR_ETOOMANY when the line's entries= is
 * above SDB_LIMIT_ENTRIES (limits.h), SDB_OTA_ENOSPACE when its size= does not
 * fit (*space says by how much; not checked when the port cannot tell its free
 * space or the line names no size). Reads only: a refusal changes nothing. */
int sdboot_stage_check(const sdb_fileio_t *fio, const struct sdb_manifest_entry *e,
                       struct sdb_stage_space *space);
/* Drop an earlier staged release (pending record first, then its archive). */
int sdboot_stage_begin(const sdb_fileio_t *fio);
/* A download that cannot complete (card full, bytes known bad): its .part and
 * resume record go, so the card's space is the application's again. */
void sdboot_stage_discard(const sdb_fileio_t *fio);
int sdboot_stage_commit(const sdb_fileio_t *fio, const struct sdb_manifest_entry *e,
                        uint32_t flags); /* part -> archive, pending */
/* The same with the record filled by the caller (a delta: base, index). */
int sdboot_stage_commit_record(const sdb_fileio_t *fio, const struct sdb_stage_record *rec);

struct sdboot_ota_config {
    const char *url;        /* directory URL holding `versions`, ending in '/' or not */
    struct sdb_trust trust; /* keys, allow_unsigned */
    const char *board;      /* this device's board id, or NULL */
    const char *installed;  /* running version ("none" on a fresh card) */
    /* The version the bootloader refused for what it is (sdboot_state.refused,
     * its reason refused_error): a check offering exactly it answers
     * SDB_OTA_EREFUSED instead of downloading it again. NULL/"" = none. */
    const char *refused;
    int refused_error;
    /* The bootloader's last install failed (sdboot_state.last_error when
     * last_event is SDBOOT_EV_INSTALL_FAILED; 0 = it did not): the next
     * release is downloaded whole, so a delta the bootloader refused is never
     * staged again in a loop. */
    int last_install_error;
    bool force;          /* install even when not newer */
    bool no_delta;       /* always download the whole release */
    uint8_t retries;     /* attempts per download (0 = SDB_OTA_DEFAULT_RETRIES) */
    uint32_t backoff_ms; /* first retry delay, doubled each time (0 = ..._BACKOFF_MS) */
    void (*sleep_ms)(void *ctx, uint32_t ms); /* the port's delay (NULL = no wait) */
    void (*progress)(void *ctx, uint64_t done, uint64_t total);
    void (*log)(void *ctx, const char *line);
    void *ctx;
};

struct sdboot_ota {
    struct sdboot_ota_config cfg;
    const sdb_transport_t *http;
    const sdb_fileio_t *fio;
    struct sdb_manifest_entry latest;
    uint32_t flags;
    bool checked;
    char etag[SDB_ETAG_MAX]; /* of the last manifest, for If-None-Match */
    uint8_t manifest[SDB_MANIFEST_MAX];
    size_t manifest_len;
    uint8_t sig[SDB_SIG_MAX_DER + 16];
    size_t sig_len;
    uint64_t bytes_downloaded; /* release bytes received over the network (resume saves) */
    uint64_t bytes_resumed;    /* bytes kept from an earlier partial download */
    /* the last stage as a delta (docs/ota.md): files fetched and kept, requests */
    bool delta;
    uint32_t delta_files_fetched, delta_files_unchanged, delta_requests;
    uint64_t delta_bytes_fetched; /* file data among bytes_downloaded */
    /* the release the delta was made against: the installed one, or under an
     * installed delta its base (current.tar's) */
    char delta_base[SDB_VERSION_MAX];
    _Alignas(8) uint8_t delta_work[SDB_OTA_DELTA_WORK];
};

/*
 * Contracts. Transport errors (transport.h, SDB_OTA_EHTTP) are retried
 * cfg.retries times with backoff; file errors (fileio.h) are not. Power cut:
 * the application side never writes outside /.sdboot/staging/ (and the
 * confirm record); a cut leaves at worst a partial download that the next
 * stage resumes, never a pending record without its complete, verified
 * archive (stage.h gives the order).
 */

/* Fill o from cfg (copied; defaults for zero fields). No I/O, cannot fail. */
void sdboot_ota_init(struct sdboot_ota *o, const struct sdboot_ota_config *cfg,
                     const sdb_transport_t *http, const sdb_fileio_t *fio);
/* GET versions (and versions.sig when keys are configured), verify, decide.
 * SDB_OK when the latest line should be installed (o->latest), SDB_OTA_UPTODATE
 * when it is not newer or the server says 304, SDB_OTA_EREFUSED when it is
 * the version the bootloader refused (cfg.refused; logged with the reason)
 * and not forced, SDB_OTA_ETOOBIG, a manifest
 * error (SDB_MF_*), a signature refusal (SDB_SIG_*), SDB_POLICY_EBOARD, or a
 * transport error after the retries. Writes nothing. */
int sdboot_ota_check(struct sdboot_ota *o);
/* Download the release checked last into the staging area (resuming a
 * partial download of the same release), check its size and hashes against
 * the signed line, and stage it. SDB_OK once the pending record is written;
 * SDB_OTA_ENOTSTAGED without a successful check, SDB_OTA_EURL, SDB_OTA_ESIZE
 * (more bytes than signed), SDB_SIZE_EMISMATCH / SDB_HASH_EMISMATCH (the bad
 * download is deleted), SDB_HASH_EBACKEND, a transport or file error (the
 * partial download stays for the next attempt). */
int sdboot_ota_stage(struct sdboot_ota *o);
/* check, then stage when there is something newer (the seed's contract).
 * SDB_OK with *restart true when a release was staged (reset the device),
 * SDB_OK with *restart false when up to date, or the error of either step. */
int sdboot_ota_install_update_if_available(struct sdboot_ota *o, bool *restart);

#endif
