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
 * RAM: a path and a directory entry on the stack. Cost on a normal boot: one
 * read of /.sdboot and of its staging directory.
 */
#include <string.h>
#include "boot_internal.h"

/* The names sdboot keeps in /.sdboot and in its staging directory, and
 * whether each is a directory. */
struct expected {
    const char *name;
    bool dir;
};
static const struct expected in_sdboot[] = {
    {"state.a", false}, {"state.b", false}, {"current.tar", false}, {"previous.tar", false},
    {"next", true},     {"prev", true},     {"fix.tmp", false},     {"repairing", false},
    {"confirm", false}, {"staging", true},  {"current.rec", false}, {"previous.rec", false},
};
static const struct expected in_staging[] = {
    {"pending", false}, {"release.tar", false}, {"release.part", false}, {"resume", false}};

#define MAX_ODD_COPIES 9

int odd_set_aside(struct sdboot *b, const char *path, const char *why)
{
    char to[SDB_FAT_PATH_MAX + 1];
    (void)why; /* only logged */
    for (unsigned n = 1; n <= MAX_ODD_COPIES; n++) {
        char nth[2] = {n == 1 ? '\0' : (char)('0' + n), '\0'}; /* .odd, .odd2 ... .odd9 */
        if (!tree_join(to, sizeof to, path, ".odd") || !tree_join(to, sizeof to, to, nth))
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

/* FAT names compare with ASCII case folded. */
static bool same_name(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = *a >= 'A' && *a <= 'Z' ? (char)(*a + 32) : *a;
        char y = *b >= 'A' && *b <= 'Z' ? (char)(*b + 32) : *b;
        if (x != y)
            return false;
    }
    return *a == *b;
}

/* One directory read: each expected name of the wrong type, set aside. */
static int check_dir(struct sdboot *b, const char *dir, const struct expected *want, size_t n)
{
    struct sdb_fat_dir d;
    struct sdb_fat_dirent ent;
    int err = sdb_fat_opendir(&b->vol, &d, dir);
    if (err)
        return err == SDB_FAT_ENOENT || err == SDB_FAT_ENOTDIR ? SDB_OK : err;
    while ((err = sdb_fat_readdir(&d, &ent)) == SDB_OK) {
        for (size_t i = 0; i < n; i++) {
            if (!same_name(ent.name, want[i].name) || ent.st.is_dir == want[i].dir)
                continue;
            char path[SDB_FAT_PATH_MAX + 1];
            COPY_STR(path, dir);
            tree_path_append(path, want[i].name); /* fits: both are sdboot's own */
            if ((err =
                     odd_set_aside(b, path,
                                   ent.st.is_dir ? LOG_TEXT("a directory where a file belongs")
                                                 : LOG_TEXT("a file where a directory belongs"))) ||
                (err = sdb_fat_opendir(&b->vol, &d, dir))) /* the directory changed: again */
                return err;
            break;
        }
    }
    return err == SDB_FAT_ENOENT ? SDB_OK : err;
}

int odd_check_entries(struct sdboot *b)
{
    bool is_dir;
    int err;
    if (tree_exists(&b->vol, SDB_DIR, &is_dir) && !is_dir &&
        (err = odd_set_aside(b, SDB_DIR, LOG_TEXT("a file where sdboot's directory belongs"))))
        return err;
    if ((err = check_dir(b, SDB_DIR, in_sdboot, sizeof in_sdboot / sizeof in_sdboot[0])))
        return err;
    return check_dir(b, SDB_STAGING_DIR, in_staging, sizeof in_staging / sizeof in_staging[0]);
}
