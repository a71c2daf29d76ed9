/*
 * OTA client (see ota.h). Download order, each step safe against a power cut:
 * the resume record (which file, which ETag) is written when the answer starts;
 * bytes are appended to the .part file; only after size and hashes match is the
 * file renamed and the pending record written (stage.h). A cut leaves a .part
 * that is resumed, or nothing; never a pending record for unverified bytes.
 */
#include <stdio.h>
#include <string.h>
#include "sdboot/crc32.h"
#include "ota_internal.h"
#include "sdboot/limits.h"
#include "sdboot/ota.h"
#include "sdboot/record.h"
#include "sdboot/semver.h"

#define RESUME_MAGIC "SDBRESUM"
/* File systems (FatFs, ours) record a file's size when it is closed: closing
 * and reopening .part this often bounds what a power cut can take back. */
#define CHECKPOINT_BYTES (64u * 1024u)

void ota_log(struct sdboot_ota *o, const char *fmt, const char *a, const char *b)
{
    if (!o->cfg.log)
        return;
    char line[200];
    snprintf(line, sizeof line, fmt, a, b);
    o->cfg.log(o->cfg.ctx, line);
}

void sdboot_ota_init(struct sdboot_ota *o, const struct sdboot_ota_config *cfg,
                     const sdb_transport_t *http, const sdb_fileio_t *fio)
{
    memset(o, 0, sizeof *o);
    o->cfg = *cfg;
    if (!o->cfg.retries)
        o->cfg.retries = SDB_OTA_DEFAULT_RETRIES;
    if (!o->cfg.backoff_ms)
        o->cfg.backoff_ms = SDB_OTA_DEFAULT_BACKOFF_MS;
    if (!o->cfg.installed)
        o->cfg.installed = SDB_VERSION_NONE;
    o->http = http;
    o->fio = fio;
}

int ota_join_url(const char *base, const char *name, char *out)
{
    size_t n = strlen(base);
    const char *sep = n && base[n - 1] == '/' ? "" : "/";
    int len = snprintf(out, SDB_OTA_URL_MAX, "%s%s%s", base, sep, name);
    return len > 0 && len < SDB_OTA_URL_MAX ? SDB_OK : SDB_OTA_EURL;
}

bool ota_retryable(int err)
{
    return err == SDB_NET_ETIMEOUT || err == SDB_NET_ERESET || err == SDB_NET_ECONNECT ||
           err == SDB_NET_ELENGTH || err == SDB_NET_EPROTO;
}

void ota_backoff(struct sdboot_ota *o, unsigned attempt)
{
    if (o->cfg.sleep_ms)
        o->cfg.sleep_ms(o->cfg.ctx, o->cfg.backoff_ms << attempt);
}

/* ---- small fetches into memory: versions, versions.sig ---- */

struct mem_sink {
    uint8_t *buf;
    size_t cap, len;
    int overflow_err;
    const struct sdb_http_response *resp;
};

static int to_memory(void *ctx, const uint8_t *data, size_t len)
{
    struct mem_sink *m = ctx;
    if (m->resp->status != 200)
        return SDB_OK; /* an error page: its status decides, its body is dropped */
    if (len > m->cap - m->len)
        return m->overflow_err;
    memcpy(m->buf + m->len, data, len);
    m->len += len;
    return SDB_OK;
}

static int fetch_small(struct sdboot_ota *o, const char *name, const char *etag, uint8_t *buf,
                       size_t cap, int overflow_err, size_t *len, struct sdb_http_response *resp)
{
    char url[SDB_OTA_URL_MAX];
    int err = ota_join_url(o->cfg.url, name, url);
    if (err)
        return err;
    struct sdb_http_request req = {.url = url, .if_none_match = etag};
    for (unsigned attempt = 0;; attempt++) {
        struct mem_sink m = {buf, cap, 0, overflow_err, resp};
        err = o->http->get(o->http->ctx, &req, to_memory, &m, resp);
        *len = m.len;
        if (!err && resp->status != 200 && resp->status != 304)
            return SDB_OTA_EHTTP;
        if (err == SDB_OK || !ota_retryable(err) || attempt + 1 >= o->cfg.retries)
            return err;
        ota_log(o, "%s: %s, retrying", name, sdb_strerror(err));
        ota_backoff(o, attempt);
    }
}

