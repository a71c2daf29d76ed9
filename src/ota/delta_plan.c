/* The delta plan (delta_plan.h): a merge of two sorted index streams. */
#include "delta_plan.h"
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

static bool same(const struct sdb_index_piece *a, const struct sdb_index_piece *b)
{
    return a->length == b->length && !memcmp(a->sha256, b->sha256, 32);
}

static void queue(struct delta_plan *p, const struct sdb_index_piece *pc,
                  const struct sdb_index_piece *from)
{
    struct delta_action *a = &p->queue[p->queued++];
    *a = (struct delta_action){.offset = pc->offset,
                               .length = pc->length,
                               .fetch = !from,
                               .is_file = pc->kind == SDB_INDEX_FILE};
    a->src = from ? from->offset : 0;
    memcpy(a->sha256, pc->sha256, 32);
}

/* Old stream moved to the file `path` (or past where it would be); NULL: to the end. */
static int old_seek(struct delta_plan *p, const char *path)
{
    int err = SDB_OK;
    while (!err && p->old_cur) {
        const struct sdb_index_piece *o = p->old_cur;
        if (o->kind == SDB_INDEX_META) {
            p->old_m = *o;
            p->have_old_m = true;
        } else if (o->kind == SDB_INDEX_FILE && path && strcmp(o->path, path) >= 0) {
            break;
        }
        err = old_advance(p);
    }
    return err;
}

/* A file of the new index: its header piece and its data, each from the old
 * archive when the installed release has them alike. */
static int plan_file(struct delta_plan *p, const struct sdb_index_piece *f)
{
    int err = old_seek(p, f->path);
    if (err)
        return err;
    const struct sdb_index_piece *o = p->old_cur;
    bool found = o && !strcmp(o->path, f->path);
    queue(p, &p->new_m, found && p->have_old_m && same(&p->old_m, &p->new_m) ? &p->old_m : NULL);
    bool keep = found && same(o, f);
    queue(p, f, keep ? o : NULL);
    if (keep)
        p->files_same++;
    else
        p->files_fetch++;
    p->have_new_m = false;
    return SDB_OK;
}

int delta_plan_next(struct delta_plan *p, struct delta_action *a, bool *done)
{
    *done = false;
    while (p->next == p->queued) {
        p->next = p->queued = 0;
        if (p->done) {
            *done = true;
            return SDB_OK;
        }
        const struct sdb_index_piece *pc;
        int err = stream_next(&p->now, &pc);
        if (err)
            return err;
        if (!pc) { /* the tail: against the installed index's last piece */
            p->done = true;
            if ((err = old_seek(p, NULL)))
                return err;
            if (p->have_new_m)
                queue(p, &p->new_m, p->have_old_m && same(&p->old_m, &p->new_m) ? &p->old_m : NULL);
        } else if (pc->kind == SDB_INDEX_META) {
            p->new_m = *pc;
            p->have_new_m = true;
        } else if (pc->kind == SDB_INDEX_FILE && (err = plan_file(p, pc))) {
            return err;
        }
    }
    *a = p->queue[p->next++];
    return SDB_OK;
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
