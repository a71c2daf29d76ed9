/*
 * One power-on (see boot.h and docs/boot.md). Reads only, unless there is work:
 * a normal boot with nothing pending writes no sector.
 */
#include <string.h>
#include "boot_internal.h"
#include "sdboot/fmt.h"
#include "sdboot/release.h"
#include "sdboot/semver.h"

/* Steps kept out of line: inlined into sdboot_boot they cost more than their
 * calls (measured, Cortex-M4 -Os: 136 B for these five). */
#define NOT_INLINED __attribute__((noinline))

/* A damaged FAT is never formatted: mended when its FAT32 backup boot sector
 * passes every check, else left untouched for `sdboot image check`. */
static int mend_damaged(struct sdboot *b, sdb_bd_t *bd, struct sdb_card_info *info)
{
    /* a probe without detail proposes no mend (SDB_FAT_PROBE_DETAIL 0, fat.h) */
    if (!SDB_FAT_PROBE_DETAIL || info->mend != SDB_MEND_BACKUP || b->cfg.recovery_pin) {
        boot_log(b,
                 "damaged FAT card: %s; left untouched (nothing formatted), using internal file "
                 "system; run `sdboot image check` on it",
                 sdb_strerror(info->damage));
        return SDBOOT_EDAMAGEDFAT;
    }
    boot_log(b, "damaged FAT card: %s; mended from the backup boot sector (sector %u)",
             sdb_strerror(info->damage), (unsigned)info->mend_from);
    int err = sdb_fat_mend(bd, info);
    if (err == SDB_OK && (err = sdb_fat_probe(bd, info)) == SDB_OK && info->cls != SDB_CARD_FAT)
        err = SDBOOT_EDAMAGEDFAT;
    return err;
}

static int format_card(struct sdboot *b, sdb_bd_t *bd, const struct sdb_card_info *info,
                       struct sdboot_result *res)
{
    bool blank = info->cls == SDB_CARD_BLANK;
    unsigned need = blank ? SDBOOT_FORMAT_BLANK : SDBOOT_FORMAT_OTHER_FS;
    char what[64] = "";
    if (SDBOOT_LOG && blank) /* only logged */
        sdb_fmt(what, sizeof what, "blank card");
    else if (SDBOOT_LOG)
        sdb_fmt(what, sizeof what, "card with %s",
                info->foreign ? info->foreign : "no file system sdboot recognises");
    if (b->cfg.recovery_pin || !(b->cfg.format_policy & need)) {
        boot_log(b, "%s: not formatted (policy), using internal file system", what);
        return SDBOOT_ENOFS;
    }
#if !SDB_FAT_MKFS
    /* A build without the formatter (sdboot/fat.h) formats nothing, whatever the policy. */
    boot_log(b, "%s: not formatted (no formatter in this build), using internal file system", what);
    (void)bd, (void)res;
    return SDB_E_NOTSUP;
#else
    boot_log(b, "%s: formatting it as FAT", what);
    struct sdb_mkfs_opts opts = {.volume_id = 0x5db00700u};
    int err = sdb_fat_mkfs(bd, &opts);
    if (err == SDB_OK)
        res->event = SDBOOT_EV_FORMATTED;
    return err;
#endif
}

/* Bring the card up and make sure it holds a FAT volume the policy allows. */
static int bring_up(struct sdboot *b, sdb_bd_t *bd, struct sdboot_result *res)
{
    struct sdb_card_info info = {.cls = SDB_CARD_NONE};
    for (uint8_t i = 0; i < b->cfg.probe_retries; i++) {
        int err = sdb_fat_probe(bd, &info);
        if (err)
            return err;
        if (info.cls != SDB_CARD_NONE && info.cls != SDB_CARD_IO_ERROR)
            break;
    }
    int err = SDB_OK;
    if (info.cls == SDB_CARD_NONE) {
        boot_log(b, "no card: falling back to the internal file system");
        return SDBOOT_ENOCARD;
    }
    if (info.cls == SDB_CARD_IO_ERROR) {
        boot_log(b,
                 "card gives read errors (%s): left untouched (never formatted), using "
                 "internal file system",
                 sdb_strerror(info.damage));
        return SDBOOT_ECARDIO;
    }
    if (info.cls == SDB_CARD_DAMAGED_FAT)
        err = mend_damaged(b, bd, &info);
    else if (info.cls != SDB_CARD_FAT)
        err = format_card(b, bd, &info, res);
    return err ? err : sdb_fat_mount(&b->vol, bd, b->cfg.recovery_pin);
}

