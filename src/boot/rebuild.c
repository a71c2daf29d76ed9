/*
 * What the card keeps beside the state records, and rebuilding the state from
 * it when both records are lost.
 *
 * Kept records: the staging record of a release (stage.h: version, size,
 * SHA-256 of its archive) travels with its archive. An install moves the
 * pending record to /.sdboot/current.rec as the archive becomes current.tar
 * (current.rec going to previous.rec beside previous.tar); a rollback moves
 * previous.rec back with previous.tar. The moves are renames inside the
 * SWITCHING phase, redone by existence and settled like the archives' own,
 * so a record never outlives the move of its archive by more than a rerun.
 * A delta's record goes with it the same way (install_delta.c: pending ->
 * current.dlr beside current.dlt, the one it replaces -> previous.dlr).
 * A record is believed only while its archive has its size and SHA-256: one
 * that a cut, an older bootloader or a user left stale is ignored.
 *
 * Rebuild: a card with sdboot data but no valid state record (both damaged,
 * or both gone) is not new. Its state is made again from what it keeps:
 * installed = current.rec's version when it matches current.tar (else
 * SDB_VERSION_UNKNOWN while current.tar exists: cards written before the
 * kept records), previous = previous.rec's when it matches previous.tar.
 * A delta over that base (current.dlr matching current.dlt, naming the base
 * as its own, current.idx its signed index) is the installed release
 * instead, confirmed: its way back cannot be proven whole.
 * The trial is what can be proven: a release with a known one to roll back to
 * is on trial again (0 of N: a confirmation keeps it), else confirmed. The
 * floor the OTA client and the install check keep (the installed version) is
 * therefore never lower than the record of the archive that runs. Nothing but
 * the state records is written (state_rebuild writes both, like a fresh
 * state); a cut during it leaves no valid record and the next boot rebuilds
 * again from the same unchanged files.
 *
 * Built with SDBOOT_REBUILD 0 (boot.h), no record is read: the state is the
 * one a card without kept records gets (installed "unknown" while
 * current.tar exists, else "none"; nothing to roll back to; confirmed).
 *
 * RAM: none of its own (b->io for the archives, a 512-byte record on the
 * stack). Cost: each archive named by a record is read once, only then.
 */
#include <string.h>
#include "boot_internal.h"
#include "sdboot/release.h"
#include "sdboot/semver.h"

/* ---- moving the archives and their records (install_commit, install_settle) ---- */

/* The kept archive and its record travel alike: staged, current, previous. */
static const char *const kept[2][3] = {{SDB_STAGE_ARCHIVE, CURRENT_TAR, PREVIOUS_TAR},
                                       {SDB_STAGE_PENDING, CURRENT_REC, PREVIOUS_REC}};

int rebuild_move(struct sdboot *b, enum kept_file which)
{
    const char *staged = kept[which][0], *cur = kept[which][1], *prev = kept[which][2];
    int err;
    if (b->st.source == SDBOOT_FROM_PREVIOUS)
        return tree_has(&b->vol, prev) ? sdb_fat_rename(&b->vol, prev, cur, true) : SDB_OK;
    if (!tree_has(&b->vol, staged))
        return SDB_OK; /* moved already (a rerun after a cut) */
    if (tree_has(&b->vol, cur) && (err = sdb_fat_rename(&b->vol, cur, prev, true)))
        return err;
    return sdb_fat_rename(&b->vol, staged, cur, false);
}

int rebuild_settle(struct sdboot *b, enum kept_file which)
{
    const char *staged = kept[which][0], *cur = kept[which][1], *prev = kept[which][2];
    if (b->st.source == SDBOOT_FROM_PREVIOUS)
        return sdb_fat_rename_settle(&b->vol, prev, cur);
    int err = sdb_fat_rename_settle(&b->vol, cur, prev);
    return err ? err : sdb_fat_rename_settle(&b->vol, staged, cur);
}

/* ---- the rebuild ---- */

/* What the card says of one kept archive. */
enum kept_what {
    KEPT_NONE,     /* no archive */
    KEPT_KNOWN,    /* archive and a record that matches it: version known */
    KEPT_UNKNOWN,  /* archive without a record */
    KEPT_MISMATCH, /* archive whose record names other bytes (stale or damaged) */
    KEPT_UNREAD,   /* archive, its record not read (SDBOOT_REBUILD 0) */
};

#if SDBOOT_LOG
static const char *const kept_words[] = {
    [KEPT_NONE] = "none kept",
    [KEPT_KNOWN] = "matches its archive",
    [KEPT_UNKNOWN] = "no record beside the archive",
    [KEPT_MISMATCH] = "record does not match the archive",
    [KEPT_UNREAD] = "not read: this build does not rebuild from the records",
};
#endif

#if SDBOOT_REBUILD

