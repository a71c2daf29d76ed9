/*
 * gzip inflate backend on zlib (inflate.h). The z_stream and everything zlib
 * allocates live in the caller's arena: zalloc hands out 16-byte-aligned
 * pieces of it and zfree does nothing (the arena is released as a whole).
 * Linked by the host, ESP-IDF and MicroPython ports.
 */
#include <string.h>
#include <zlib.h>
#include "sdboot/inflate.h"

static void *arena_take(struct sdb_inflate *z, size_t bytes)
{
    size_t start = (size_t)((-(uintptr_t)(z->arena + z->arena_used)) & 15u) + z->arena_used;
    size_t want = (bytes + 15) & ~(size_t)15;
    if (!z->arena || start > z->arena_len || want > z->arena_len - start)
        return NULL;
    z->arena_used = start + want;
    return z->arena + start;
}

static voidpf arena_alloc(voidpf opaque, uInt items, uInt size)
{
    return arena_take(opaque, (size_t)items * size);
}

static void arena_free(voidpf opaque, voidpf address)
{
    (void)opaque;
    (void)address; /* the arena is released as a whole by its owner */
}

int sdb_inflate_init(struct sdb_inflate *z, uint8_t *arena, size_t arena_len)
{
    memset(z, 0, sizeof *z);
    z->arena = arena;
    z->arena_len = arena_len;
    z_stream *s = arena_take(z, sizeof *s);
    if (!s)
        return SDB_TAR_EGZIP;
    memset(s, 0, sizeof *s);
    s->zalloc = arena_alloc;
    s->zfree = arena_free;
    s->opaque = z;
    if (inflateInit2(s, 15 + 16) != Z_OK) /* 32 KiB window, gzip wrapper only */
        return SDB_TAR_EGZIP;
    z->state = s;
    return SDB_OK;
}

int sdb_inflate_run(struct sdb_inflate *z, const uint8_t *in, size_t in_len, size_t *in_used,
                    uint8_t *out, size_t out_cap, size_t *out_len, bool *done)
{
    z_stream *s = z->state;
    *in_used = *out_len = 0;
    *done = false;
    if (!s)
        return SDB_TAR_EGZIP;
    s->next_in = (Bytef *)(uintptr_t)in;
    s->avail_in = (uInt)in_len;
    s->next_out = out;
    s->avail_out = (uInt)out_cap;
    int rc = inflate(s, Z_NO_FLUSH);
    *in_used = in_len - s->avail_in;
    *out_len = out_cap - s->avail_out;
    *done = rc == Z_STREAM_END;
    /* Z_BUF_ERROR with all input consumed only means "give me more". */
    if (rc == Z_OK || rc == Z_STREAM_END || (rc == Z_BUF_ERROR && s->avail_in == 0))
        return SDB_OK;
    return SDB_TAR_EGZIP;
}
