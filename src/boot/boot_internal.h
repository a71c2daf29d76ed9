/* Internals of the boot engine. Not a public interface. */
#ifndef SDBOOT_BOOT_INTERNAL_H
#define SDBOOT_BOOT_INTERNAL_H

#include "sdboot/boot.h"

#define DIR_SDBOOT "/.sdboot"
#define STATE_A "/.sdboot/state.a"
#define STATE_B "/.sdboot/state.b"
#define CURRENT_TAR "/.sdboot/current.tar"
#define PREVIOUS_TAR "/.sdboot/previous.tar"
#define NEXT_DIR "/.sdboot/next"
#define PREV_DIR "/.sdboot/prev"
#define FIX_TMP "/.sdboot/fix.tmp"
#define REPAIR_MARK "/.sdboot/repairing" /* exists while a repair is under way */
#define APP_DIR "app"

/* log.c */
void boot_log(struct sdboot *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* state.c: load the newest valid record; store the next one in the other slot. */
int state_load(struct sdboot *b, bool *found);
int state_store(struct sdboot *b);
int state_init(struct sdboot *b);
/* Bracket every file-system change on the boot path: begin marks the state
 * dirty (one record write, skipped when already dirty), end syncs and clears it.
 * A boot that finds the mark runs check/repair before anything else. */
int fs_work_begin(struct sdboot *b);
int fs_work_end(struct sdboot *b);

/* tree.c */
int tree_mkdirs(struct sdb_fat_vol *vol, const char *path, bool include_last);
int tree_remove(struct sdboot *b, const char *path); /* rm -r; SDB_OK if missing */
bool tree_exists(struct sdb_fat_vol *vol, const char *path, bool *is_dir);
int tree_same_content(struct sdboot *b, const char *a, const char *c, bool *same);
/* Append "/name" to a path buffer of SDB_FAT_PATH_MAX + 1 bytes. */
int tree_path_append(char *path, const char *name);

/* install.c */
int install_check_staged(struct sdboot *b, struct sdb_stage_record *rec);
int install_extract(struct sdboot *b, const char *archive);
int install_switch(struct sdboot *b);
int install_commit(struct sdboot *b);
int install_settle(struct sdboot *b);
int install_from(struct sdboot *b, enum sdboot_source source, const char *version);
int repair_fs(struct sdboot *b);

#endif
