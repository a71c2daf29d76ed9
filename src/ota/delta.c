/*
 * Delta download (ota_internal.h): only the files of the new release that the
 * installed one does not have alike (same path, size and SHA-256 in both
 * signed indexes) are fetched, with HTTP Range requests into the published
 * tar, each checked against the SHA-256 its signed index gives as it arrives.
 * They are staged as a small plain tar of their own (a header written here,
 * the data as fetched), beside the new index: the bootloader installs that
 * delta by writing those files only (docs/boot.md, "Delta install"). Nothing
 * else of the release is written or copied on the card.
 *
 * Requests ask for up to DELTA_RANGES ranges at once; the answer must be
 * multipart/byteranges with the parts as asked, or a single 206 for the first
 * of them (the rest are then asked one per request). 200 (Range ignored) falls
 * back to the whole download; a part that is not what was asked is refused
 * before a byte of it is written; bytes that fail their hash are refused and
 * dropped. .part always holds a prefix of the delta archive, checkpointed
 * after each file: a cut download resumes at the start of the last member it
 * reached (rewritten in place).
 * A delta larger than half the release is not worth keeping beside the base
 * archive: the release is then downloaded whole.
 *
 * RAM: the work area in struct sdboot_ota (SDB_OTA_DELTA_WORK). Stack < 1 KiB.
 */
#include <stdio.h>
#include <string.h>
#include "byteranges.h"
#include "delta_plan.h"
#include "ota_internal.h"
#include "sdboot/record.h"
#include "sdboot/stage.h"

#define DELTA_RANGES 16 /* byte ranges asked in one request */

/* Two walks of the same plan: `exec` is consumed in order as bytes go into
 * .part; `ahead` runs in front of it to find the ranges of the next request. */
struct delta {
    struct delta_plan exec, ahead;
    struct delta_action cur; /* exec's action being done */
    bool have_cur, exec_done;
    uint64_t cur_done; /* bytes of cur's data in .part */
    struct sdb_sha256 piece;
    struct delta_action ahead_next; /* read by ahead, not yet in a request */
    bool ahead_has_next, ahead_done;
    const char *old_index;
    bool single_range, resume_written, multipart, started;
    uint64_t member_at; /* where the next fetched file's member starts in .part */
    uint64_t resume_at; /* members starting before this are in .part already */
    struct sdb_tar_writer tw;
    struct dl *d;
    struct sdboot_ota *o;
    struct byteranges mp;
    uint64_t run_first[DELTA_RANGES], run_end[DELTA_RANGES]; /* ranges asked */
    unsigned runs, run;                                      /* asked, received */
    uint64_t part_left;
    char range[SDB_HTTP_RANGES_MAX];
    uint8_t buf[4096];
};

_Static_assert(sizeof(struct delta) <= SDB_OTA_DELTA_WORK, "SDB_OTA_DELTA_WORK too small");
_Static_assert(DELTA_RANGES * 42 < SDB_HTTP_RANGES_MAX, "two 20-digit numbers, '-' and ','");

/* ---- the indexes: the new one fetched, the installed one kept or fetched ---- */

struct file_sink {
    struct sdboot_ota *o;
    void *f;
    struct sdb_sha256 h;
    uint64_t len;
    const struct sdb_http_response *resp;
};

static int to_file(void *ctx, const uint8_t *data, size_t len)
{
    struct file_sink *s = ctx;
    if (s->resp->status != 200)
        return SDB_OK; /* an error page: its status decides */
    if (len > SDB_INDEX_DEFAULT_MAX_BYTES - s->len)
        return SDB_IDX_ETOOBIG;
    s->len += len;
    s->o->bytes_downloaded += len;
    sdb_sha256_update(&s->h, data, len);
    return s->o->fio->write(s->o->fio->ctx, s->f, data, len);
}

