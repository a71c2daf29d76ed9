/* Internals of the boot engine. Not a public interface. */
#ifndef SDBOOT_BOOT_INTERNAL_H
#define SDBOOT_BOOT_INTERNAL_H

#include "sdboot/boot.h"
#include "sdboot/hash.h"
#include "sdboot/index.h"
#include "sdboot/record.h"

#define STATE_A SDB_DIR "/state.a"
#define STATE_B SDB_DIR "/state.b"
#define CURRENT_TAR SDB_DIR "/current.tar"
#define PREVIOUS_TAR SDB_DIR "/previous.tar"
#define CURRENT_REC SDB_CURRENT_RECORD       /* current.tar's staging record (rebuild.c) */
#define PREVIOUS_REC SDB_DIR "/previous.rec" /* previous.tar's */
#define NEXT_DIR SDB_DIR "/next"
#define PREV_DIR SDB_DIR "/prev"
#define FIX_TMP SDB_DIR "/fix.tmp"
#define REPAIR_MARK SDB_DIR "/repairing" /* exists while a repair is under way */
#define APP_DIR "app"
#define PREVIOUS_INDEX SDB_DIR "/previous.idx" /* index of the delta a delta replaced */
#define CURRENT_DELTA SDB_CURRENT_DELTA
#define BASE_INDEX SDB_BASE_INDEX              /* index of current.tar under a delta */
#define CURRENT_DREC SDB_DIR "/current.dlr"    /* current.dlt's staging record (rebuild.c) */
#define PREVIOUS_DELTA SDB_DIR "/previous.dlt" /* the delta a delta replaced, until confirmed */
#define PREVIOUS_DREC SDB_DIR "/previous.dlr"  /* its record */

/* log.c: one line to cfg.log. With SDBOOT_LOG 0 (boot.h) the engine logs
 * nothing and its messages are not in the build (the port reports the result). */
