/*
 * SemVer 2.0: parse, precedence, and the update decision. Versions are
 * compared as the spec says (numeric core, then pre-release identifiers; build
 * metadata ignored), never as strings. No allocation: a parsed version points
 * into the caller's string.
 */
#ifndef SDBOOT_SEMVER_H
#define SDBOOT_SEMVER_H

#include <stdbool.h>
#include <stdint.h>
#include "sdboot/release.h"

#define SDB_VERSION_NONE "none" /* installed version of a card that never had a release */
/* Installed version of a release whose state was rebuilt from an archive
 * that no record names (written before the bootloader kept one): no floor. */
#define SDB_VERSION_UNKNOWN "unknown"

struct sdb_semver {
    uint64_t major, minor, patch;
    const char *pre; /* pre-release identifiers, or NULL */
    uint32_t pre_len;
    const char *build; /* build metadata, or NULL (ignored for precedence) */
    uint32_t build_len;
};

/* Parse the whole NUL-terminated string (len bytes when len > 0). */
int sdb_semver_parse(const char *text, uint32_t len, struct sdb_semver *v);
/* <0, 0, >0 as a precedes, equals, follows b. */
int sdb_semver_compare(const struct sdb_semver *a, const struct sdb_semver *b);
/* SDB_OK when `offered` should be installed over `installed` ("none" = no
 * release yet, "unknown" = no floor known): it must be strictly newer unless `forced`.
 * SDB_POLICY_EOLDER otherwise; SDB_SEMVER_EINVAL if either is not a version. */
int sdb_semver_should_update(const char *installed, const char *offered, bool forced);

#endif