/* GET name into path; its SHA-256 must be want. */
static int fetch_index(struct sdboot_ota *o, const char *name, const char *path,
                       const uint8_t want[32])
{
    char url[SDB_OTA_URL_MAX];
    int err = ota_join_url(o->cfg.url, name, url);
    if (err)
        return err;
    struct sdb_http_request req = {.url = url};
    struct sdb_http_response resp;
    for (unsigned attempt = 0;; attempt++) {
        struct file_sink s = {.o = o, .resp = &resp};
        sdb_sha256_init(&s.h);
        if ((err = o->fio->open(o->fio->ctx, path, SDB_FIO_CREATE, &s.f)))
            return err;
        err = o->http->get(o->http->ctx, &req, to_file, &s, &resp);
        int cerr = o->fio->close(o->fio->ctx, s.f);
        uint8_t got[32];
        sdb_sha256_finish(&s.h, got);
        err = err ? err : cerr;
        if (!err && resp.status != 200)
            err = SDB_OTA_EHTTP;
        else if (!err && memcmp(got, want, 32))
            err = SDB_IDX_EMISMATCH;
        if (!err || !ota_retryable(err) || attempt + 1 >= o->cfg.retries) {
            if (err)
                o->fio->remove(o->fio->ctx, path);
            return err;
        }
        ota_backoff(o, attempt);
    }
}

/* True when the file at path hashes to want (the index kept from last time). */
static bool file_hashes_to(struct sdboot_ota *o, const char *path, const uint8_t want[32],
                           uint8_t *buf, size_t cap)
{
    void *f;
    if (o->fio->open(o->fio->ctx, path, SDB_FIO_READ, &f))
        return false;
    struct sdb_sha256 h;
    sdb_sha256_init(&h);
    size_t got;
    int err;
    while ((err = o->fio->read(o->fio->ctx, f, buf, cap, &got)) == SDB_OK && got)
        sdb_sha256_update(&h, buf, got);
    o->fio->close(o->fio->ctx, f);
    uint8_t sum[32];
    sdb_sha256_finish(&h, sum);
    return !err && !memcmp(sum, want, 32);
}

struct find_line {
    const char *version;
    struct sdb_manifest_entry e;
    bool found;
};

static int find_version(void *ctx, const struct sdb_manifest_entry *e)
{
    struct find_line *f = ctx;
    if (!strcmp(e->version, f->version)) {
        f->e = *e;
        f->found = true;
    }
    return SDB_OK;
}

static void index_name(const char *filename, char out[SDB_FILENAME_MAX + 8])
{
    snprintf(out, SDB_FILENAME_MAX + 8, "%s" SDB_INDEX_SUFFIX, filename);
}

/* The release a delta is made against: the installed one when it was
 * installed whole; under an installed delta, its base, the release whose
 * whole archive the bootloader keeps (current.tar's record names it), so
 * that any number of deltas stay one delta over the base each. */
static int find_base(struct sdboot_ota *o, uint64_t *kept_delta)
{
    *kept_delta = 0;
    snprintf(o->delta_base, sizeof o->delta_base, "%s", o->cfg.installed);
    if (o->fio->size(o->fio->ctx, SDB_CURRENT_DELTA, kept_delta))
        return SDB_OK; /* installed whole */
    uint8_t buf[SDB_RECORD_SIZE];
    struct sdb_stage_record rec;
    if (sdb_record_read_fio(o->fio, SDB_CURRENT_RECORD, buf) ||
        sdb_stage_record_decode(buf, &rec)) {
        ota_log(o,
                "the installed release %s is a delta and the card keeps no record of its "
                "base: whole download%s",
                o->cfg.installed, "");
        return SDB_OTA_ENODELTA;
    }
    memcpy(o->delta_base, rec.version, sizeof o->delta_base);
    return SDB_OK;
}

/* Both indexes on the card, or SDB_OTA_ENODELTA with the reason logged. The
 * base's is the bootloader's (SDB_CURRENT_INDEX, or SDB_BASE_INDEX under an
 * installed delta): a delta is made only against what the bootloader can
 * check it with. *kept_delta: the installed delta's size (0: none), which
 * the card keeps beside the new one until it is confirmed. */
