/* The delta plan (delta_plan.h): a merge of two sorted index streams. */
#include "delta_plan.h"
#include "sdboot/ota.h"
#include <string.h>

static int on_piece(void *ctx, const struct sdb_index_piece *pc)
{
    struct idx_stream *s = ctx;
    s->piece = *pc;
    s->have = true;
    return SDB_OK;
}

static int stream_open(struct idx_stream *s, const sdb_fileio_t *fio, const char *path,
                       const struct sdb_index_limits *lim)
{
    memset(s, 0, sizeof *s);
    s->fio = fio;
    sdb_index_init(&s->r, lim, on_piece, s);
    int err = fio->open(fio->ctx, path, SDB_FIO_READ, &s->f);
    s->open = err == SDB_OK;
    return err;
}

/* Next piece or directory; *out NULL at the end of a complete index. */
static int stream_next(struct idx_stream *s, const struct sdb_index_piece **out)
{
    s->have = false;
    while (!s->have) {
        if (s->pos == s->len) {
            size_t got;
            int err = s->fio->read(s->fio->ctx, s->f, s->buf, sizeof s->buf, &got);
            if (err)
                return err;
            if (!got) {
                *out = NULL;
                return sdb_index_finish(&s->r);
            }
            s->pos = 0;
            s->len = (uint32_t)got;
        }
        int err = sdb_index_feed(&s->r, &s->buf[s->pos++], 1);
        if (err)
            return err;
    }
    *out = &s->piece;
    return SDB_OK;
}

static int old_advance(struct delta_plan *p)
{
    return stream_next(&p->old, &p->old_cur);
}

int delta_plan_open(struct delta_plan *p, const sdb_fileio_t *fio, const char *new_index,
                    const char *old_index, const struct sdb_index_limits *lim)
{
    memset(p, 0, sizeof *p);
    int err = stream_open(&p->now, fio, new_index, lim);
    if (!err)
        err = stream_open(&p->old, fio, old_index, lim);
    if (!err)
        err = old_advance(p);
    return err;
}

void delta_plan_close(struct delta_plan *p)
{
    if (p->now.open)
        p->now.fio->close(p->now.fio->ctx, p->now.f);
    if (p->old.open)
        p->old.fio->close(p->old.fio->ctx, p->old.f);
    p->now.open = p->old.open = false;
}

uint64_t delta_plan_new_size(const struct delta_plan *p)
{
    return p->now.r.tar_size;
}

/* Old stream moved to the entry `path` (or past where it would be). */
static int old_seek(struct delta_plan *p, const char *path)
{
    int err = SDB_OK;
    while (!err && p->old_cur) {
        const struct sdb_index_piece *o = p->old_cur;
        if (o->kind != SDB_INDEX_META && strcmp(o->path, path) >= 0)
            break;
        err = old_advance(p);
    }
    return err;
}

int delta_plan_next(struct delta_plan *p, struct delta_action *a, bool *done)
{
    *done = false;
    for (;;) {
        const struct sdb_index_piece *f;
        int err = stream_next(&p->now, &f);
        if (err)
            return err;
        if (!f) {
            *done = true;
            return SDB_OK;
        }
        if (f->kind == SDB_INDEX_META)
            continue;
        if ((err = old_seek(p, f->path)))
            return err;
        const struct sdb_index_piece *o = p->old_cur;
        bool found = o && !strcmp(o->path, f->path);
        if (found && o->kind != f->kind)
            return SDB_OTA_ENODELTA; /* a file became a directory, or the reverse */
        if (f->kind == SDB_INDEX_DIR && !found) {
            p->new_dir = true;
            return SDB_OTA_ENODELTA;
        }
        if (f->kind != SDB_INDEX_FILE)
            continue;
        bool keep = found && o->length == f->length && !memcmp(o->sha256, f->sha256, 32);
        *a = (struct delta_action){.offset = f->offset, .length = f->length, .fetch = !keep};
        memcpy(a->sha256, f->sha256, 32);
        memcpy(a->path, f->path, sizeof a->path);
        if (keep)
            p->files_same++;
        else
            p->files_fetch++;
        return SDB_OK;
    }
}

int delta_index_check(struct idx_stream *s, const sdb_fileio_t *fio, const char *path,
                      const struct sdb_index_limits *lim, uint64_t *tar_size)
{
    int err = stream_open(s, fio, path, lim);
    const struct sdb_index_piece *pc = &s->piece;
    while (!err && pc)
        err = stream_next(s, &pc);
    if (s->open)
        fio->close(fio->ctx, s->f);
    s->open = false;
    *tar_size = s->r.tar_size;
    return err;
}
