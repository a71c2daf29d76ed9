/* Host-side check of a release's per-file index against its tar (verify, inspect):
 * the index parses within the device's limits, hashes to the signed value, and
 * names exactly the tar's entries, in order, with their data offsets, sizes and
 * SHA-256; every header piece hashes right too. */
#ifndef SDBOOT_RELEASE_INDEX_H
#define SDBOOT_RELEASE_INDEX_H

#include <stdbool.h>
#include <stdint.h>
#include "sdboot/index.h"

struct release_index {
    struct sdb_index_piece *pieces; /* m, f and d lines in order (malloc'd) */
    unsigned count, files, dirs;
    uint64_t tar_size;
    uint8_t sha256[32]; /* of the index file */
    /* the first disagreement: index line, and the entry it is about */
    uint32_t bad_line;
    char bad_path[SDB_TAR_PATH_MAX + 1];
};

/* Load and check TAR.idx against TAR; want_sha256 (or NULL) is the signed hash.
 * SDB_OK, SDB_FIO_ENOENT (no index), an SDB_IDX_* or SDB_TAR_* code. */
int release_index_check(const char *tar_path, const uint8_t *want_sha256, struct release_index *ix);
void release_index_free(struct release_index *ix);

#endif