static int prepare_indexes(struct delta *w, const char **old_path, uint64_t *kept_delta)
{
    struct sdboot_ota *o = w->o;
    if (o->cfg.last_install_error) {
        ota_log(o, "the bootloader's last install failed (%s): whole download%s",
                sdb_strerror(o->cfg.last_install_error), "");
        return SDB_OTA_ENODELTA;
    }
    int err = find_base(o, kept_delta);
    if (err)
        return err;
    struct find_line old = {.version = o->delta_base};
    sdb_manifest_parse((const char *)o->manifest, o->manifest_len, find_version, &old, NULL);
    uint64_t tar_size;
    if (!old.found || !old.e.has_index || !old.e.has_size) {
        ota_log(o, "no index for %s%s: whole download", o->delta_base,
                *kept_delta ? " (the base of the installed delta)" : "");
        return SDB_OTA_ENODELTA;
    }
    *old_path = *kept_delta ? SDB_BASE_INDEX : SDB_CURRENT_INDEX;
    if (!file_hashes_to(o, *old_path, old.e.index_sha256, w->buf, sizeof w->buf)) {
        ota_log(o, "the card keeps no index of %s: whole download%s", o->delta_base, "");
        return SDB_OTA_ENODELTA;
    }
    char name[SDB_FILENAME_MAX + 8];
    if (!file_hashes_to(o, SDB_STAGE_INDEX_NEW, o->latest.index_sha256, w->buf, sizeof w->buf)) {
        index_name(o->latest.filename, name);
        err = fetch_index(o, name, SDB_STAGE_INDEX_NEW, o->latest.index_sha256);
        if (err == SDB_OTA_EHTTP) {
            ota_log(o, "%s not on the server: whole download%s", name, "");
            return SDB_OTA_ENODELTA;
        }
        if (err)
            return err;
    }
    /* The new index is read whole before a byte is fetched by it: a bad one is
     * refused with its rule's code while .part is still untouched. */
    struct sdb_index_limits lim = {0};
    if ((err = delta_index_check(&w->exec.now, o->fio, SDB_STAGE_INDEX_NEW, &lim, &tar_size)))
        return err;
    if (tar_size != o->latest.size)
        return SDB_IDX_ESIZE;
    /* the installed index is signed too, but a device limit may still refuse it */
    if ((err = delta_index_check(&w->exec.now, o->fio, *old_path, &lim, &tar_size)) ||
        tar_size != old.e.size) {
        ota_log(o, "installed index unusable (%s): whole download%s",
                sdb_strerror(err ? err : SDB_IDX_ESIZE), "");
        return SDB_OTA_ENODELTA;
    }
    return SDB_OK;
}

/* ---- fetched files into .part as tar members, in the new tar's order ---- */

static int open_plan(struct delta *w, struct delta_plan *p)
{
    struct sdb_index_limits lim = {0};
    return delta_plan_open(p, w->o->fio, SDB_STAGE_INDEX_NEW, w->old_index, &lim);
}

/* Bytes of .part a fetched file takes: its header (a GNU long name past 99
 * bytes, as sdb_tar_write_header writes it) and its data padded to a block. */
static uint64_t member_size(const struct delta_action *a)
{
    size_t n = strlen(a->path);
    uint64_t header = n > 99 ? 512u + (n + 1 + 511) / 512 * 512 + 512u : 512u;
    return header + (a->length + 511) / 512 * 512;
}

#define END_BLOCKS 1024u /* two zero blocks end the delta archive */

static int to_part_writer(void *ctx, const void *data, size_t len)
{
    return part_append(ctx, data, len);
}

/* Bytes of cur's data arrived: appended, hashed, checked at its end. */
static int piece_bytes(struct delta *w, const uint8_t *data, size_t len)
{
    int err = len ? sdb_tar_write_data(&w->tw, data, len) : SDB_OK;
    if (err)
        return err;
    sdb_sha256_update(&w->piece, data, len);
    if ((w->cur_done += len) < w->cur.length)
        return SDB_OK;
    uint8_t sum[32];
    sdb_sha256_finish(&w->piece, sum);
    w->have_cur = false;
    if (memcmp(sum, w->cur.sha256, 32)) /* the server's bytes are not the signed ones */
        return SDB_IDX_EHASH;
    w->o->delta_bytes_fetched += w->cur.length;
    return part_checkpoint(w->d); /* a cut resumes after the last whole file */
}

