/*
 * Names an install has extracted so far, for refusing a name given twice
 * without a table per entry: a Bloom filter over the tar reader's name hash
 * (sdb_tar_name_hash: ASCII case folded, as FAT compares names).
 *
 * A name the filter has not seen is certainly new, and the installer creates
 * it without looking it up (SDB_FAT_UNIQUE). A name it may have seen is looked
 * up in /.sdboot/next itself, which answers exactly: the directory is the
 * record of what was extracted. Every directory the installer makes on the way
 * to a file is noted too, so a file named like an earlier implicit directory
 * is looked up as well.
 *
 * RAM: none of its own; the filter is b->bloom (SDBOOT_CHECK_BITMAP bytes,
 * shared with the repair bitmap, which no extraction uses). With the default
 * 2 KiB and 4 probes, 2,048 names give ~2.4 % false hits (each one lookup in a
 * folder), 400 names ~0.01 %. Power loss: RAM only.
 */
#include <string.h>
#include "boot_internal.h"

void seen_reset(struct sdboot *b)
{
    memset(b->bloom, 0, sizeof b->bloom);
}

/* Whether the name with hash h may have been noted; notes it. */
static bool test_and_set(struct sdboot *b, uint64_t h)
{
    /* splitmix64's finaliser spreads FNV's bits over both halves. */
    h = (h ^ (h >> 30)) * 0xBF58476D1CE4E5B9ull;
    h = (h ^ (h >> 27)) * 0x94D049BB133111EBull;
    h ^= h >> 31;
    uint32_t h1 = (uint32_t)h, h2 = (uint32_t)(h >> 32) | 1u;
    const uint32_t bits = (uint32_t)sizeof b->bloom * 8u;
    bool all = true;
    for (uint32_t k = 0; k < 4; k++) {
        uint32_t i = (h1 + k * h2) % bits;
        uint8_t mask = (uint8_t)(1u << (i % 8));
        all = all && (b->bloom[i / 8] & mask);
        b->bloom[i / 8] |= mask;
    }
    return all;
}

bool seen_note(struct sdboot *b, char *rel)
{
    /* Each directory above rel (rel cut at each '/' in turn), then rel itself. */
    for (char *p = rel; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        test_and_set(b, sdb_tar_name_hash(rel));
        *p = '/';
    }
    return test_and_set(b, sdb_tar_name_hash(rel));
}