/* Device errors go up as they are; anything else only means "not known". */
static int kept_version(struct sdboot *b, const char *rec_path, const char *tar_path,
                        enum kept_what *what, char version[SDB_VERSION_MAX],
                        struct sdb_stage_record *out)
{
    uint8_t buf[SDB_RECORD_SIZE], digest[SDB_SHA256_LEN];
    struct sdb_stage_record rec_store, *rec = out ? out : &rec_store;
    struct sdb_semver v;
    uint64_t size;
    *what = KEPT_NONE;
    version[0] = '\0';
    if (!tree_has(&b->vol, tar_path))
        return SDB_OK;
    *what = KEPT_UNKNOWN;
    int err = boot_read_record(&b->vol, rec_path, buf);
    if (err > SDB_ERR_BD_MIN && err != SDB_OK)
        return err;
    if (err || sdb_stage_record_decode(buf, rec) || sdb_semver_parse(rec->version, 0, &v))
        return SDB_OK;
    *what = KEPT_MISMATCH;
    if ((err = tree_hash_file(b, tar_path, &size, digest)))
        return err > SDB_ERR_BD_MIN ? err : SDB_OK;
    if (size != rec->size || memcmp(digest, rec->sha256, SDB_SHA256_LEN))
        return SDB_OK;
    *what = KEPT_KNOWN;
    memcpy(version, rec->version, SDB_VERSION_MAX);
    return SDB_OK;
}

/* A delta over the base (current.dlt with its record current.dlr): the
 * installed release when the record matches the archive, names the base
 * as its own and current.idx is the index it signed. Reads only. */
static int kept_delta(struct sdboot *b, const char *base, enum kept_what *what,
                      char version[SDB_VERSION_MAX])
{
    struct sdb_stage_record rec;
    uint64_t size;
    uint8_t digest[SDB_SHA256_LEN];
    int err = kept_version(b, CURRENT_DREC, CURRENT_DELTA, what, version, &rec);
    if (err || *what != KEPT_KNOWN)
        return err;
    *what = KEPT_MISMATCH;
    version[0] = '\0';
    if (!(rec.flags & SDB_STAGE_DELTA) || strcmp(rec.base, base) || !tree_has(&b->vol, BASE_INDEX))
        return SDB_OK;
    if ((err = tree_hash_file(b, SDB_CURRENT_INDEX, &size, digest)))
        return err > SDB_ERR_BD_MIN ? err : SDB_OK;
    if (memcmp(digest, rec.index_sha256, SDB_SHA256_LEN))
        return SDB_OK;
    *what = KEPT_KNOWN;
    memcpy(version, rec.version, SDB_VERSION_MAX);
    return SDB_OK;
}

#endif /* SDBOOT_REBUILD */

int rebuild_state(struct sdboot *b)
{
    char previous[SDB_VERSION_MAX] = "", base[SDB_VERSION_MAX];
    char delta[SDB_VERSION_MAX] = "";
    enum kept_what cur, prev = KEPT_NONE, dlt = KEPT_NONE;
    int err = repair_fat_check(b); /* what damaged the records may have hit the FAT too */
    if (err)
        return err;
#if SDBOOT_REBUILD
    if ((err = kept_version(b, CURRENT_REC, CURRENT_TAR, &cur, base, NULL)) ||
        (err = kept_version(b, PREVIOUS_REC, PREVIOUS_TAR, &prev, previous, NULL)))
        return err;
    if (cur == KEPT_KNOWN && (err = kept_delta(b, base, &dlt, delta)))
        return err;
#else /* the release runs as a card without kept records would have it */
    cur = tree_has(&b->vol, CURRENT_TAR) ? KEPT_UNREAD : KEPT_NONE;
#endif
    if (cur == KEPT_NONE)
        COPY_STR(base, SDB_VERSION_NONE);
    else if (cur != KEPT_KNOWN)
        COPY_STR(base, SDB_VERSION_UNKNOWN);
    bool is_delta = dlt == KEPT_KNOWN;
    const char *installed = is_delta ? delta : base;
    /* A delta's way back (prev/, previous.dlt) cannot be proven whole: it
     * runs confirmed, with the base as what it was made over. */
    if (is_delta)
        COPY_STR(previous, base);
    bool on_trial = !is_delta && cur == KEPT_KNOWN && prev == KEPT_KNOWN;
    const struct state_proof proof = {installed, previous, base, is_delta, on_trial};
    if ((err = state_rebuild(b, &proof)))
        return err;
    if (is_delta)
        boot_log(b,
                 "boot state rebuilt from the card: installed %s (current.dlr: a delta over %s, "
                 "matches its archive and current.idx), base %s (current.rec: %s), confirmed",
                 installed, base, base, kept_words[cur]);
    else
        boot_log(b,
                 "boot state rebuilt from the card: installed %s (current.rec: %s), previous %s "
                 "(previous.rec: %s), %s%s",
                 installed, kept_words[cur], previous[0] ? previous : "none", kept_words[prev],
                 on_trial ? "on trial again until confirmed" : "confirmed",
                 dlt == KEPT_NONE ? "" : " (the delta over it, current.dlr, does not match)");
    b->restore_needed = cur != KEPT_NONE; /* compare the release with its archive now */
    return SDB_OK;
}