/* exec's next file to fetch not yet in .part: its header written. Empty
 * files are done at once; the caller fetches the data of a longer one. */
static int exec_next(struct delta *w)
{
    while (!w->have_cur && !w->exec_done) {
        int err = delta_plan_next(&w->exec, &w->cur, &w->exec_done);
        if (err)
            return err;
        if (w->exec_done || !w->cur.fetch)
            continue;
        uint64_t start = w->member_at;
        w->member_at += member_size(&w->cur);
        if (start < w->resume_at)
            continue; /* in .part already (a resumed download) */
        w->have_cur = true;
        w->cur_done = 0;
        sdb_sha256_init(&w->piece);
        if ((err = sdb_tar_write_header(&w->tw, w->cur.path, SDB_TAR_FILE, w->cur.length, 0644)))
            return err;
        if (!w->cur.length && (err = piece_bytes(w, NULL, 0)))
            return err;
    }
    return SDB_OK;
}

/* The whole plan once, before anything is written: the delta archive's size,
 * the bytes it fetches, and where a resumed .part of `have` bytes restarts
 * (the start of the last member it reached: its tail may be unchecked). */
static int measure(struct delta *w, uint64_t have, uint64_t *size, uint64_t *resume_at)
{
    struct delta_plan *p = &w->exec;
    int err = open_plan(w, p);
    uint64_t at = 0;
    *resume_at = 0;
    for (bool done = false; !err;) {
        struct delta_action a;
        if ((err = delta_plan_next(p, &a, &done)) || done)
            break;
        if (!a.fetch)
            continue;
        if (at < have)
            *resume_at = at;
        at += member_size(&a);
    }
    delta_plan_close(p);
    *size = at + END_BLOCKS;
    return err;
}

/* ---- one request: the next ranges to fetch ---- */

static int ahead_take(struct delta *w, struct delta_action *a)
{
    if (w->ahead_has_next) {
        *a = w->ahead_next;
        w->ahead_has_next = false;
        return SDB_OK;
    }
    return delta_plan_next(&w->ahead, a, &w->ahead_done);
}

/* Start ahead again from where exec stands (after an answer that stopped short). */
static int ahead_reset(struct delta *w)
{
    delta_plan_close(&w->ahead);
    w->ahead_has_next = w->ahead_done = false;
    return open_plan(w, &w->ahead);
}

/* Up to DELTA_RANGES runs of pieces to fetch, from exec's position on. */
static int build_ranges(struct delta *w)
{
    unsigned max = w->single_range ? 1 : DELTA_RANGES;
    uint64_t pos = w->cur.offset + w->cur_done;
    size_t used = 0;
    bool in_run = false;
    w->runs = 0;
    while (!w->ahead_done) {
        struct delta_action a;
        int err = ahead_take(w, &a);
        if (err)
            return err;
        if (w->ahead_done || a.offset + a.length <= pos)
            continue;
        if (!a.fetch) {
            in_run = false;
            continue;
        }
        uint64_t first = a.offset > pos ? a.offset : pos, end = a.offset + a.length;
        if (in_run && first == w->run_end[w->runs - 1]) {
            w->run_end[w->runs - 1] = end;
            continue;
        }
        if (!a.length)
            continue;
        if (w->runs == max) {
            w->ahead_next = a;
            w->ahead_has_next = true;
            break;
        }
        w->run_first[w->runs] = first;
        w->run_end[w->runs++] = end;
        in_run = true;
    }
    for (unsigned i = 0; i < w->runs; i++)
        used += (size_t)snprintf(w->range + used, sizeof w->range - used, "%s%llu-%llu",
                                 i ? "," : "", (unsigned long long)w->run_first[i],
                                 (unsigned long long)(w->run_end[i] - 1));
    return w->runs ? SDB_OK : SDB_E_INTERNAL;
}