/* A release is installed (the state names one): one call, not a strcmp at each use. */
NOT_INLINED static bool has_release(const struct sdboot *b)
{
    return strcmp(b->st.installed, SDB_VERSION_NONE) != 0;
}

_Static_assert(SDBOOT_IO_BUF >= SDB_RECORD_SIZE, "a record is read into b->io");

/* The application's confirmation of the release it runs. */
NOT_INLINED static int fold_confirm(struct sdboot *b, struct sdboot_result *res)
{
    uint8_t *buf = b->io; /* the record is decoded before anything else uses io */
    struct sdb_confirm_record rec;
    int err = boot_read_record(&b->vol, SDB_CONFIRM, buf);
    if (err == SDB_FAT_ENOENT)
        return SDB_OK;
    if (ODD_TYPE(err)) { /* a directory by that name: no confirmation, left as it is */
        res->error = SDBOOT_EODD;
        return SDB_OK;
    }
    if (err && err != SDB_STAGE_EFIELD) /* a short record is invalid, not an error */
        return err;
    bool valid = !err && sdb_confirm_record_decode(buf, &rec) == SDB_OK;
    if (valid && !b->st.confirmed && !strcmp(rec.version, b->st.installed)) {
        if ((err = state_confirm(b)))
            return err;
        res->event = SDBOOT_EV_CONFIRMED;
        boot_log(b, "release %s confirmed by the application", b->st.installed);
    }
    /* State first, then the record: a cut in between folds it again, harmlessly. */
    if ((err = guard_owned(b)) || (err = fs_work_begin(b)))
        return err;
    /* A record that does not read whole is the application's write, cut: its
     * cluster may be on the FAT but in no entry yet (a lost cluster). */
    if (!valid && (err = repair_fat_check(b)))
        return err;
    if ((err = sdb_fat_unlink(&b->vol, SDB_CONFIRM)))
        return err;
    return fs_work_end(b);
}

/* The state says why first, then the staged files go (a cut in between
 * refuses again). abandon: an extraction into next/ is dropped as well. */
static int refuse_staged(struct sdboot *b, int why, bool abandon, const char *version,
                         struct sdboot_result *res)
{
    boot_log(b, "staged release refused: %s; keeping %s", sdb_strerror(why), b->st.installed);
    int err = abandon ? state_abandon_install(b, why) : state_refuse(b, why, version);
    if (err || (err = guard_owned(b)))
        return err;
    if ((err = tree_unlink(b, SDB_STAGE_PENDING)) || (err = tree_unlink(b, SDB_STAGE_ARCHIVE)))
        return err;
    res->event = SDBOOT_EV_INSTALL_FAILED;
    res->error = why;
    return fs_work_end(b);
}

/* An install that failed before SWITCHING: throw next/ away, keep the old release. */
static int abort_install(struct sdboot *b, int why, struct sdboot_result *res)
{
    int err = tree_remove(b, NEXT_DIR);
    if (err)
        return err;
    if (b->st.source != SDBOOT_FROM_PREVIOUS)
        return refuse_staged(b, why, true, NULL, res);
    /* A rollback that cannot extract: keep the running release, stop counting. */
    res->event = SDBOOT_EV_INSTALL_FAILED;
    res->error = why;
    boot_log(b, "rollback failed: %s; keeping %s", sdb_strerror(why), b->st.installed);
    return state_rollback_failed(b, why);
}

/* One install: a staged release (rec: a delta, or a whole archive) or the
 * rollback's previous.tar (rec NULL). */
static int install_once(struct sdboot *b, const struct sdb_stage_record *rec, const char *version)
{
    if (SDBOOT_DELTA && rec && (rec->flags & SDB_STAGE_DELTA)) /* refused above without */
        return delta_install(b, rec);
    return install_from(b, rec, version);
}