#if SDBOOT_LOG
void boot_log(struct sdboot *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#else
#define boot_log(b, ...) ((void)(b))
#endif
/* Text that only a log line shows: "" with SDBOOT_LOG 0. */
#define LOG_TEXT(text) (SDBOOT_LOG ? (text) : "")

/* state.c: the records, the transitions, the recovery table. The only file
 * that writes a field of b->st. Every transition stores once (one sector). */
int state_load(struct sdboot *b, bool *found);
int state_init(struct sdboot *b); /* fresh records in an existing /.sdboot */
/* No valid record on a card that keeps sdboot's archives (state_load marks
 * it so): fresh records saying what the card proves (rebuild.c). */
struct state_proof {
    const char *installed, *previous, *base; /* base: current.tar's release */
    bool delta;                              /* installed as a delta over base */
    bool on_trial;
};
int state_rebuild(struct sdboot *b, const struct state_proof *p);
#define STATE_PHASE_LOST 0xFF /* b->st after state_load found the state lost; never stored */
/* Read one record file with the boot's FAT driver (record.h, sdb_record_read). */
int boot_read_record(struct sdb_fat_vol *vol, const char *path, uint8_t buf[SDB_RECORD_SIZE]);
/* Both state copies through `read`: the newest valid in *st (*slot 0 = a,
 * 1 = b), err[] each copy's error; SDBOOT_ESTATE when neither is valid
 * (*st then holds no state). */
int state_read_pair(sdb_record_reader read, void *ctx, struct sdboot_state *st, uint8_t *slot,
                    int err[2]);
/* Bracket every file-system change on the boot path: begin marks the state
 * dirty (one record write, skipped when already dirty), end syncs and clears it.
 * A boot that finds the mark runs check/repair before anything else. */
int fs_work_begin(struct sdboot *b);
int fs_work_end(struct sdboot *b);

/* Transitions (docs/boot.md, "Transitions"). */
int state_confirm(struct sdboot *b); /* the confirm record is folded in */
/* A staged release (version, "" when its record is unreadable) is refused;
 * refused for what it is, it is kept as st.refused for the OTA client. */
int state_refuse(struct sdboot *b, int why, const char *version);
int state_abandon_install(struct sdboot *b, int why); /* extraction failed: refuse */
int state_rollback_failed(struct sdboot *b, int why); /* keep the release, stop trials */
int state_restart_extract(struct sdboot *b);          /* a cut while extracting */
int state_begin_install(struct sdboot *b, enum sdboot_source source, const char *version);
int state_switch(struct sdboot *b);      /* next/ is complete: move it in */
int state_commit(struct sdboot *b);      /* target becomes installed, on trial */
int state_count_trial(struct sdboot *b); /* one more unconfirmed boot */
int state_end_trial(struct sdboot *b);   /* out of trials, nothing to roll back to */
int state_begin_undo(struct sdboot *b);  /* roll an unconfirmed delta back: SWITCHING */

/* What a boot does first, from the recovery table (phase x fs_dirty). */
enum state_recovery {
    RECOVER_NONE,            /* IDLE, clean */
    RECOVER_CHECK_FS,        /* IDLE, dirty: check and repair the FAT */
    RECOVER_RESTART_EXTRACT, /* EXTRACTING: repair, drop next/, IDLE */
    RECOVER_FINISH_SWITCH,   /* SWITCHING: settle, repair, switch, commit */
    RECOVER_REBUILD,         /* no valid record, kept archives: rebuild the state */
    RECOVER_FINISH_DELTA,    /* SWITCHING a delta in: settle, repair, its switch, commit */
    RECOVER_FINISH_UNDO,     /* SWITCHING a delta out: settle, repair, undo, commit */
};
enum state_recovery state_recovery(const struct sdboot_state *st);

/* tree.c */
bool tree_in_app(const char *rel); /* a release path ("app/x") under /app */
/* path is dir or inside it, ASCII case folded as FAT names are (dir in lower
 * case): also a name's compare with one of sdboot's own (no '/' in either). */
bool tree_under(const char *path, const char *dir);
int tree_mkdirs(struct sdb_fat_vol *vol, const char *path, bool include_last);
int tree_remove(struct sdboot *b, const char *path); /* rm -r; SDB_OK if missing */
int tree_unlink(struct sdboot *b, const char *path); /* rm; SDB_OK if missing (ODD_TYPE too) */
bool tree_exists(struct sdb_fat_vol *vol, const char *path, bool *is_dir);
bool tree_has(struct sdb_fat_vol *vol, const char *path); /* tree_exists, type not asked */
int tree_same_content(struct sdboot *b, const char *a, const char *c, bool *same);
/* Size and SHA-256 of a file, read whole through b->io. */
int tree_hash_file(struct sdboot *b, const char *path, uint64_t *size,
                   uint8_t digest[SDB_SHA256_LEN]);
/* out = a then c, cut to cap - 1 bytes (snprintf's "%s%s" without a
 * formatter: the boot is its last user on a device); false when cut. out may
 * be a. */
bool tree_join(char *out, size_t cap, const char *a, const char *c);
bool tree_copy(char *out, size_t cap, const char *a); /* tree_join(out, cap, a, "") */
#define COPY_STR(dst, src) tree_copy(dst, sizeof(dst), src)
/* Append "/name" to a path buffer of SDB_FAT_PATH_MAX + 1 bytes. */
int tree_path_append(char *path, const char *name);
/* First file under root (depth first, skipping the top-level directory skip,
 * NULL: none) into b->path, removing empty directories on the way; *found
 * false when none is left. */
int tree_next_file(struct sdboot *b, const char *root, const char *skip, bool *found);

/* install.c */
/* What one pass over an archive found: the tar reader's (or its callbacks')
 * first error, whether it read every byte, and how many. */
struct feed_result {
    int tar_err;
    bool whole; /* every byte was read */
    uint64_t size;
};
/* One pass over `archive` (the install's, the repair's, own.c's): every byte
 * to the tar reader (events to ops), cap bytes a read into b->io (0: all of
 * it, then the caller's gzip arena when a plain tar leaves it idle) and, with
 * `hash`, to the SHA-256. With a hash to compute, the pass reads to the end
 * even after a tar or write error: an archive that is not the one published
 * is reported as such, not by its symptom. The card's errors are returned
 * (SDB_FAT_ENOENT: no archive), the tar's in r. */
int install_feed(struct sdboot *b, const char *archive, const struct sdb_tar_ops *ops, uint32_t cap,
                 struct sdb_sha256 *hash, struct feed_result *r);
int install_read_pending(struct sdboot *b, struct sdb_stage_record *rec);
int install_check_staged(struct sdboot *b, struct sdb_stage_record *rec);
/* Extract an archive into an empty next/; with `expect` (the stage record)
 * hashed on the way, SDB_OK only when its size and SHA-256 match. */
int install_extract(struct sdboot *b, const char *archive, const struct sdb_stage_record *expect);
/* Which members an extraction takes (install_delta.c): *take false leaves
 * one out. */
struct install_filter {
    int (*take)(void *ctx, const struct sdb_tar_entry *e, bool *take);
    void *ctx;
};
/* install_extract of the members filter takes; fresh: into an empty next/
 * (else added to what next/ holds, whose names it keeps for duplicates). */
int install_extract_some(struct sdboot *b, const char *archive,
                         const struct sdb_stage_record *expect, const struct install_filter *filter,
                         bool fresh);
int install_switch(struct sdboot *b);
int install_commit(struct sdboot *b);
/* After the archives moved: the state commits, then next/ (and, unless
 * keep_prev, prev/) and the staged records go; fs_dirty cleared. */
int install_finish(struct sdboot *b, bool keep_prev);
int install_settle(struct sdboot *b);
/* Move every file of next/ into place (parking what it replaces in prev/);
 * whole_app: next/app is moved as one by the caller and skipped here. */
int install_place_files(struct sdboot *b, bool whole_app);
/* Settle the renames of files still in next/ a cut may have left half-done. */
int install_settle_files(struct sdboot *b, bool whole_app);
/* Install the staged release (staged: its pending record, as the boot read
 * and checked it) or, with NULL, roll back to previous.tar; version names it. */
int install_from(struct sdboot *b, const struct sdb_stage_record *staged, const char *version);

/* rebuild.c: the kept archives and their records, moved inside SWITCHING
 * (install_commit, install_settle), and the state rebuilt from the records.
 * A whole install moves staged -> cur, the one it replaces cur -> prev (when
 * staged is still there), a rollback prev -> cur; settle finishes the renames
 * a cut interrupted, in the same directions. */
enum kept_file {
    KEPT_ARCHIVE, /* staged release.tar, current.tar, previous.tar */
    KEPT_RECORD,  /* the staged pending record, current.rec, previous.rec */
};
int rebuild_move(struct sdboot *b, enum kept_file which);
int rebuild_settle(struct sdboot *b, enum kept_file which);
int rebuild_state(struct sdboot *b);
/* index_cursor.c: an index on the card read piece by piece (index.h rules,
 * default limits). cur is the piece read last (NULL at the end). */
struct idx_cursor {
    struct sdb_fat_file f;
    struct sdb_index_reader r;
    struct sdb_sha256 hash; /* of the bytes read, when opened with hash */
    const struct sdb_index_piece *cur;
    bool open, ended, hashing;
    uint8_t buf[64];
    uint32_t pos, len;
};
int idx_open(struct sdboot *b, struct idx_cursor *c, const char *path, bool hash);
int idx_next(struct idx_cursor *c);
void idx_close(struct idx_cursor *c);
/* Move on to the entry (f or d) for path, or past where it would be;
 * *found is it, or NULL. Paths must be asked in increasing order. */
int idx_seek(struct idx_cursor *c, const char *path, const struct sdb_index_piece **found);
/* Read a whole index through the rules: SDB_IDX_EMISMATCH unless it hashes to want. */
int idx_check_whole(struct sdboot *b, struct idx_cursor *c, const char *path,
                    const uint8_t want[SDB_SHA256_LEN]);

/* install_delta.c: a staged delta (SDB_STAGE_DELTA) installed, rolled back,
 * finished after a cut; the index kept after a whole install. */
struct delta_work {
    struct idx_cursor a, b;
};
#if SDBOOT_DELTA
int delta_check(struct sdboot *b, const struct sdb_stage_record *rec); /* reads only */
int delta_install(struct sdboot *b, const struct sdb_stage_record *rec);
int delta_rollback(struct sdboot *b); /* an unconfirmed delta: the parked files return */
int delta_resume(struct sdboot *b, enum state_recovery action); /* FINISH_DELTA / _UNDO */
#else /* a bootloader built without delta installs refuses them, with no call */
#define delta_check(b, rec) ((void)(b), (void)(rec), SDBOOT_EDELTABASE)
#define delta_install(b, rec) ((void)(b), (void)(rec), SDBOOT_EDELTABASE)
#define delta_rollback(b) ((void)(b), SDBOOT_EDELTABASE)
#define delta_resume(b, action) ((void)(b), (void)(action), SDBOOT_EDELTABASE)
#endif
/* A confirmed delta over a delta: the one before it (previous.*) goes. */
int delta_drop_previous(struct sdboot *b);
/* In a whole install's (or rollback's) commit: the staged index becomes
 * current.idx when it is the signed one, any other index and delta go. */
int index_keep_installed(struct sdboot *b);
int index_settle_installed(struct sdboot *b);

/* seen.c: names extracted so far (a Bloom filter in b->bloom). seen_note
 * notes rel (and the directories above it) and says whether rel may have been
 * noted before: false means certainly new. rel is cut at each '/' in turn
 * while it hashes the directories, and left as it was. */
void seen_reset(struct sdboot *b);
bool seen_note(struct sdboot *b, char *rel);

/* own.c: what sdboot owns (sdb_fat_check_opts.owned): /app, /.sdboot and the
 * files outside /app the installed (and, while st says a switch is under way,
 * the installing) release names. own_load reads the archives' names into
 * b->owned; own_path answers until the next own_load. */
void own_load(struct sdboot *b, const struct sdboot_state *st);
bool own_path(void *ctx, const char *path, bool is_dir);

/* odd.c: set aside (rename to NAME.odd, .odd2, ...) what cannot be used. */
int odd_set_aside(struct sdboot *b, const char *path, const char *why);
/* Every /.sdboot name of the wrong type (and /.sdboot itself), set aside
 * (SDBOOT_ODD_CHECK 1: each boot runs it first). */
int odd_check_entries(struct sdboot *b);
/* A build without that look (SDBOOT_ODD_CHECK 0) meets such an entry where
 * it uses it: a FAT error that says a name has the wrong type. */
#define ODD_TYPE(err) (!SDBOOT_ODD_CHECK && ((err) == SDB_FAT_EISDIR || (err) == SDB_FAT_ENOTDIR))
/* ... and before work that writes, renames or deletes sdboot's files
 * (install, rollback, clean-up, restore): SDBOOT_EODD when a directory sits
 * where one of them belongs (the archives, their records, the repair's
 * files, the staged archive), SDB_OK otherwise. Reads only. */
int odd_files(struct sdboot *b);

/* repair.c: the FAT check with repair (sdb_fat_check), logging what it fixed;
 * the boot runs it before touching a volume a cut may have left inconsistent. */
int repair_fat_check(struct sdboot *b);
/* The check without its FAT-wide scans (tree and chains only: reads), then
 * repair_fat_check when it finds anything. For a card with no state, which
 * holds no journal to say a fs_work_begin of its own was cut. */
int check_chains(struct sdboot *b);
/* The full check with repair when an install ran out of space: *freed counts
 * the lost clusters it freed (0: the card is really full). */
int reclaim_lost(struct sdboot *b, uint32_t *freed);
/* Before the boot first deletes or replaces a file of its own (install,
 * rollback, refusal, confirm, restore): a check that only reads, and a repair
 * only when it finds sdboot's own files damaged (something else may have
 * written the card since). Once per boot. */
int guard_owned(struct sdboot *b);

#endif