static int on_part(void *ctx, uint64_t first, uint64_t last)
{
    struct delta *w = ctx;
    int err = exec_next(w);
    if (err)
        return err;
    /* several asked and not answered as asked: ask one at a time; one: refuse */
    int wrong = w->multipart || w->runs > 1 ? SDB_OTA_EMULTI : SDB_OTA_ERANGE;
    if (w->run >= w->runs || w->exec_done)
        return wrong;
    if (first != w->run_first[w->run] || last + 1 != w->run_end[w->run] ||
        first != w->cur.offset + w->cur_done)
        return wrong;
    w->run++;
    w->part_left = last - first + 1;
    return SDB_OK;
}

static int on_data(void *ctx, const uint8_t *data, size_t len)
{
    struct delta *w = ctx;
    if (len > w->part_left)
        return SDB_OTA_ERANGE;
    w->part_left -= len;
    while (len) {
        int err = exec_next(w);
        if (err)
            return err;
        if (w->exec_done || !w->cur.fetch)
            return SDB_OTA_ERANGE;
        uint64_t left = w->cur.length - w->cur_done;
        size_t n = left < len ? (size_t)left : len;
        if ((err = piece_bytes(w, data, n)))
            return err;
        data += n;
        len -= n;
    }
    return SDB_OK;
}

static int delta_sink(void *ctx, const uint8_t *data, size_t len)
{
    struct delta *w = ctx;
    const struct sdb_http_response *resp = w->d->resp;
    int err;
    if (!w->started) {
        w->started = true;
        if (resp->status == 200)
            return SDB_OTA_ENORANGE;
        if (resp->status != 206)
            return SDB_OTA_EHTTP;
        if (!w->resume_written && (err = ota_resume_write(w->o, resp->etag)))
            return err;
        w->resume_written = true;
        w->multipart = byteranges_init(&w->mp, resp->content_type) == SDB_OK;
        if (!w->multipart) {
            if (!resp->has_content_range)
                return SDB_OTA_ERANGE;
            if ((err = on_part(w, resp->range_first, resp->range_last)))
                return err;
        }
    }
    if (w->multipart) {
        struct byteranges_ops ops = {on_part, on_data, w};
        return byteranges_feed(&w->mp, data, len, &ops);
    }
    return on_data(w, data, len);
}

static int request(struct delta *w, const char *url)
{
    struct sdb_http_request req = {.url = url, .ranges = w->range};
    struct sdb_http_response *resp = &w->d->resp_store;
    w->started = w->multipart = false;
    w->run = 0;
    w->part_left = 0;
    w->d->resp = resp;
    w->o->delta_requests++;
    int err = w->o->http->get(w->o->http->ctx, &req, delta_sink, w, resp);
    w->o->bytes_downloaded += resp->received;
    if (!err && !w->started)
        err = resp->status == 200   ? SDB_OTA_ENORANGE
              : resp->status == 206 ? SDB_OTA_ERANGE
                                    : SDB_OTA_EHTTP;
    if (!err && w->multipart)
        err = byteranges_finish(&w->mp);
    if (!err && w->part_left)
        err = SDB_NET_ELENGTH;
    return err;
}

static int run(struct delta *w, const char *url)
{
    struct sdboot_ota *o = w->o;
    int err = SDB_OK;
    for (unsigned attempt = 0; !err;) {
        if ((err = exec_next(w)) || w->exec_done)
            break;
        if ((err = build_ranges(w)) || (err = request(w, url)) == SDB_OK) {
            if (!err && w->run < w->runs && !w->single_range) { /* one range for several */
                ota_log(o, "server answers one range at a time%s%s", "", "");
                w->single_range = true;
                err = ahead_reset(w);
            }
            continue;
        }
        if (err == SDB_OTA_EMULTI && !w->single_range) {
            ota_log(o, "server answers several ranges unlike asked: one per request%s%s", "", "");
            w->single_range = true;
        } else if (ota_retryable(err) && attempt + 1 < o->cfg.retries) {
            ota_log(o, "delta: %s, resuming after a pause%s", sdb_strerror(err), "");
            ota_backoff(o, attempt++);
        } else {
            break;
        }
        err = ahead_reset(w);
    }
    return err;
}