int sdboot_ota_check(struct sdboot_ota *o)
{
    struct sdb_http_response resp;
    o->checked = false;
    int err = fetch_small(o, "versions", o->etag, o->manifest, sizeof o->manifest, SDB_OTA_ETOOBIG,
                          &o->manifest_len, &resp);
    if (err)
        return err;
    if (resp.status == 304)
        return SDB_OTA_UPTODATE;
    char etag[SDB_ETAG_MAX];
    memcpy(etag, resp.etag, sizeof etag);
    o->sig_len = 0;
    const uint8_t *sig = NULL;
    if (o->cfg.trust.count) {
        err = fetch_small(o, "versions.sig", NULL, o->sig, sizeof o->sig, SDB_SIG_EFORMAT,
                          &o->sig_len, &resp);
        if (err == SDB_OTA_EHTTP && resp.status == 404)
            err = SDB_SIG_EMISSING;
        if (err)
            return err;
        sig = o->sig;
    }
    struct sdb_manifest_error merr;
    err = sdboot_ota_decide(&o->cfg.trust, o->cfg.board, o->cfg.force, o->manifest, o->manifest_len,
                            sig, o->sig_len, o->cfg.installed, &o->latest, &o->flags, &merr);
    const char *refused = o->cfg.refused;
    if (err == SDB_OK && !o->cfg.force && refused && !strcmp(o->latest.version, refused)) {
        /* the same bytes would be refused again: no download-and-reset loop */
        ota_log(o, "not downloading %s again: the bootloader refused it (%s)", refused,
                sdb_strerror(o->cfg.refused_error));
        err = SDB_OTA_EREFUSED;
    }
    /* Remember the ETag only for "up to date": after an update was found, the
     * next check must see the manifest again, not a 304, until it is staged. */
    if (err == SDB_OTA_UPTODATE)
        memcpy(o->etag, etag, sizeof o->etag);
    o->checked = err == SDB_OK;
    return err;
}

/* ---- the resume record: which download the .part file belongs to ---- */

static void resume_encode(const struct sdboot_ota *o, const char *etag, uint8_t out[512])
{
    memset(out, 0, 512);
    memcpy(out, RESUME_MAGIC, 8);
    memcpy(out + 8, o->latest.version, SDB_VERSION_MAX);
    memcpy(out + 72, o->latest.sha1, 20);
    memcpy(out + 92, o->latest.sha256, 32);
    snprintf((char *)out + 124, SDB_ETAG_MAX, "%s", etag);
    out[124 + SDB_ETAG_MAX] = o->delta ? 'D' : 'W'; /* what .part holds: delta archive or tar */
    uint32_t crc = sdb_crc32(0, out, 508);
    memcpy(out + 508, &crc, 4);
}

/* The ETag to resume with, if the record is for this very release. */
bool ota_resume_matches(struct sdboot_ota *o, char etag[SDB_ETAG_MAX])
{
    uint8_t rec[SDB_RECORD_SIZE], want[SDB_RECORD_SIZE];
    if (sdb_record_read_fio(o->fio, SDB_STAGE_RESUME, rec))
        return false;
    memcpy(etag, rec + 124, SDB_ETAG_MAX);
    etag[SDB_ETAG_MAX - 1] = '\0';
    resume_encode(o, etag, want);
    return !memcmp(rec, want, sizeof rec);
}

int ota_resume_write(struct sdboot_ota *o, const char *etag)
{
    uint8_t rec[SDB_RECORD_SIZE];
    resume_encode(o, etag, rec);
    return sdb_record_write_fio(o->fio, SDB_STAGE_RESUME, rec);
}

/* ---- the download ---- */

/* (Re)start both digests of the download. */
static int hashes_reset(struct dl *d)
{
    int err = sdb_sha1_init(&d->sha1);
    return err ? err : sdb_sha256_init(&d->sha256);
}

static int hashes_add(struct dl *d, const void *data, size_t len)
{
    int err = sdb_sha1_update(&d->sha1, data, len);
    return err ? err : sdb_sha256_update(&d->sha256, data, len);
}

/* Hash what an earlier attempt left in .part (up to `limit` bytes), so the
 * download goes on from there. */
static int hash_existing(struct dl *d, uint64_t limit)
{
    const sdb_fileio_t *fio = d->o->fio;
    void *f;
    uint8_t buf[512];
    size_t got;
    int err = fio->open(fio->ctx, SDB_STAGE_PART, SDB_FIO_READ, &f);
    if (err)
        return err;
    d->have = 0;
    while (d->have < limit) {
        size_t want = limit - d->have < sizeof buf ? (size_t)(limit - d->have) : sizeof buf;
        if ((err = fio->read(fio->ctx, f, buf, want, &got)) || !got ||
            (err = hashes_add(d, buf, got)))
            break;
        d->have += got;
    }
    int cerr = fio->close(fio->ctx, f);
    return err ? err : cerr;
}

static int open_part(struct dl *d, bool append)
{
    return d->o->fio->open(d->o->fio->ctx, SDB_STAGE_PART, append ? SDB_FIO_APPEND : SDB_FIO_CREATE,
                           &d->part);
}

/* .part reopened to write at d->have (a resumed delta rewrites its last
 * member in place, so the file may be longer than what is kept). */
