/* Host-side helpers shared by pack, verify and sim stage: hashing a release file
 * and running the device's tar rules over it. */
#ifndef SDBOOT_RELEASE_IO_H
#define SDBOOT_RELEASE_IO_H

#include <stdint.h>
#include "sdboot/manifest.h"

struct release_file_info {
    uint64_t size;
    uint8_t sha1[20];
    uint8_t sha256[32];
    uint32_t entries;
};

/* Hash a file and check it against the tar safety rules. SDB_OK or the first
 * error (an SDB_TAR_* code, or SDB_FIO_ENOENT/SDB_FIO_EIO for the file itself). */
int release_file_scan(const char *path, struct release_file_info *info);
/* Check size and hashes of a scanned file against its manifest line. */
int release_file_matches(const struct release_file_info *info, const struct sdb_manifest_entry *e);
/* Load DIR/versions (and DIR/versions.sig when present; *sig NULL otherwise). */
int release_dir_load(const char *dir, uint8_t **manifest, size_t *manifest_len, uint8_t **sig,
                     size_t *sig_len);

#endif