/* The end of the delta archive: the last member's padding, two zero blocks. */
static int write_end(struct delta *w)
{
    static const uint8_t zeros[512];
    size_t pad = (size_t)((512 - w->d->have % 512) % 512);
    int err = pad ? part_append(w->d, zeros, pad) : SDB_OK;
    for (unsigned i = 0; !err && i < END_BLOCKS / 512; i++)
        err = part_append(w->d, zeros, sizeof zeros);
    return err;
}

int delta_download(struct sdboot_ota *o, struct dl *d, const char *url)
{
    struct delta *w = (struct delta *)(void *)o->delta_work;
    memset(w, 0, sizeof *w);
    w->o = o;
    w->d = d;
    uint64_t kept_delta;
    int err = prepare_indexes(w, &w->old_index, &kept_delta);
    if (err)
        return err;
    o->delta = true; /* the resume record says which kind of .part it is */
    char etag[SDB_ETAG_MAX] = "";
    uint64_t have = 0, size;
    bool keep = ota_resume_matches(o, etag);
    if (keep && o->fio->size(o->fio->ctx, SDB_STAGE_PART, &have))
        have = 0;
    if ((err = measure(w, have, &size, &w->resume_at))) {
        if (err == SDB_OTA_ENODELTA)
            ota_log(o, "%s: whole download%s",
                    w->exec.new_dir
                        ? "the release adds a directory"
                        : "a path is a file in one release and a directory in the other",
                    "");
        o->delta = false;
        return err;
    }
    /* Kept space (docs/design.md, invariant 6): the new delta, and the
     * installed one kept beside it until confirmed, at most half the release. */
    if (size + kept_delta > o->latest.size / 2) {
        ota_log(o, "%s: whole download",
                kept_delta ? "the changed files with the installed delta are more than half the "
                             "release"
                           : "the changed files are more than half the release",
                "");
        o->delta = false;
        return SDB_OTA_ENODELTA;
    }
    if ((err = part_reopen_at(d, w->resume_at))) {
        o->delta = false;
        return err;
    }
    o->bytes_resumed = d->have;
    w->tw = (struct sdb_tar_writer){.out = to_part_writer, .ctx = d, .written = d->have};
    w->member_at = 0;
    err = open_plan(w, &w->exec);
    if (!err)
        err = open_plan(w, &w->ahead);
    if (!err)
        err = run(w, url);
    if (!err)
        err = write_end(w);
    o->delta_files_fetched = w->exec.files_fetch;
    o->delta_files_unchanged = w->exec.files_same;
    delta_plan_close(&w->exec);
    delta_plan_close(&w->ahead);
    int cerr = o->fio->close(o->fio->ctx, d->part);
    err = err ? err : cerr;
    if (!err && d->have != size)
        err = SDB_IDX_ETRUNCATED;
    if (err == SDB_OTA_ENORANGE) {
        ota_log(o, "server ignores Range: whole download%s%s", "", "");
        err = SDB_OTA_ENODELTA;
    }
    if (err == SDB_IDX_EHASH || err == SDB_OTA_ENODELTA) { /* bytes in .part not to resume from */
        o->fio->remove(o->fio->ctx, SDB_STAGE_PART);
        o->fio->remove(o->fio->ctx, SDB_STAGE_RESUME);
    }
    if (err == SDB_OTA_ENODELTA)
        o->delta = false;
    return err;
}

bool delta_keep_index(struct sdboot_ota *o)
{
    char name[SDB_FILENAME_MAX + 8];
    index_name(o->latest.filename, name);
    int err = fetch_index(o, name, SDB_STAGE_INDEX_NEW, o->latest.index_sha256);
    if (!err)
        err = o->fio->rename(o->fio->ctx, SDB_STAGE_INDEX_NEW, SDB_STAGE_INDEX);
    if (err)
        ota_log(o, "index not kept (%s): the next update is a whole download%s", sdb_strerror(err),
                "");
    return err == SDB_OK;
}
