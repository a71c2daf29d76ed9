/*
 * The per-file index of a release tar (X_Y_Z-firmware.tar.idx beside the tar;
 * its SHA-256 is the `index=` field of the signed `versions` line).
 *
 * Text, one line each, LF-terminated, every byte of the tar covered once:
 *
 *   sdboot-index 1 <tar size>
 *   m <offset> <length> <sha256>         tar headers (and padding) before a file
 *   d <path>                             a directory entry (within an m piece)
 *   f <offset> <size> <sha256> <path>    the data of one file
 *   ...
 *   m <offset> <length> <sha256>         the tail: last padding, end blocks
 *
 * Pieces (m, f) follow each other without gap from offset 0 to the tar size;
 * each f has exactly one m before it (its header), the last piece is an m.
 * Paths obey the tar rules (tar.h) and strictly increase (strcmp): sdboot pack
 * writes entries sorted, which lets two indexes be compared in one pass.
 *
 * A device compares the index of the release it runs with the new one and
 * fetches only pieces whose hash differs (docs/ota.md). Push parser, no
 * allocation: RAM sizeof(struct sdb_index_reader) (~1 KiB), stack < 256 B.
 */
#ifndef SDBOOT_INDEX_H
#define SDBOOT_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "sdboot/limits.h"
#include "sdboot/release.h"
#include "sdboot/tar.h"

#define SDB_INDEX_MAGIC "sdboot-index 1"
#define SDB_INDEX_SUFFIX ".idx"
#define SDB_INDEX_LINE_MAX 400u
/* A release of SDB_LIMIT_ENTRIES entries: ~170 bytes of lines per entry for
 * short paths, up to two lines of SDB_INDEX_LINE_MAX for the longest. */
#define SDB_INDEX_DEFAULT_MAX_BYTES (SDB_LIMIT_ENTRIES * 512u)
#define SDB_INDEX_DEFAULT_MAX_ENTRIES ((uint32_t)SDB_LIMIT_ENTRIES)

enum sdb_index_kind {
    SDB_INDEX_META = 'm', /* headers, padding, end blocks */
    SDB_INDEX_FILE = 'f', /* one file's data */
    SDB_INDEX_DIR = 'd',  /* a directory entry: no bytes of its own */
};

struct sdb_index_piece {
    char kind; /* enum sdb_index_kind */
    uint64_t offset, length;
    uint8_t sha256[32];
    char path[SDB_TAR_PATH_MAX + 1]; /* f and d only */
};

struct sdb_index_limits {
    uint32_t max_bytes;   /* the whole index (0 = SDB_INDEX_DEFAULT_MAX_BYTES) */
    uint32_t max_entries; /* f + d lines (0 = SDB_INDEX_DEFAULT_MAX_ENTRIES) */
};

/* Called for every piece and directory, in order; a non-zero return stops. */
typedef int (*sdb_index_cb)(void *ctx, const struct sdb_index_piece *p);

struct sdb_index_reader {
    struct sdb_index_limits lim;
    sdb_index_cb cb;
    void *ctx;
    int error;
    uint32_t line_no; /* of the line being read (1-based) */
    uint32_t bytes, entries;
    bool have_header;
    char last_kind; /* kind of the last piece line, 0 before the first */
    uint64_t tar_size, next_offset;
    char prev_path[SDB_TAR_PATH_MAX + 1];
    char line[SDB_INDEX_LINE_MAX + 1];
    uint32_t line_len;
    struct sdb_index_piece piece;
};

void sdb_index_init(struct sdb_index_reader *r, const struct sdb_index_limits *lim, sdb_index_cb cb,
                    void *ctx);
/* SDB_OK, an SDB_IDX_* or SDB_TAR_* (path rule) code, or the callback's.
 * r->line_no names the line. After an error every call returns it again. */
int sdb_index_feed(struct sdb_index_reader *r, const void *data, size_t len);
/* SDB_IDX_ETRUNCATED unless the pieces reached the tar size with a tail m. */
int sdb_index_finish(struct sdb_index_reader *r);

/* One line (with '\n') for a piece, or the header line; length or SDB_E_BUFSIZE. */
int sdb_index_format_piece(const struct sdb_index_piece *p, char *out, size_t cap);
int sdb_index_format_header(uint64_t tar_size, char *out, size_t cap);

#endif
