/* Index against tar (release_index.h). Host code: whole files in memory. */
#include "release_index.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "sdboot/fileio.h"
#include "sdboot/hash.h"
#include "sdboot/tar.h"

#define TAR_MAX_BYTES (1ull << 30)

static int keep_piece(void *ctx, const struct sdb_index_piece *p)
{
    struct release_index *ix = ctx;
    struct sdb_index_piece *grown = realloc(ix->pieces, (ix->count + 1) * sizeof *grown);
    if (!grown)
        return SDB_E_BUFSIZE;
    ix->pieces = grown;
    ix->pieces[ix->count++] = *p;
    ix->files += p->kind == SDB_INDEX_FILE;
    ix->dirs += p->kind == SDB_INDEX_DIR;
    return SDB_OK;
}

/* The tar's entries as the device's reader sees them, with data offsets. */
struct member {
    bool dir;
    uint64_t offset, size;
    char path[SDB_TAR_PATH_MAX + 1];
};

struct members {
    struct member *m;
    unsigned count;
    uint64_t fed; /* tar bytes fed before the current block */
};

static int on_member(void *ctx, const struct sdb_tar_entry *e)
{
    struct members *ms = ctx;
    struct member *grown = realloc(ms->m, (ms->count + 1) * sizeof *grown);
    if (!grown)
        return SDB_E_BUFSIZE;
    ms->m = grown;
    struct member *m = &ms->m[ms->count++];
    m->dir = e->type == SDB_TAR_DIR;
    m->offset = ms->fed + 512; /* fed one block at a time: data starts after it */
    m->size = e->size;
    snprintf(m->path, sizeof m->path, "%s", e->path);
    return SDB_OK;
}

static int read_members(const uint8_t *tar, size_t len, struct members *ms)
{
    static uint64_t names[8192];
    static struct sdb_tar t;
    struct sdb_tar_ops ops = {.begin = on_member, .ctx = ms};
    sdb_tar_init(&t, &ops, NULL, names, 8192, NULL, 0);
    int err = SDB_OK;
    for (ms->fed = 0; !err && ms->fed < len; ms->fed += 512)
        err = sdb_tar_feed(&t, tar + ms->fed, len - ms->fed < 512 ? len - ms->fed : 512);
    return err ? err : sdb_tar_finish(&t);
}

static int fail_at(struct release_index *ix, unsigned i, int err)
{
    ix->bad_line = i + 2; /* line 1 is the header */
    snprintf(ix->bad_path, sizeof ix->bad_path, "%s", ix->pieces[i].path);
    return err;
}

static bool piece_hash_ok(const uint8_t *tar, const struct sdb_index_piece *p)
{
    uint8_t h[32];
    struct sdb_sha256 s;
    sdb_sha256_init(&s);
    sdb_sha256_update(&s, tar + p->offset, (size_t)p->length);
    sdb_sha256_finish(&s, h);
    return !memcmp(h, p->sha256, 32);
}

/* Entries in the same order, kind, path, offset and size first (so a moved
 * boundary is reported as such, not by the hash it breaks); then every hash. */
static int compare(struct release_index *ix, const uint8_t *tar, const struct members *ms)
{
    unsigned k = 0;
    for (unsigned i = 0; i < ix->count; i++) {
        const struct sdb_index_piece *p = &ix->pieces[i];
        if (p->kind == SDB_INDEX_META)
            continue;
        const struct member *m = k < ms->count ? &ms->m[k++] : NULL;
        if (!m || m->dir != (p->kind == SDB_INDEX_DIR) || strcmp(m->path, p->path))
            return fail_at(ix, i, SDB_IDX_EPATH);
        if (p->kind == SDB_INDEX_FILE && m->offset != p->offset)
            return fail_at(ix, i, SDB_IDX_EOFFSET);
        if (p->kind == SDB_INDEX_FILE && m->size != p->length)
            return fail_at(ix, i, SDB_IDX_ESIZE);
    }
    if (k != ms->count) { /* the tar has entries the index does not name */
        ix->bad_line = ix->count + 1;
        snprintf(ix->bad_path, sizeof ix->bad_path, "%s", ms->m[k].path);
        return SDB_IDX_EPATH;
    }
    for (unsigned i = 0; i < ix->count; i++)
        if (ix->pieces[i].kind != SDB_INDEX_DIR && !piece_hash_ok(tar, &ix->pieces[i]))
            return fail_at(ix, i, SDB_IDX_EHASH);
    return SDB_OK;
}

int release_index_check(const char *tar_path, const uint8_t *want_sha256, struct release_index *ix)
{
    memset(ix, 0, sizeof *ix);
    char path[4200];
    snprintf(path, sizeof path, "%s" SDB_INDEX_SUFFIX, tar_path);
    uint8_t *text = NULL, *tar = NULL;
    size_t text_len, tar_len;
    if (cli_read_file(path, SDB_INDEX_DEFAULT_MAX_BYTES + 1, &text, &text_len))
        return errno == ENOENT ? SDB_FIO_ENOENT : errno == EFBIG ? SDB_IDX_ETOOBIG : SDB_FIO_EIO;
    struct sdb_sha256 s;
    sdb_sha256_init(&s);
    sdb_sha256_update(&s, text, text_len);
    sdb_sha256_finish(&s, ix->sha256);
    int err = want_sha256 && memcmp(want_sha256, ix->sha256, 32) ? SDB_IDX_EMISMATCH : SDB_OK;
    struct sdb_index_reader r;
    sdb_index_init(&r, NULL, keep_piece, ix);
    if (!err && (err = sdb_index_feed(&r, text, text_len)) == SDB_OK)
        err = sdb_index_finish(&r);
    if (err && err != SDB_IDX_EMISMATCH)
        ix->bad_line = r.line_no;
    free(text);
    ix->tar_size = r.tar_size;
    if (err)
        return err;
    if (cli_read_file(tar_path, TAR_MAX_BYTES, &tar, &tar_len))
        return errno == ENOENT ? SDB_FIO_ENOENT : SDB_FIO_EIO;
    struct members ms = {0};
    if (tar_len != ix->tar_size)
        err = SDB_IDX_ETRUNCATED;
    else if (!(err = read_members(tar, tar_len, &ms)))
        err = compare(ix, tar, &ms);
    free(ms.m);
    free(tar);
    return err;
}

void release_index_free(struct release_index *ix)
{
    free(ix->pieces);
    ix->pieces = NULL;
}