static int open_part_at_have(struct dl *d)
{
    const sdb_fileio_t *fio = d->o->fio;
    int err = fio->open(fio->ctx, SDB_STAGE_PART, SDB_FIO_UPDATE, &d->part);
    if (!err && (err = fio->seek(fio->ctx, d->part, d->have)))
        fio->close(fio->ctx, d->part);
    return err;
}

int part_append(struct dl *d, const uint8_t *data, size_t len)
{
    struct sdboot_ota *o = d->o;
    int err;
    if (len > d->cap - d->have)
        return SDB_OTA_ESIZE;
    if ((err = o->fio->write(o->fio->ctx, d->part, data, len)))
        return err;
    if ((err = hashes_add(d, data, len)))
        return err;
    d->have += len;
    d->since_checkpoint += (uint32_t)len;
    if (d->since_checkpoint >= CHECKPOINT_BYTES && (err = part_checkpoint(d)))
        return err;
    if (o->cfg.progress)
        o->cfg.progress(o->cfg.ctx, d->have, o->latest.has_size ? o->latest.size : 0);
    return SDB_OK;
}

int part_checkpoint(struct dl *d)
{
    const sdb_fileio_t *fio = d->o->fio;
    d->since_checkpoint = 0;
    int err = fio->close(fio->ctx, d->part);
    return err ? err : open_part_at_have(d);
}

static int to_part(void *ctx, const uint8_t *data, size_t len)
{
    struct dl *d = ctx;
    struct sdboot_ota *o = d->o;
    int err;
    if (!d->started) {
        d->started = true;
        if (d->resp->status != 200 && d->resp->status != 206)
            return SDB_OTA_EHTTP;
        bool restart = d->have && !(d->resp->status == 206 && d->resp->range_honoured);
        if (restart) { /* Range ignored or the file changed: start over */
            o->fio->close(o->fio->ctx, d->part);
            if ((err = open_part(d, false)))
                return err;
            if ((err = hashes_reset(d)))
                return err;
            o->bytes_resumed = 0;
            d->have = 0;
        }
        if ((err = ota_resume_write(o, d->resp->etag)))
            return err;
    }
    o->bytes_downloaded += len;
    return part_append(d, data, len);
}

int part_reopen(struct dl *d, bool keep)
{
    int err = hashes_reset(d);
    if (err)
        return err;
    err = keep ? hash_existing(d, UINT64_MAX) : SDB_OK;
    if (err || !keep || !d->have) {
        d->have = 0;
        if ((err = hashes_reset(d)))
            return err;
        keep = false;
    }
    if (keep)
        ota_log(d->o, "resuming the download of %s%s", d->o->latest.version, "");
    d->since_checkpoint = 0;
    return open_part(d, keep);
}

int part_reopen_at(struct dl *d, uint64_t at)
{
    int err = hashes_reset(d);
    d->have = 0;
    d->since_checkpoint = 0;
    if (err || !at)
        return err ? err : open_part(d, false);
    if ((err = hash_existing(d, at)))
        return err;
    if (d->have != at)
        return SDB_FIO_EIO;
    ota_log(d->o, "resuming the download of %s%s", d->o->latest.version, "");
    return open_part_at_have(d);
}

static int download(struct sdboot_ota *o, struct dl *d, const char *url)
{
    char etag[SDB_ETAG_MAX] = "";
    int err = part_reopen(d, ota_resume_matches(o, etag));
    if (err)
        return err;
    o->bytes_resumed = d->have;
    for (unsigned attempt = 0;; attempt++) {
        struct sdb_http_request req = {.url = url, .offset = d->have, .if_range = etag};
        struct sdb_http_response *resp = &d->resp_store;
        d->resp = resp;
        d->started = false;
        err = o->http->get(o->http->ctx, &req, to_part, d, resp);
        if (!err && !d->started && resp->status != 200 && resp->status != 206)
            err = SDB_OTA_EHTTP;
        if (!err && !d->started && d->have == 0 && o->latest.has_size && o->latest.size)
            err = SDB_SIZE_EMISMATCH; /* an empty 200 for a release that has bytes */
        if (err == SDB_OK || !ota_retryable(err) || attempt + 1 >= o->cfg.retries)
            break;
        ota_log(o, "download: %s, resuming after a pause%s", sdb_strerror(err), "");
        memcpy(etag, resp->etag, sizeof etag);
        ota_backoff(o, attempt);
    }
    int cerr = o->fio->close(o->fio->ctx, d->part);
    return err ? err : cerr;
}

/* A whole download: size and hashes against the signed line, then staged
 * (with its index first, so the bootloader keeps it for the next delta). */
