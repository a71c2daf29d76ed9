/*
 * The delta plan: which files of the new release (index.h) the installed one
 * already has and which must be fetched. Both indexes are read as streams
 * from the card, side by side in one pass (paths are sorted), so the cost is
 * O(old + new) lines and the RAM two readers (~2.5 KiB, in struct
 * sdboot_ota). A file is kept when the installed release has the same path
 * with the same size and SHA-256; every other file of the new index is
 * fetched (its data piece only: the staged delta archive gets its own header).
 */
#ifndef SDBOOT_DELTA_PLAN_H
#define SDBOOT_DELTA_PLAN_H

#include <stdbool.h>
#include <stdint.h>
#include "sdboot/fileio.h"
#include "sdboot/index.h"

struct delta_action {
    uint64_t offset, length; /* the file's data in the new tar */
    uint8_t sha256[32];
    bool fetch; /* false: the installed release has it alike */
    char path[SDB_TAR_PATH_MAX + 1];
};

struct idx_stream {
    struct sdb_index_reader r;
    const sdb_fileio_t *fio;
    void *f;
    bool open, have;
    uint8_t buf[128];
    uint32_t pos, len;
    struct sdb_index_piece piece;
};

struct delta_plan {
    struct idx_stream now, old;
    const struct sdb_index_piece *old_cur; /* NULL once the old index ended */
    uint32_t files_fetch, files_same;
    bool new_dir; /* ended by a directory the installed release lacks */
};

/* Open both indexes (files on the card). */
int delta_plan_open(struct delta_plan *p, const sdb_fileio_t *fio, const char *new_index,
                    const char *old_index, const struct sdb_index_limits *lim);
/* The next file in new-tar order; *done at the end. Index errors as index.h;
 * SDB_OTA_ENODELTA when a path changes kind, or a directory is new (new_dir:
 * a delta carries files only, and an empty new folder would be missing). */
int delta_plan_next(struct delta_plan *p, struct delta_action *a, bool *done);
void delta_plan_close(struct delta_plan *p);
/* Read a whole index file through the reader (every rule, the limits) before
 * anything is fetched by it; *tar_size from its header. */
int delta_index_check(struct idx_stream *scratch, const sdb_fileio_t *fio, const char *path,
                      const struct sdb_index_limits *lim, uint64_t *tar_size);
/* Tar size the new index's header names (after the first action). */
uint64_t delta_plan_new_size(const struct delta_plan *p);

#endif
