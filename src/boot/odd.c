/*
 * Odd entries where sdboot keeps its state: a name of /.sdboot that has the
 * wrong type (a directory where a record belongs, a file where the staging
 * directory belongs, /.sdboot itself not a directory) is set aside - renamed
 * to NAME.odd (NAME.odd2 ... when taken) - never deleted, so the boot can go
 * on and the next boot finds a clean /.sdboot. The same for an archive that
 * does not read as a release (odd_set_aside, called by the boot's repair).
 *
 * Power loss: one rename per entry. A cut inside it leaves two names for one
 * chain; the next boot settles the pair (sdb_fat_rename_settle keeps the
 * set-aside name) before looking again, so no cross-link outlives it.
 * RAM: a path on the stack.
 */
#include <stdio.h>
#include <string.h>
#include "boot_internal.h"

static const struct {
    const char *path;
    bool dir;
} expected[] = {
    {STATE_A, false},        {STATE_B, false},           {CURRENT_TAR, false},
    {PREVIOUS_TAR, false},   {NEXT_DIR, true},           {PREV_DIR, true},
    {FIX_TMP, false},        {REPAIR_MARK, false},       {SDB_CONFIRM, false},
    {SDB_STAGING_DIR, true}, {SDB_STAGE_PENDING, false}, {SDB_STAGE_ARCHIVE, false},
    {SDB_STAGE_PART, false}, {SDB_STAGE_RESUME, false},
};

#define MAX_ODD_COPIES 9

int odd_set_aside(struct sdboot *b, const char *path, const char *why)
{
    char to[SDB_FAT_PATH_MAX + 1];
    for (unsigned n = 1; n <= MAX_ODD_COPIES; n++) {
        if (snprintf(to, sizeof to, n == 1 ? "%s.odd" : "%s.odd%u", path, n) >= (int)sizeof to)
            return SDB_FAT_EPATH;
        int err = sdb_fat_rename_settle(&b->vol, path, to);
        if (err)
            return err;
        if (!tree_exists(&b->vol, path, NULL))
            return SDB_OK; /* a set-aside a cut interrupted, now finished */
        if (tree_exists(&b->vol, to, NULL))
            continue;
        boot_log(b, "set aside %s (%s) as %s", path, why, to);
        if ((err = sdb_fat_rename(&b->vol, path, to, false)))
            return err;
        return sdb_fat_sync(&b->vol);
    }
    return SDB_FAT_EEXIST;
}

int odd_check_entries(struct sdboot *b)
{
    bool is_dir;
    int err;
    if (tree_exists(&b->vol, SDB_DIR, &is_dir) && !is_dir &&
        (err = odd_set_aside(b, SDB_DIR, "a file where sdboot's directory belongs")))
        return err;
    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++) {
        if (!tree_exists(&b->vol, expected[i].path, &is_dir) || is_dir == expected[i].dir)
            continue;
        const char *why =
            is_dir ? "a directory where a file belongs" : "a file where a directory belongs";
        if ((err = odd_set_aside(b, expected[i].path, why)))
            return err;
    }
    return SDB_OK;
}
