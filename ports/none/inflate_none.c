/*
 * Inflate backend for a port without gzip support (inflate.h): every gzip
 * stream is refused with SDB_TAR_EGZIP before anything is extracted, so such
 * a device installs plain .tar releases only. No RAM, no arena needed.
 */
#include "sdboot/inflate.h"

int sdb_inflate_init(struct sdb_inflate *z, uint8_t *arena, size_t arena_len)
{
    (void)arena;
    (void)arena_len;
    z->state = NULL;
    z->arena = NULL;
    z->arena_len = z->arena_used = 0;
    return SDB_TAR_EGZIP;
}

int sdb_inflate_run(struct sdb_inflate *z, const uint8_t *in, size_t in_len, size_t *in_used,
                    uint8_t *out, size_t out_cap, size_t *out_len, bool *done)
{
    (void)z;
    (void)in;
    (void)in_len;
    (void)out;
    (void)out_cap;
    *in_used = *out_len = 0;
    *done = false;
    return SDB_TAR_EGZIP;
}