/* install_once, and once more when the card ran out of space and the full
 * check freed lost clusters: the guard before an install looks at chains only
 * (repair.c), so a card's leaks (a cut between a FAT write and its entry,
 * often the application's) are swept here, when they cost something. The
 * second extraction starts over (install_extract drops next/ first). */
NOT_INLINED static int install_reclaiming(struct sdboot *b, const struct sdb_stage_record *rec,
                                          const char *version)
{
    int err = install_once(b, rec, version);
    if (err != SDB_FAT_ENOSPC || b->st.phase != SDBOOT_PHASE_EXTRACTING)
        return err;
    uint32_t freed = 0;
    int rerr = reclaim_lost(b, &freed);
    if (rerr || !freed)
        return rerr ? rerr : err;
    boot_log(b, "card full: freed %u lost clusters, unpacking %s again", (unsigned)freed, version);
    return install_once(b, rec, version);
}

/* install_reclaiming; a failure before SWITCHING throws next/ away
 * (abort_install); event on success. The guard has run. */
static int run_install(struct sdboot *b, const struct sdb_stage_record *rec, const char *version,
                       enum sdboot_event event, struct sdboot_result *res)
{
    int err = install_reclaiming(b, rec, version);
    if (err && err <= SDB_ERR_BD_MIN && b->st.phase == SDBOOT_PHASE_EXTRACTING)
        return abort_install(b, err, res);
    if (!err)
        res->event = event;
    return err;
}

static int install_staged(struct sdboot *b, struct sdboot_result *res)
{
    struct sdb_stage_record rec = {.version = ""}; /* stays "" when the record is unreadable */
    int err = install_check_staged(b, &rec);
    if (err == SDBOOT_ENOPENDING)
        return SDB_OK;
    if (!err && (rec.flags & SDB_STAGE_DELTA))
        err = delta_check(b, &rec);
    if (err && err <= SDB_ERR_BD_MIN) /* refusals and I/O on the card as a file system */
        return refuse_staged(b, err == SDB_FAT_ENOENT ? SDBOOT_ESTAGED : err, false, rec.version,
                             res);
    if (err)
        return err;
    if ((err = guard_owned(b)))
        return err;
    bool delta = SDBOOT_DELTA && (rec.flags & SDB_STAGE_DELTA); /* else refused above */
    if (delta)
        boot_log(b, "installing %s over %s (a delta over %s: only what the card lacks is written)",
                 rec.version, b->st.installed, rec.base);
    else
        boot_log(b, "installing %s over %s", rec.version, b->st.installed);
    err = run_install(b, &rec, rec.version, SDBOOT_EV_INSTALLED, res);
    if (err || res->event != SDBOOT_EV_INSTALLED)
        return err;
    boot_log(b, "installed %s; on trial for %u boots", b->st.installed, b->st.trial_max);
    return SDB_OK;
}

/* A power cut left the journal mid-way: finish or undo, then carry on. */
NOT_INLINED static int resume(struct sdboot *b, enum state_recovery action,
                              struct sdboot_result *res)
{
    int err;
    if (action == RECOVER_RESTART_EXTRACT) {
        boot_log(b, "power was lost while unpacking %s: starting over", b->st.target);
        if ((err = repair_fat_check(b)) || (err = tree_remove(b, NEXT_DIR)))
            return err;
        return state_restart_extract(b);
    }
    boot_log(b, "power was lost while switching to %s: finishing it", b->st.target);
    if (action == RECOVER_FINISH_DELTA || action == RECOVER_FINISH_UNDO) {
        if ((err = delta_resume(b, action)))
            return err;
        res->event = SDBOOT_EV_RESUMED;
        return SDB_OK;
    }
    if ((err = install_settle(b)) || (err = repair_fat_check(b)) || (err = install_switch(b)) ||
        (err = install_commit(b)))
        return err;
    res->event = SDBOOT_EV_RESUMED;
    return SDB_OK;
}

