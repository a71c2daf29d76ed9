/*
 * The boot state: its records on the card, the transitions between states,
 * and the recovery table. Nothing outside this file writes a state field.
 *
 * Records: two files of one sector each, written alternately. A record is
 * updated by a single sdb_fat_overwrite_sector (no FAT or directory write)
 * followed by a sync, so a cut leaves the other, older record intact and the
 * newest valid one (highest sequence, good CRC) is always a complete state.
 * Frame (record.h): magic "SDBSTATE", format 1, then from offset 12: u32 seq,
 * u8 phase, source, trial_max, trials_used, confirmed, last_event, fs_dirty,
 * delta (0 in records written before delta installs), i32 last_error,
 * installed[64], previous[64], target[64], refused[64], i32 refused_error,
 * base[64], u8 previous_delta, zero padding, CRC-32 at 508 (a record written
 * before refused, base and previous_delta existed reads as none refused, base
 * unknown (sdboot_state_base), previous not a delta).
 *
 * Transitions: each helper below sets the fields of one step of docs/boot.md
 * and stores the result with one record write (fs_dirty rides along: it is
 * set only by fs_work_begin and cleared only by fs_work_end).
 *
 * RAM: none of its own (the state lives in struct sdboot). Stack: two records
 * (1 KiB) while loading, one (512 B) while storing.
 */
#include <stddef.h>
#include <string.h>
#include "boot_internal.h"
#include "sdboot/bytes.h"
#include "sdboot/record.h"
#include "sdboot/release.h"
#include "sdboot/semver.h"

#define MAGIC "SDBSTATE"

enum {
    OFF_SEQ = SDB_RECORD_FIELDS,
    OFF_PHASE = OFF_SEQ + 4,
    OFF_SOURCE,
    OFF_TRIAL_MAX,
    OFF_TRIALS_USED,
    OFF_CONFIRMED,
    OFF_LAST_EVENT,
    OFF_FS_DIRTY,
    OFF_DELTA,
    OFF_LAST_ERROR = OFF_DELTA + 1,
    OFF_INSTALLED = OFF_LAST_ERROR + 4,
    OFF_PREVIOUS = OFF_INSTALLED + SDB_VERSION_MAX,
    OFF_TARGET = OFF_PREVIOUS + SDB_VERSION_MAX,
    OFF_REFUSED = OFF_TARGET + SDB_VERSION_MAX,
    OFF_REFUSED_ERROR = OFF_REFUSED + SDB_VERSION_MAX,
    OFF_BASE = OFF_REFUSED_ERROR + 4,
    OFF_PREVIOUS_DELTA = OFF_BASE + SDB_VERSION_MAX,
    OFF_END = OFF_PREVIOUS_DELTA + 1,
};
_Static_assert(OFF_END <= SDB_RECORD_CRC_AT, "state record fits one sector");

/* The record's fields as runs of struct sdboot_state's bytes: the flags
 * (phase .. delta) and the four versions before refused_error lie in the same
 * order in both, so a run is one copy either way; the 32-bit fields are
 * little-endian in the record, whatever the CPU. */
#define FIELD(name) offsetof(struct sdboot_state, name)
static const struct run {
    uint16_t at, field, len;
} runs[] = {
    {OFF_PHASE, FIELD(phase), OFF_LAST_ERROR - OFF_PHASE},
    {OFF_INSTALLED, FIELD(installed), OFF_REFUSED_ERROR - OFF_INSTALLED},
    {OFF_BASE, FIELD(base), SDB_VERSION_MAX},
    {OFF_PREVIOUS_DELTA, FIELD(previous_delta), 1},
    {OFF_SEQ, FIELD(seq), 0}, /* len 0: a 32-bit field */
    {OFF_LAST_ERROR, FIELD(last_error), 0},
    {OFF_REFUSED_ERROR, FIELD(refused_error), 0},
};
_Static_assert(sizeof(bool) == 1 && FIELD(delta) - FIELD(phase) == OFF_DELTA - OFF_PHASE &&
                   FIELD(refused) - FIELD(installed) == OFF_REFUSED - OFF_INSTALLED,
               "the runs lie alike in the record and in struct sdboot_state");

static void copy_fields(uint8_t *rec, struct sdboot_state *st, bool to_record)
{
    for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) {
        const struct run *r = &runs[i];
        uint8_t *field = (uint8_t *)st + r->field;
        if (r->len == 0 && to_record)
            sdb_put_le32(rec + r->at, *(uint32_t *)(void *)field);
        else if (r->len == 0)
            *(uint32_t *)(void *)field = sdb_get_le32(rec + r->at);
        else
            memcpy(to_record ? rec + r->at : field, to_record ? field : rec + r->at, r->len);
    }
}

