/* The update decision for a fetched manifest: signature, format, board, version. */
#include <string.h>
#include "sdboot/ota.h"
#include "sdboot/semver.h"

static bool is_gzip_name(const char *name)
{
    size_t n = strlen(name);
    return (n > 7 && !strcmp(name + n - 7, ".tar.gz")) || (n > 4 && !strcmp(name + n - 4, ".tgz"));
}

int sdboot_ota_decide(const struct sdb_trust *trust, const char *board, bool force,
                      const uint8_t *manifest, size_t len, const uint8_t *sig, size_t sig_len,
                      const char *installed, struct sdb_manifest_entry *latest, uint32_t *flags,
                      struct sdb_manifest_error *merr)
{
    bool signed_ok = false;
    int err = sdb_sig_check_manifest(trust, manifest, len, sig, sig_len, &signed_ok);
    if (err)
        return err;
    if ((err = sdb_manifest_latest((const char *)manifest, len, latest, merr)))
        return err;
    if (latest->board[0] && board && board[0] && strcmp(latest->board, board))
        return SDB_POLICY_EBOARD;
    err = sdb_semver_should_update(installed, latest->version, false);
    if (err == SDB_POLICY_EOLDER && !force)
        return SDB_OTA_UPTODATE;
    if (err && err != SDB_POLICY_EOLDER)
        return err;
    *flags = (signed_ok ? SDB_STAGE_SIGNED : 0) |
             (is_gzip_name(latest->filename) ? SDB_STAGE_GZIP : 0) |
             (err == SDB_POLICY_EOLDER ? SDB_STAGE_FORCED : 0);
    return SDB_OK;
}
