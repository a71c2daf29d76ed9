/* Fuzz: the versions manifest parser and the update decision. */
#include <stdint.h>
#include <string.h>
#include "sdboot/manifest.h"
#include "sdboot/semver.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sdb_manifest_entry e;
    struct sdb_manifest_error err;
    if (sdb_manifest_latest((const char *)data, size, &e, &err) == SDB_OK) {
        char line[SDB_MANIFEST_LINE_MAX + 128];
        sdb_manifest_format(&e, line, sizeof line);
        sdb_semver_should_update("1.0.0", e.version, false);
    }
    return 0;
}