int sdboot_state_encode(const struct sdboot_state *st, uint8_t out[SDB_RECORD_SIZE])
{
    memset(out, 0, SDB_RECORD_SIZE);
    copy_fields(out, (struct sdboot_state *)st, true); /* only read */
    sdb_record_seal(out, MAGIC);
    return SDB_OK;
}

int sdboot_state_decode(const uint8_t in[SDB_RECORD_SIZE], struct sdboot_state *st)
{
    int err = sdb_record_unseal(in, MAGIC);
    if (err)
        return err;
    memset(st, 0, sizeof *st);
    copy_fields((uint8_t *)in, st, false);  /* only read */
    st->confirmed = in[OFF_CONFIRMED] != 0; /* any byte but 0 reads as true */
    st->fs_dirty = in[OFF_FS_DIRTY] != 0;
    bool unterminated = in[OFF_BASE + SDB_VERSION_MAX - 1];
    for (unsigned at = OFF_INSTALLED; at < OFF_REFUSED_ERROR; at += SDB_VERSION_MAX)
        unterminated |= in[at + SDB_VERSION_MAX - 1] != 0;
    if (unterminated || st->phase > SDBOOT_PHASE_SWITCHING || st->source > SDBOOT_UNDO_DELTA ||
        in[OFF_DELTA] > 1 || in[OFF_PREVIOUS_DELTA] > 1)
        return SDB_STAGE_EFIELD;
    return SDB_OK;
}

const char *sdboot_state_base(const struct sdboot_state *st)
{
    return st->base[0] ? st->base : st->delta ? st->previous : st->installed;
}

/* ---- reading records ---- */

static int fat_reader(void *ctx, const char *path, uint8_t *buf, size_t cap, size_t *got)
{
    struct sdb_fat_file f;
    uint32_t n = 0;
    int err = sdb_fat_open(ctx, &f, path, SDB_FAT_READ);
    if (err)
        return err;
    err = sdb_fat_read(&f, buf, (uint32_t)cap, &n);
    int cerr = sdb_fat_close(&f);
    *got = n;
    return err ? err : cerr;
}

int boot_read_record(struct sdb_fat_vol *vol, const char *path, uint8_t buf[SDB_RECORD_SIZE])
{
    return sdb_record_read(fat_reader, vol, path, buf);
}

/* out of line (as store_work_done): smaller as calls, measured */
__attribute__((noinline)) static int read_state(sdb_record_reader read, void *ctx, const char *path,
                                                struct sdboot_state *st)
{
    uint8_t buf[SDB_RECORD_SIZE];
    int err = sdb_record_read(read, ctx, path, buf);
    return err ? err : sdboot_state_decode(buf, st);
}

int state_read_pair(sdb_record_reader read, void *ctx, struct sdboot_state *st, uint8_t *slot,
                    int err[2])
{
    /* a straight into *st, one copy on the stack for b: this runs on the
     * application's stack too (sdboot_confirm) */
    struct sdboot_state b;
    err[0] = read_state(read, ctx, STATE_A, st);
    uint32_t seq_a = err[0] ? 0 : st->seq;
    err[1] = read_state(read, ctx, STATE_B, &b);
    if (err[0] && err[1])
        return SDBOOT_ESTATE;
    bool use_b = sdb_record_pick_b(err[0], seq_a, err[1], b.seq);
    if (use_b)
        *st = b;
    *slot = use_b ? 1 : 0;
    return SDB_OK;
}

/* Newest valid of the two records on the boot's volume. *slot: 0 = a, 1 = b.
 * Neither valid and one of the wrong type (no odd check to set it aside,
 * SDBOOT_ODD_CHECK 0; /.sdboot itself a file): SDBOOT_EODD, and the boot
 * does no work. One valid: the boot goes on, and its first record write, to
 * the other, fails before anything is written. */
static int load_newest(struct sdb_fat_vol *vol, struct sdboot_state *st, uint8_t *slot,
                       bool *any_file)
{
    int err[2];
    int rc = state_read_pair(fat_reader, vol, st, slot, err);
    *any_file = err[0] != SDB_FAT_ENOENT || err[1] != SDB_FAT_ENOENT;
    bool odd = false;
    for (int i = 0; i < 2; i++) {
        if (err[i] && err[i] != SDB_FAT_ENOENT && err[i] > SDB_ERR_BD_MIN)
            return err[i]; /* device errors (power, I/O) go up as they are */
        odd |= ODD_TYPE(err[i]);
    }
    return odd && rc == SDBOOT_ESTATE ? SDBOOT_EODD : rc;
}