static int count_trial(struct sdboot *b, struct sdboot_result *res)
{
    const struct sdboot_state *st = &b->st;
    if (st->confirmed || !has_release(b))
        return SDB_OK;
    if (st->trials_used < st->trial_max) {
        boot_log(b, "release %s on trial: boot %u of %u", st->installed, st->trials_used + 1u,
                 st->trial_max);
        return state_count_trial(b);
    }
    if (st->delta) { /* the files it replaced are parked: they go back */
        boot_log(b, "release %s not confirmed after %u boots: rolling back to %s", st->installed,
                 st->trial_max, st->previous);
        int err = guard_owned(b);
        if (err || (err = delta_rollback(b)))
            return err;
        res->event = SDBOOT_EV_ROLLED_BACK;
        return SDB_OK;
    }
    if (!st->previous[0] || !tree_exists(&b->vol, PREVIOUS_TAR, NULL)) {
        boot_log(b, "release %s never confirmed, but there is nothing to roll back to",
                 st->installed);
        return state_end_trial(b);
    }
    boot_log(b, "release %s not confirmed after %u boots: rolling back to %s", st->installed,
             st->trial_max, st->previous);
    /* st->previous stays as it is until the commit, the install's last step */
    int err = SDBOOT_ODD_CHECK ? SDB_OK : odd_files(b);
    if (!err)
        err = guard_owned(b);
    return err ? err : run_install(b, NULL, st->previous, SDBOOT_EV_ROLLED_BACK, res);
}

/* Leftovers of a finished install (a cut during its clean-up), and a damaged tree. */
NOT_INLINED static int tidy_and_check(struct sdboot *b, struct sdboot_result *res)
{
    int err;
    bool repairing = tree_exists(&b->vol, REPAIR_MARK, NULL);
    /* prev/ holds an unconfirmed delta's way back: a leftover only once confirmed */
    bool parked = b->st.delta && !b->st.confirmed;
    /* and a delta over a delta keeps the one before it: gone once confirmed
     * (a build without deltas records none, SDBOOT_DELTA 0: nothing to look for) */
    bool kept_delta =
        SDBOOT_DELTA && !parked && b->st.delta && tree_exists(&b->vol, PREVIOUS_DELTA, NULL);
    bool leftovers = tree_exists(&b->vol, NEXT_DIR, NULL) ||
                     (!parked && tree_exists(&b->vol, PREV_DIR, NULL)) ||
                     tree_exists(&b->vol, FIX_TMP, NULL) || repairing || kept_delta;
    /* without the odd check, an odd entry stops the clean-up before it writes */
    if (leftovers) {
        if ((!SDBOOT_ODD_CHECK && (err = odd_files(b))) || (err = fs_work_begin(b)) ||
            (err = repair_fat_check(b)) || (err = tree_remove(b, NEXT_DIR)) ||
            (!parked && (err = tree_remove(b, PREV_DIR))) ||
            (kept_delta && (err = delta_drop_previous(b))))
            return err;
        if (tree_exists(&b->vol, FIX_TMP, NULL) && (err = sdb_fat_unlink(&b->vol, FIX_TMP)))
            return err;
    }
    bool installed = has_release(b);
    const char *entry = b->cfg.entry;
    if (installed &&
        (repairing || b->cfg.repair || b->restore_needed || !tree_exists(&b->vol, entry, NULL)) &&
        tree_exists(&b->vol, CURRENT_TAR, NULL)) {
        /* The marker makes a repair cut short resume at the next boot. */
        struct sdb_fat_file mark;
        uint32_t restored;
        if ((!SDBOOT_ODD_CHECK && (err = odd_files(b))) || (err = fs_work_begin(b)))
            return err;
        if (!repairing &&
            ((err = sdb_fat_open(&b->vol, &mark, REPAIR_MARK, SDB_FAT_WRITE | SDB_FAT_CREATE)) ||
             (err = sdb_fat_close(&mark)) || (err = sdb_fat_sync(&b->vol))))
            return err;
        restored = 0;
        err = guard_owned(b);
        if (err == SDB_OK && (err = sdboot_repair(b, &restored)) < SDB_ERR_FAT_MIN &&
            err >= SDB_ERR_REL_MIN) {
            /* The archive is no release (a tar or gzip error): keep it for a
             * look, stop trying it. Without the odd check's names (.odd2 ...)
             * one is kept: it replaces one an earlier boot set aside. */
            const char *why = ""; /* only logged */
#if SDBOOT_LOG
            char line[96];
            sdb_fmt(line, sizeof line, "does not read as a release: %s", sdb_strerror(err));
            why = line;
#endif
            err = SDBOOT_ODD_CHECK ? odd_set_aside(b, CURRENT_TAR, why)
                                   : sdb_fat_rename(&b->vol, CURRENT_TAR, CURRENT_TAR ".odd", true);
        }
        if (err || (err = sdb_fat_unlink(&b->vol, REPAIR_MARK)))
            return err;
        b->restore_needed = false;
        leftovers = true;
        if (restored) {
            boot_log(b, "restored %u damaged or missing files of %s", (unsigned)restored,
                     b->st.installed);
            res->event = SDBOOT_EV_REPAIRED;
        }
    }
    return fs_work_end(b);
}

