/*
 * The `versions` manifest: one release per line, oldest first, latest last.
 *
 *   0.0.1;0_0_1-firmware.tar;2988860ca0858eca16a795399148fca95b649784
 *   1.1.0;1_1_0-firmware.tar.gz;<sha1>;sha256=<64 hex>;size=20480;board=esp32-s3;entries=9
 *
 * The first three fields are the original format (SemVer; file name relative to
 * `versions`; SHA-1 of the file) and are always required. Optional `key=value`
 * fields follow: sha256, size, board, entries (files + directories), index
 * (SHA-256 of the release's per-file index, FILENAME.idx beside it: index.h).
 * Lines end in LF or CRLF; a trailing ';', blank lines and lines starting with
 * '#' are allowed. Versions must increase from line to line. Bounded:
 * SDB_MANIFEST_MAX bytes, SDB_MANIFEST_LINE_MAX per line. Every error names
 * its line. No allocation.
 */
#ifndef SDBOOT_MANIFEST_H
#define SDBOOT_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "sdboot/release.h"
#include "sdboot/stage.h"

#define SDB_MANIFEST_MAX (16u * 1024u)
#define SDB_MANIFEST_LINE_MAX 512u

struct sdb_manifest_entry {
    char version[SDB_VERSION_MAX];
    char filename[SDB_FILENAME_MAX];
    char board[SDB_BOARD_MAX]; /* "" = any board */
    uint8_t sha1[20];
    uint8_t sha256[32];
    bool has_sha256;
    bool has_size;
    uint64_t size;
    bool has_entries;
    uint32_t entries; /* files + directories in the archive (entries=) */
    bool has_index;   /* FILENAME.idx exists and hashes to index_sha256 */
    uint8_t index_sha256[32];
    uint32_t line; /* 1-based line number in the manifest */
};

struct sdb_manifest_error {
    int code;      /* SDB_MF_* */
    uint32_t line; /* 0 when not tied to a line */
};

/* Called for every release line, in order. A non-zero return stops parsing. */
typedef int (*sdb_manifest_cb)(void *ctx, const struct sdb_manifest_entry *e);

/* Parse a whole manifest. SDB_OK, the callback's code, or an SDB_MF_* code
 * (also in *err with its line). An empty manifest is SDB_MF_EEMPTY. */
int sdb_manifest_parse(const char *buf, size_t len, sdb_manifest_cb cb, void *ctx,
                       struct sdb_manifest_error *err);
/* The latest (last) release. */
int sdb_manifest_latest(const char *buf, size_t len, struct sdb_manifest_entry *latest,
                        struct sdb_manifest_error *err);
/* Format one line (with '\n'); returns its length or SDB_E_BUFSIZE. */
int sdb_manifest_format(const struct sdb_manifest_entry *e, char *out, size_t cap);

#endif
