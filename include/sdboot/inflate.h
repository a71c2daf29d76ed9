/*
 * gzip (RFC 1952) inflate behind an interface the port links in: no
 * third-party header here. The tar reader is its only caller.
 *
 * Backends (one per build, chosen at link time):
 *   ports/zlib/inflate_zlib.c   zlib (host, ESP-IDF with espressif/zlib, MicroPython)
 *   ports/none/inflate_none.c   for a port without inflate: refuses every gzip
 *                               stream with SDB_TAR_EGZIP (plain tar still works)
 *
 * RAM: everything the backend keeps (its stream state, the 32 KiB window) is
 * carved out of the caller's arena, SDB_INFLATE_ARENA bytes; struct
 * sdb_inflate itself is a few pointers. No allocation, no I/O: a power cut
 * loses only the stream in progress, which is re-read from the card.
 */
#ifndef SDBOOT_INFLATE_H
#define SDBOOT_INFLATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "sdboot/release.h"

/* zlib: ~7 KiB state + 32 KiB window, with margin; the tar reader gives the
 * backend all but its last SDB_TAR_ZOUT (512) bytes, its inflated output. */
#define SDB_INFLATE_ARENA (64u * 1024)

/* Caller-owned; must stay at the same address from init to the end of the stream. */
struct sdb_inflate {
    void *state;      /* the backend's, inside the arena */
    uint8_t *arena;   /* caller's memory for the backend */
    size_t arena_len; /* bytes of arena */
    size_t arena_used;
};

/* Start inflating one gzip stream in arena (arena_len bytes, NULL to refuse).
 * SDB_OK, or SDB_TAR_EGZIP when the arena is missing or too small or the
 * port has no inflate. Nothing to release afterwards: the arena goes as a whole. */
int sdb_inflate_init(struct sdb_inflate *z, uint8_t *arena, size_t arena_len);

/* Inflate from in (in_len bytes) into out (out_cap bytes). *in_used and
 * *out_len say how much was consumed and produced; *done turns true at the end
 * of the gzip stream (trailer checked), after which bytes left in the input are
 * not consumed. Returns SDB_OK (call again with the rest, or with more input
 * when all was consumed and out was not filled) or SDB_TAR_EGZIP (corrupt
 * stream, wrong CRC or length in the trailer). */
int sdb_inflate_run(struct sdb_inflate *z, const uint8_t *in, size_t in_len, size_t *in_used,
                    uint8_t *out, size_t out_cap, size_t *out_len, bool *done);

#endif