int sdboot_read_state(struct sdb_fat_vol *vol, struct sdboot_state *st)
{
    uint8_t slot;
    bool any;
    int err = load_newest(vol, st, &slot, &any);
    return err == SDBOOT_ESTATE && !any ? SDB_FAT_ENOENT : err;
}

/* No valid record, and yet archives the bootloader keeps: not a new card,
 * a lost state. Marked with a phase no record can hold (decode refuses it),
 * so the recovery table sends it to the rebuild; it is never stored. */
static bool keeps_sdboot_data(struct sdb_fat_vol *vol)
{
    return tree_has(vol, CURRENT_TAR) || tree_has(vol, PREVIOUS_TAR);
}

int state_load(struct sdboot *b, bool *found)
{
    bool any;
    int err = load_newest(&b->vol, &b->st, &b->st_slot, &any);
    *found = err == SDB_OK;
    if (*found)
        return SDB_OK;
    /* No state: nothing of an earlier boot (or of a record that failed its
     * checks) may decide what a repair before the fresh state owns. */
    memset(&b->st, 0, sizeof b->st);
    COPY_STR(b->st.installed, SDB_VERSION_NONE);
    if (err != SDBOOT_ESTATE || !keeps_sdboot_data(&b->vol))
        return err == SDBOOT_ESTATE && !any ? SDB_OK : err; /* !any: a card sdboot never saw */
    b->st.phase = STATE_PHASE_LOST;
    COPY_STR(b->st.installed, SDB_VERSION_UNKNOWN);
    *found = true;
    return SDB_OK;
}

/* ---- storing ---- */

static int state_store(struct sdboot *b)
{
    /* Everything done so far is on the card before the record says so. */
    int err = sdb_fat_sync(&b->vol);
    if (err)
        return err;
    uint8_t slot = b->st_slot ^ 1;
    uint8_t buf[SDB_RECORD_SIZE];
    struct sdb_fat_file f;
    b->st.seq++;
    sdboot_state_encode(&b->st, buf);
    err = sdb_fat_open(&b->vol, &f, slot ? STATE_B : STATE_A, SDB_FAT_READ | SDB_FAT_WRITE);
    if (err)
        return err;
    err = sdb_fat_overwrite_sector(&f, 0, buf);
    int cerr = sdb_fat_close(&f);
    if (err || cerr)
        return err ? err : cerr;
    b->st_slot = slot;
    return sdb_bd_sync(b->vol.bd);
}

/* Write both records of a fresh state (/.sdboot exists; event INITIALISED:
 * trial_max 0, REBUILT: the configured one): seq 1 in state.a, state.b
 * zeroed. Both names reach the card (synced) before either
 * gets a cluster, so a cut that leaves a cluster of theirs on the FAT always
 * leaves a record file too, which sends the next boot to the full check
 * (init_state, boot.c); otherwise it leaves files that are missing, short or
 * zero: no valid record, so the next boot does the same again. */
static int store_fresh(struct sdboot *b, const struct state_proof *p, uint8_t event)
{
    memset(&b->st, 0, sizeof b->st);
    COPY_STR(b->st.installed, p->installed);
    COPY_STR(b->st.previous, p->previous);
    COPY_STR(b->st.base, p->base);
    b->st.delta = p->delta;
    b->st.trial_max = event == SDBOOT_EV_REBUILT ? b->cfg.trial_boots : 0;
    b->st.confirmed = !p->on_trial;
    b->st.last_event = event;
    b->st.seq = 1;
    uint8_t zero[SDB_RECORD_SIZE] = {0}, rec[SDB_RECORD_SIZE];
    sdboot_state_encode(&b->st, rec);
    const char *paths[2] = {STATE_B, STATE_A};
    const uint8_t *content[2] = {zero, rec};
    struct sdb_fat_file f;
    int err = SDB_OK;
    /* steps 0 and 1 put both names on the card, empty; synced; 2 and 3
     * write their sectors */
    for (int i = 0; i < 4 && !err; i++) {
        if (i == 2 && (err = sdb_fat_sync(&b->vol)))
            break;
        unsigned flags = i < 2 ? SDB_FAT_WRITE | SDB_FAT_CREATE | SDB_FAT_TRUNC : SDB_FAT_WRITE;
        if ((err = sdb_fat_open(&b->vol, &f, paths[i & 1], flags)))
            break;
        if (i >= 2)
            err = sdb_fat_write(&f, content[i & 1], SDB_RECORD_SIZE);
        int cerr = sdb_fat_close(&f);
        err = err ? err : cerr;
    }
    if (err)
        return err;
    b->st_slot = 0;
    return sdb_fat_sync(&b->vol);
}

