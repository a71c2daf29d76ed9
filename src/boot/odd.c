/*
 * Odd entries where sdboot keeps its state: a name of /.sdboot that has the
 * wrong type (a directory where a record belongs, a file where the staging
 * directory belongs, /.sdboot itself not a directory). With SDBOOT_ODD_CHECK
 * (boot.h) each boot sets them aside first - renamed to NAME.odd (NAME.odd2
 * ... when taken) - never deleted, so the boot can go on and the next boot
 * finds a clean /.sdboot. Without it (the bare-metal port) nothing is looked
 * over: the boot meets such an entry where it uses it, and odd_files keeps it
 * from the work that would write, rename or delete one of sdboot's files
 * (docs/boot.md, "Odd entries"). Both builds set aside an archive that does
 * not read as a release (odd_set_aside, called by the boot's repair; without
 * the check, the boot renames it to current.tar.odd itself, over one set
 * aside before).
 *
 * Power loss: one rename per entry. A cut inside it leaves two names for one
 * chain; the next boot settles the pair (sdb_fat_rename_settle keeps the
 * set-aside name) before looking again, so no cross-link outlives it.
 * odd_files only reads. RAM: a path and a directory entry on the stack.
 * Cost on a normal boot: one read of /.sdboot and of its staging directory
 * (none without the check; odd_files runs only before work).
 */
#include <string.h>
#include "boot_internal.h"

/* The names sdboot keeps in /.sdboot and in its staging directory, each
 * after its type ('d' a directory, 'f' a file), one after another; an empty
 * name ends the list (a table of pointers would cost 8 bytes a name). */
static const char in_sdboot[] = "fstate.a\0fstate.b\0fcurrent.tar\0fprevious.tar\0dnext\0dprev\0"
                                "ffix.tmp\0frepairing\0fconfirm\0dstaging\0fcurrent.rec\0"
                                "fprevious.rec\0";
static const char in_staging[] = "fpending\0frelease.tar\0frelease.part\0fresume\0";

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
        if (!tree_has(&b->vol, path))
            return SDB_OK; /* a set-aside a cut interrupted, now finished */
        if (tree_has(&b->vol, to))
            continue;
        boot_log(b, "set aside %s (%s) as %s", path, why, to);
        if ((err = sdb_fat_rename(&b->vol, path, to, false)))
            return err;
        return sdb_fat_sync(&b->vol);
    }
    return SDB_FAT_EEXIST;
}

/* One directory read: each expected name of the wrong type, set aside. */
static int check_dir(struct sdboot *b, const char *dir, const char *want)
{
    struct sdb_fat_dir d;
    struct sdb_fat_dirent ent;
    int err = sdb_fat_opendir(&b->vol, &d, dir);
    if (err)
        return err == SDB_FAT_ENOENT || err == SDB_FAT_ENOTDIR ? SDB_OK : err;
    while ((err = sdb_fat_readdir(&d, &ent)) == SDB_OK) {
        for (const char *w = want; *w; w += strlen(w) + 1) {
            if (!tree_under(ent.name, w + 1) || ent.st.is_dir == (*w == 'd'))
                continue;
            char path[SDB_FAT_PATH_MAX + 1];
            COPY_STR(path, dir);
            tree_path_append(path, w + 1); /* fits: both are sdboot's own */
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

#if !SDBOOT_ODD_CHECK
/* The files the boot's work writes, renames or deletes by name, besides the
 * records it reads first (state, pending, confirm: their readers stop at a
 * name of the wrong type). */
static const char *const sdboot_files[] = {
    CURRENT_TAR, PREVIOUS_TAR, CURRENT_REC, PREVIOUS_REC, FIX_TMP, REPAIR_MARK, SDB_STAGE_ARCHIVE};

int odd_files(struct sdboot *b)
{
    for (size_t i = 0; i < sizeof sdboot_files / sizeof sdboot_files[0]; i++) {
        bool is_dir;
        if (tree_exists(&b->vol, sdboot_files[i], &is_dir) && is_dir)
            return SDBOOT_EODD;
    }
    return SDB_OK;
}
#endif

int odd_check_entries(struct sdboot *b)
{
    bool is_dir;
    int err;
    if (tree_exists(&b->vol, SDB_DIR, &is_dir) && !is_dir &&
        (err = odd_set_aside(b, SDB_DIR, LOG_TEXT("a file where sdboot's directory belongs"))))
        return err;
    if ((err = check_dir(b, SDB_DIR, in_sdboot)))
        return err;
    return check_dir(b, SDB_STAGING_DIR, in_staging);
}