static void apply_defaults(struct sdboot *b, const struct sdboot_config *cfg)
{
    static const struct sdboot_config defaults = SDBOOT_CONFIG_DEFAULTS;
    b->cfg = cfg ? *cfg : defaults;
    if (!b->cfg.trial_boots)
        b->cfg.trial_boots = SDBOOT_DEFAULT_TRIAL_BOOTS;
    if (!b->cfg.probe_retries)
        b->cfg.probe_retries = SDBOOT_DEFAULT_PROBE_RETRIES;
    if (!b->cfg.entry)
        b->cfg.entry = "/main.py";
}

/* A card without a valid state: mend what an interrupted initialisation left,
 * then write fresh records. Nothing is formatted. Record files that do not
 * read (records_seen) are this boot's own work cut short, or damage: the full
 * check. Without them the boot never wrote here (the folder is the staging
 * of a card prepared elsewhere): the walk of the tree and chains is enough,
 * and anything it finds gets the full check. */
NOT_INLINED static int init_state(struct sdboot *b, bool records_seen)
{
    struct sdb_fat_stat st;
    int err = sdb_fat_stat(&b->vol, SDB_DIR, &st);
    if (err == SDB_OK)
        err = records_seen ? repair_fat_check(b) : check_chains(b);
    else if (err == SDB_FAT_ENOENT)
        err = sdb_fat_mkdir(&b->vol, SDB_DIR);
    return err ? err : state_init(b);
}

static int boot_card(struct sdboot *b, struct sdboot_result *res)
{
    bool found;
    int err = SDBOOT_ODD_CHECK && !b->cfg.recovery_pin ? odd_check_entries(b) : SDB_OK;
    if (err)
        return err;
    err = state_load(b, &found);
    bool records_seen = err == SDBOOT_ESTATE; /* record files, none valid */
    if (records_seen) {
        boot_log(b, "both boot state records are damaged and the card keeps no release: "
                    "starting from a fresh state");
        found = false;
    } else if (err) {
        return err;
    }
    if (b->cfg.recovery_pin) {
        res->decision = SDBOOT_MOUNT_SD;
        boot_log(b, "recovery pin held: card mounted at /sd, nothing runs");
        return SDB_OK;
    }
    if (!found) {
        if ((err = init_state(b, records_seen)))
            return err;
        if (res->event == SDBOOT_EV_NONE)
            res->event = SDBOOT_EV_INITIALISED;
        boot_log(b, "%s",
                 res->event == SDBOOT_EV_FORMATTED
                     ? "initialised /.sdboot on the new file system"
                     : "card has no sdboot state: initialised /.sdboot (nothing "
                       "formatted)");
    }
    enum state_recovery action = state_recovery(&b->st);
    if (action == RECOVER_REBUILD) {
        boot_log(b, "no valid boot state record (damaged or missing): rebuilding it from what "
                    "the card keeps");
        if ((err = rebuild_state(b)))
            return err;
        res->event = SDBOOT_EV_REBUILT;
    } else if (action == RECOVER_CHECK_FS) {
        boot_log(b, "the last boot was cut during file-system work: checking the card");
        if ((err = repair_fat_check(b)))
            return err;
    } else if (action != RECOVER_NONE && (err = resume(b, action, res))) {
        return err;
    }
    if ((err = fold_confirm(b, res)) || (err = install_staged(b, res)))
        return err;
    /* A repair run is this power-on's second: its first counted the trial. */
    if (res->event != SDBOOT_EV_INSTALLED && !b->cfg.repair && (err = count_trial(b, res)))
        return err;
    return tidy_and_check(b, res);
}