int state_init(struct sdboot *b)
{
    static const struct state_proof none = {SDB_VERSION_NONE, "", "", false, false};
    return store_fresh(b, &none, SDBOOT_EV_INITIALISED);
}

int state_rebuild(struct sdboot *b, const struct state_proof *p)
{
    return store_fresh(b, p, SDBOOT_EV_REBUILT);
}

int fs_work_begin(struct sdboot *b)
{
    if (b->st.fs_dirty)
        return SDB_OK;
    b->st.fs_dirty = true;
    return state_store(b);
}

int fs_work_end(struct sdboot *b)
{
    if (!b->st.fs_dirty)
        return SDB_OK;
    int err = sdb_fat_sync(&b->vol);
    if (err)
        return err;
    b->st.fs_dirty = false;
    return state_store(b);
}

/* Store a transition that file-system work follows: one record write that
 * also marks the work (through fs_work_begin when it is not marked yet). */
static int store_then_work(struct sdboot *b)
{
    return b->st.fs_dirty ? state_store(b) : fs_work_begin(b);
}

/* Store a transition that ends the file-system work: one record write. */
__attribute__((noinline)) static int store_work_done(struct sdboot *b)
{
    return b->st.fs_dirty ? fs_work_end(b) : state_store(b);
}

/* ---- transitions (docs/boot.md, "Transitions") ---- */

int state_confirm(struct sdboot *b)
{
    b->st.confirmed = true;
    b->st.last_event = SDBOOT_EV_CONFIRMED;
    return store_then_work(b); /* the confirm record is deleted next */
}

/* Refused for what the release is (its tar, board, version: the same bytes
 * would be refused again), not for a damaged or missing download. */
static bool refusal_is_final(int why)
{
    return (why <= SDB_TAR_ECHECKSUM && why >= SDB_TAR_EDONE) || why == SDB_POLICY_EOLDER ||
           why == SDB_POLICY_EBOARD || why == SDB_SEMVER_EINVAL || why == SDBOOT_ETOODEEP;
}

int state_refuse(struct sdboot *b, int why, const char *version)
{
    b->st.last_event = SDBOOT_EV_INSTALL_FAILED;
    b->st.last_error = why;
    if (version && version[0] && refusal_is_final(why)) {
        COPY_STR(b->st.refused, version);
        b->st.refused_error = why;
    }
    return store_then_work(b); /* the staged files are deleted next */
}

/* A whole version field, every byte as it is: one call instead of a copy
 * loop inlined at each use. */
__attribute__((noinline)) static void copy_version(char *to, const char *from)
{
    memcpy(to, from, SDB_VERSION_MAX);
}

static void drop_target(struct sdboot_state *st)
{
    st->phase = SDBOOT_PHASE_IDLE;
    st->target[0] = '\0';
}

int state_abandon_install(struct sdboot *b, int why)
{
    char version[SDB_VERSION_MAX];
    copy_version(version, b->st.target);
    drop_target(&b->st);
    return state_refuse(b, why, version);
}

int state_rollback_failed(struct sdboot *b, int why)
{
    drop_target(&b->st);
    b->st.confirmed = true; /* keep the running release, stop counting */
    b->st.last_event = SDBOOT_EV_INSTALL_FAILED;
    b->st.last_error = why;
    return store_work_done(b);
}

int state_restart_extract(struct sdboot *b)
{
    b->st.phase = SDBOOT_PHASE_IDLE;
    return store_work_done(b);
}

int state_begin_install(struct sdboot *b, enum sdboot_source source, const char *version)
{
    struct sdboot_state *st = &b->st;
    st->phase = SDBOOT_PHASE_EXTRACTING;
    st->source = (uint8_t)source;
    COPY_STR(st->target, version);
    int err = store_then_work(b);
    if (err) /* not stored (a record of the wrong type, a failing card): nothing to drop */
        st->phase = SDBOOT_PHASE_IDLE;
    return err;
}