static int stage_whole(struct sdboot_ota *o, struct dl *d, const uint8_t sha1[SDB_SHA1_LEN],
                       const uint8_t sha256[SDB_SHA256_LEN])
{
    struct sdb_manifest_entry e = o->latest;
    int err = SDB_OK;
    if (e.has_size && d->have != e.size)
        err = SDB_SIZE_EMISMATCH;
    else if (memcmp(sha1, e.sha1, 20) || (e.has_sha256 && memcmp(sha256, e.sha256, 32)))
        err = SDB_HASH_EMISMATCH;
    if (err) { /* never resume from bytes that are known bad */
        sdboot_stage_discard(o->fio);
        return err;
    }
    memcpy(e.sha256, sha256, 32); /* the bootloader re-checks this */
    e.has_sha256 = e.has_size = true;
    e.size = d->have;
    if (e.has_index && !(o->flags & SDB_STAGE_GZIP) && !o->cfg.no_delta && !delta_keep_index(o))
        e.has_index = false; /* not kept: the record names none */
    return sdboot_stage_commit(o->fio, &e, o->flags);
}

/* A delta: every file was checked against the signed index as it arrived;
 * the record names the release it applies to and that index, kept beside it. */
static int stage_delta(struct sdboot_ota *o, struct dl *d, const uint8_t sha256[SDB_SHA256_LEN])
{
    struct sdb_stage_record rec = {.size = d->have,
                                   .flags = o->flags | SDB_STAGE_DELTA | SDB_STAGE_INDEXED};
    memcpy(rec.version, o->latest.version, sizeof rec.version);
    memcpy(rec.filename, o->latest.filename, sizeof rec.filename);
    memcpy(rec.board, o->latest.board, sizeof rec.board);
    memcpy(rec.base, o->delta_base, sizeof rec.base); /* the release it was planned against */
    memcpy(rec.sha256, sha256, 32);
    memcpy(rec.index_sha256, o->latest.index_sha256, 32);
    int err = o->fio->rename(o->fio->ctx, SDB_STAGE_INDEX_NEW, SDB_STAGE_INDEX);
    return err ? err : sdboot_stage_commit_record(o->fio, &rec);
}

int sdboot_ota_stage(struct sdboot_ota *o)
{
    if (!o->checked)
        return SDB_OTA_ENOTSTAGED;
    char url[SDB_OTA_URL_MAX];
    struct sdb_stage_space space;
    int err = ota_join_url(o->cfg.url, o->latest.filename, url);
    if (!err && (err = sdboot_stage_check(o->fio, &o->latest, &space)) == SDB_OTA_ENOSPACE) {
        char need[24], avail[24];
        snprintf(need, sizeof need, "%llu", (unsigned long long)space.need);
        snprintf(avail, sizeof avail, "%llu", (unsigned long long)space.avail);
        ota_log(o, "not downloaded: %s bytes needed, %s available", need, avail);
    }
    if (err || (err = sdboot_stage_begin(o->fio)))
        return err;
    struct dl d = {.o = o, .cap = o->latest.has_size ? o->latest.size : SDB_LIMIT_UNSIZED_BYTES};
    o->bytes_downloaded = 0;
    o->delta = false;
    o->delta_files_fetched = o->delta_files_unchanged = o->delta_requests = 0;
    o->delta_bytes_fetched = 0;
    err = SDB_OTA_ENODELTA;
    if (o->latest.has_index && o->latest.has_size && !o->cfg.no_delta &&
        !(o->flags & SDB_STAGE_GZIP))
        err = delta_download(o, &d, url);
    if (err == SDB_OTA_ENODELTA)
        err = download(o, &d, url);
    uint8_t sha1[SDB_SHA1_LEN], sha256[SDB_SHA256_LEN];
    int h1 = sdb_sha1_finish(&d.sha1, sha1), h256 = sdb_sha256_finish(&d.sha256, sha256);
    if (err == SDB_FIO_ENOSPC)
        sdboot_stage_discard(o->fio); /* it cannot complete: give the space back */
    if (err || (err = h1) || (err = h256))
        return err; /* otherwise .part and its resume record stay: the next attempt resumes */
    err = o->delta ? stage_delta(o, &d, sha256) : stage_whole(o, &d, sha1, sha256);
    if (err)
        return err;
    o->fio->remove(o->fio->ctx, SDB_STAGE_RESUME);
    o->fio->remove(o->fio->ctx, SDB_STAGE_INDEX_OLD);
    ota_log(o, "staged %s%s: installed at the next boot", o->latest.version, "");
    return SDB_OK;
}

int sdboot_ota_install_update_if_available(struct sdboot_ota *o, bool *restart)
{
    *restart = false;
    int err = sdboot_ota_check(o);
    if (err == SDB_OTA_UPTODATE)
        return SDB_OK;
    if (err || (err = sdboot_ota_stage(o)))
        return err;
    *restart = true;
    return SDB_OK;
}