static bool release_runs(struct sdboot *b)
{
    const char *entry = b->cfg.entry;
    return has_release(b) && tree_exists(&b->vol, entry, NULL);
}

/* Work the boot could not finish (an odd card, a failing read) still ends in
 * a decision: the installed release runs when it is complete, else the
 * internal file system. */
static int decide_anyway(struct sdboot *b, int why, struct sdboot_result *res)
{
    res->error = why;
    if (b->cfg.recovery_pin) { /* cut short before the pin was seen: nothing runs all the same */
        res->decision = SDBOOT_MOUNT_SD;
        return SDB_OK;
    }
    if (release_runs(b)) {
        boot_log(b, "could not finish the boot's work (%s): running %s as it is", sdb_strerror(why),
                 b->st.installed);
        res->decision = SDBOOT_RUN_CARD;
    } else {
        boot_log(b, "could not finish the boot's work (%s): using internal file system",
                 sdb_strerror(why));
        res->decision = SDBOOT_INTERNAL;
    }
    return SDB_OK;
}

/* Nothing to start: the installed release's entry is gone and cannot be
 * restored, or a card without a release has no entry file of its own (the
 * seed's boot.py then stays in the REPL). */
static int check_entry_exists(struct sdboot *b, struct sdboot_result *res)
{
    const char *entry = b->cfg.entry;
    if (tree_exists(&b->vol, entry, NULL))
        return SDB_OK;
    res->decision = SDBOOT_INTERNAL;
    if (!has_release(b)) {
        boot_log(b,
                 "no release installed and no %s on the card: nothing to run, using internal "
                 "file system",
                 entry);
        if (!res->error) /* a refused install's reason stays the reason */
            res->error = SDBOOT_ENOENTRY;
        return SDB_OK;
    }
    boot_log(b, "no %s on the card and no archive to restore it from: using internal file system",
             entry);
    res->error = SDBOOT_ENOARCHIVE;
    return SDB_OK;
}

int sdboot_boot(struct sdboot *b, sdb_bd_t *bd, const struct sdboot_config *cfg,
                struct sdboot_result *res)
{
    if (!b || !bd || !res)
        return SDB_E_INVAL;
    memset(res, 0, sizeof *res);
    apply_defaults(b, cfg);
    int err = bring_up(b, bd, res);
    if (err == SDB_BD_EPOWER)
        return err;
    if (err) {
        res->decision = SDBOOT_INTERNAL;
        res->error = err;
        return SDB_OK;
    }
    res->decision = SDBOOT_RUN_CARD;
    b->restore_needed = false;
    b->guarded = false;
    err = boot_card(b, res);
    if (err && err != SDB_BD_EPOWER)
        err = decide_anyway(b, err, res);
    if (err == SDB_OK && res->decision == SDBOOT_RUN_CARD)
        err = check_entry_exists(b, res);
    int uerr = b->cfg.recovery_pin ? SDB_OK : sdb_fat_unmount(&b->vol);
    if (err || uerr)
        return err ? err : uerr;
    const struct sdboot_state *st = &b->st;
    COPY_STR(res->version, st->installed);
    res->on_trial = !st->confirmed;
    res->trials_used = st->trials_used;
    res->trial_max = st->trial_max;
    if (res->decision == SDBOOT_RUN_CARD && !has_release(b))
        boot_log(b, "no release installed yet: running the card's own %s", b->cfg.entry);
    return SDB_OK;
}

const char *sdboot_decision_name(enum sdboot_decision d)
{
    switch (d) {
    case SDBOOT_RUN_CARD:
        return "run /main.py from the card";
    case SDBOOT_MOUNT_SD:
        return "recovery: card at /sd, nothing runs";
    case SDBOOT_INTERNAL:
        return "internal file system, nothing runs";
    }
    return "?";
}

const char *sdboot_event_name(enum sdboot_event e)
{
    static const char *names[] = {"none",           "installed",    "resumed",   "rolled back",
                                  "install failed", "repaired",     "formatted", "initialised",
                                  "confirmed",      "state rebuilt"};
    return (unsigned)e < sizeof names / sizeof names[0] ? names[e] : "?";
}