int state_switch(struct sdboot *b)
{
    b->st.phase = SDBOOT_PHASE_SWITCHING;
    return state_store(b);
}

int state_commit(struct sdboot *b)
{
    struct sdboot_state *st = &b->st;
    /* a build without deltas commits no delta step (SDBOOT_DELTA 0: a
     * delta's install, undo and resume refuse before they get here) */
    bool undo = SDBOOT_DELTA && st->source == SDBOOT_UNDO_DELTA;
    bool rollback = st->source == SDBOOT_FROM_PREVIOUS || undo;
    bool delta = SDBOOT_DELTA && st->source == SDBOOT_FROM_DELTA;
    char base[SDB_VERSION_MAX] = ""; /* whole: the record keeps no stack bytes */
    /* current.tar after this step: the base stays under a delta (and its
     * undo); a whole install or rollback brings its own archive */
    COPY_STR(base, delta || undo ? sdboot_state_base(st) : st->target);
    if (rollback)
        st->previous[0] = '\0';
    else if (st->delta && !delta) /* whole over a delta: previous.tar is its base */
        COPY_STR(st->previous, sdboot_state_base(st));
    else
        COPY_STR(st->previous, strcmp(st->installed, SDB_VERSION_NONE) ? st->installed : "");
    /* a delta over a delta keeps the one it replaces until confirmed; its
     * undo brings that one back */
    bool was_delta = st->delta;
    st->delta = delta || (undo && st->previous_delta);
    st->previous_delta = delta && was_delta;
    copy_version(st->base, base);
    copy_version(st->installed, st->target);
    st->target[0] = '\0';
    st->phase = SDBOOT_PHASE_IDLE;
    st->trials_used = 0;
    st->trial_max = b->cfg.trial_boots;
    st->confirmed = rollback; /* the release rolled back to had been confirmed */
    st->last_event = rollback ? SDBOOT_EV_ROLLED_BACK : SDBOOT_EV_INSTALLED;
    st->last_error = SDB_OK;
    return store_then_work(b); /* the clean-up after the commit is file-system work */
}

int state_begin_undo(struct sdboot *b)
{
    struct sdboot_state *st = &b->st;
    st->phase = SDBOOT_PHASE_SWITCHING; /* nothing to extract: the parked files go back */
    st->source = SDBOOT_UNDO_DELTA;
    copy_version(st->target, st->previous);
    return store_then_work(b);
}

int state_count_trial(struct sdboot *b)
{
    b->st.trials_used++;
    return state_store(b);
}

int state_end_trial(struct sdboot *b)
{
    b->st.confirmed = true;
    return state_store(b);
}

/* ---- recovery table: what a boot does first, by phase and fs_dirty ---- */

#define ANY 0xFE /* a row's dirty or source that matches every value */

/* Read top down, the first row that matches wins: a switch of a delta
 * install or rollback (by source) is finished by its own journal
 * (install_delta.c), always forward, like every other switch. */
static const struct state_rule {
    uint8_t phase;
    uint8_t dirty;  /* 0, 1 or ANY */
    uint8_t source; /* enum sdboot_source or ANY */
    uint8_t action; /* enum state_recovery */
} recovery_table[] = {
    {SDBOOT_PHASE_IDLE, 0, ANY, RECOVER_NONE},
    {SDBOOT_PHASE_IDLE, 1, ANY, RECOVER_CHECK_FS},
    {SDBOOT_PHASE_EXTRACTING, ANY, ANY, RECOVER_RESTART_EXTRACT},
    {SDBOOT_PHASE_SWITCHING, ANY, SDBOOT_FROM_DELTA, RECOVER_FINISH_DELTA},
    {SDBOOT_PHASE_SWITCHING, ANY, SDBOOT_UNDO_DELTA, RECOVER_FINISH_UNDO},
    {SDBOOT_PHASE_SWITCHING, ANY, ANY, RECOVER_FINISH_SWITCH},
    {STATE_PHASE_LOST, ANY, ANY, RECOVER_REBUILD},
};

enum state_recovery state_recovery(const struct sdboot_state *st)
{
    for (size_t i = 0; i < sizeof recovery_table / sizeof recovery_table[0]; i++) {
        const struct state_rule *r = &recovery_table[i];
        if (r->phase == st->phase && (r->dirty == ANY || r->dirty == st->fs_dirty) &&
            (r->source == ANY || r->source == st->source))
            return (enum state_recovery)r->action;
    }
    return RECOVER_NONE; /* unreachable: decode refuses an unknown phase */
}
