/*
 * sdboot boot engine: what the bootloader does at every power-on, before the
 * application runs, with the card to itself.
 *
 *   1. Bring the card up (retries) and classify it: no card, I/O error, blank,
 *      FAT, other file system. Format only what the policy allows for that
 *      class; an I/O error is never formatted.
 *   2. Recovery pin held: the card is for /sd, nothing runs.
 *   3. Finish an install or rollback a power cut interrupted (journal in the
 *      state records), then install a verified staged release, count trial
 *      boots, roll back a release not confirmed after `trial_boots` boots.
 *   4. Decide: run /main.py from the card, mount it at /sd, or fall back to the
 *      internal file system (also when there is nothing to run: no release
 *      and no /main.py, SDBOOT_ENOENTRY). The port acts on the decision.
 *
 * On the card (docs/boot.md has the state machine):
 *   /.sdboot/state.a, state.b   two 512-byte state records, updated alternately
 *                               by one sector write each (sequence + CRC)
 *   /.sdboot/current.tar        archive of the installed release (repair, rollback)
 *   /.sdboot/previous.tar       archive of the release before it (rollback)
 *   /.sdboot/current.rec,       their staging records (version, size, SHA-256),
 *            previous.rec       kept to rebuild a lost state
 *   /.sdboot/next/, prev/       install work areas (new tree; parked old files)
 *   /.sdboot/staging/, confirm  written by the application (stage.h)
 *
 * Power loss: at any moment, the next boot leaves the card booting exactly one
 * complete release (old or new), passing fsck.fat -n, with no user file lost.
 * tests/boot/test_boot_powercut.c proves it at every sector write.
 *
 * Memory: no allocation. struct sdboot holds everything; the 8 KiB goal is
 * met by the bare-metal port's configuration (SDBOOT_IO_BUF 2048,
 * SDBOOT_CHECK_BITMAP 1024, 2 directory hints, no delta): 7,888 B on
 * Cortex-M. With the defaults below it is 11,016 B with SDBOOT_DELTA 0 and
 * 13,608 B with the delta install (docs/BENCHMARKS.md has the table, made by
 * `make bench`). Part by part, defaults / bare metal:
 *   FAT volume          1,308 / 1,252  of it the sector cache 1,024 (issue 13:
 *                                      SDB_FAT_CACHE_FAT + _DIR, one sector
 *                                      each; write-back of FAT and of one
 *                                      directory sector, no RAM of its own)
 *                                      and directory hints 112 / 56
 *   tar reader          1,960          header block 512, extended-header
 *                                      buffer 1 KiB, entry and path 280 (a GNU
 *                                      long name or pax path waits in the
 *                                      entry's path; inflated output is the
 *                                      gzip arena's last 512 bytes)
 *   io                  4,096 / 2,048  SDBOOT_IO_BUF: archive reads, compares,
 *                                      the check's FAT-wide scans
 *   bitmap              2,048 / 1,024  SDBOOT_CHECK_BITMAP: the check's cluster
 *                                      marks, repair's damaged entries and the
 *                                      install's name filter (seen.c), never two
 *                                      at once
 *   owned                 512          names outside /app (own.c)
 *   path, path2           642
 *   state + config        384
 *   delta_work          2,592 / 0      two index cursors (SDBOOT_DELTA)
 *   the rest               70          the file being extracted, flags
 * Nothing grows with the release: up to SDB_LIMIT_ENTRIES (limits.h) entries,
 * duplicates are found in the FAT directory the release is extracted into.
 * The gzip arena, only for .tar.gz releases, is the caller's. Stack: 4.5 KiB
 * worst case from sdboot_boot on Cortex-M (-Os, over the call graph: make
 * footprint), plus the
 * port's block device and log functions. Measured by painting on the
 * bare-metal port: 4.6 KiB high-water mark of its 5.5 KiB reserve for an
 * install (docs/BENCHMARKS.md, with the deepest path). Folding a confirm and
 * placing files use path2 and io below, not path or record buffers on the
 * stack; tree_mkdirs and the state records still keep one each there. A delta
 * install (SDBOOT_DELTA) adds its two index cursors, delta_work (2.6 KiB: the
 * indexes are read from the card as streams, one pass each, never held); the
 * bare-metal port, with no OTA client to stage a delta, leaves it out.
 */
#ifndef SDBOOT_BOOT_H
#define SDBOOT_BOOT_H

#include <stdbool.h>
#include <stdint.h>
#include "sdboot/blockdev.h"
#include "sdboot/fat.h"
#include "sdboot/fileio.h"
#include "sdboot/stage.h"
#include "sdboot/tar.h"

#ifndef SDBOOT_IO_BUF
#define SDBOOT_IO_BUF 4096 /* archive reads (whole), copy/compare (two halves) */
#endif
#ifndef SDBOOT_CHECK_BITMAP
/* Bytes of cluster bitmap for repair passes; the same bytes are the Bloom
 * filter of extracted names while an install extracts (never both at once). */
#define SDBOOT_CHECK_BITMAP 2048
#endif
#ifndef SDBOOT_OWNED_MAX
#define SDBOOT_OWNED_MAX 64 /* files outside /app a repair knows as sdboot's (own.c) */
#endif
#ifndef SDBOOT_LOG
/* 1: the engine tells cfg.log what it does and why (installing, rolling
 * back, repairing a path...). 0: it logs nothing and its messages are left
 * out of the build (4.4 KiB of flash on Cortex-M4); the port still has
 * everything in struct sdboot_result (decision, event, error code, version,
 * trial) to report. */
#define SDBOOT_LOG 1
#endif
#ifndef SDBOOT_DELTA
/* 1: install staged deltas. 0 (the bare-metal port): refuse them
 * (SDBOOT_EDELTABASE), the installed release keeps running; a whole install
 * then keeps no index (no current.idx: only a delta install reads it, and
 * without it the OTA client downloads whole releases) and looks for no delta
 * file (a staged index stays in staging/, where the next stage replaces it). */
#define SDBOOT_DELTA 1
#endif
#ifndef SDBOOT_REBUILD
/* 1: a card whose two state records are both damaged (or gone) but which
 * keeps sdboot's archives gets its state rebuilt from the records kept beside
 * them (current.rec, previous.rec: each archive's version, size and SHA-256,
 * the archive read and hashed to believe it; rebuild.c). 0 (the bare-metal
 * port, ~1.0 KiB of flash): the records are not read, and the fresh state is
 * the one the rebuild gives a card without kept records: installed
 * "unknown" when current.tar is kept (else "none"), nothing to roll back to,
 * confirmed, event SDBOOT_EV_REBUILT; the release's files are then compared
 * with current.tar and any damaged one restored, so the release runs as it
 * was installed. Nothing is deleted or rewritten but the two state records:
 * previous.tar and the records stay, and the next install moves them on as
 * usual (current.tar becoming previous.tar, the rollback target, "unknown").
 * What is lost is knowledge: the version the state names and the rollback
 * of a release still on trial when its state was lost (it runs confirmed). */
#define SDBOOT_REBUILD 1
#endif
#ifndef SDBOOT_VERSION_CHECK
/* 1: the boot checks a staged release's version again before installing it:
 * refused unless newer than the installed one (SDB_POLICY_EOLDER) and semver
 * (SDB_SEMVER_EINVAL), or its record says forced (the OTA client's policy,
 * sdb_semver_should_update). 0 (the bare-metal port, ~0.9 KiB: the semver
 * code goes with it): the boot installs what was staged whatever its
 * version; the stager decided (the OTA client after the signed manifest,
 * `sdboot sim stage`). The pending record is not signed, so whoever can write
 * the card can write any version into it: the check never stopped a hostile
 * stage, only a stager's mistake. A hostile stage gets the same either way:
 * its archive must still have its record's size and SHA-256, the board and
 * every tar and path rule hold, nothing is written outside the staging area
 * before that, and the release it replaces stays as the rollback target. */
#define SDBOOT_VERSION_CHECK 1
#endif
#ifndef SDBOOT_ODD_CHECK
/* 1: every boot first looks over /.sdboot and its staging directory (one
 * directory read each) and sets aside - renames to NAME.odd, never deletes -
 * an entry of the wrong type at one of sdboot's own names (a directory where
 * a record belongs, a file where the staging directory belongs, /.sdboot
 * itself a file: odd.c), so that the boot's work goes on past it. Only
 * something else writing the card makes one; no cut does. 0 (the bare-metal
 * port, 0.25 KiB, and those reads fewer on every boot): no look; the boot
 * meets such an entry where it would use it, and only that work stops,
 * before it writes anything, while the installed release runs as it is:
 * /.sdboot a file (or no valid record and one of the wrong type): no work at
 * all, SDBOOT_EODD; one record a directory: the first record write of a boot
 * with work fails (SDB_FAT_EISDIR), so nothing is counted, installed or
 * rolled back until it is moved away; staging/ a file or its pending record
 * a directory: nothing staged; confirm a directory: no confirmation
 * (SDBOOT_EODD); a directory where an archive, a kept record or the repair's
 * files belong: a staged release refused, a rollback, clean-up or restore
 * stopped, with SDBOOT_EODD; a file at next/ or prev/: removed as a
 * leftover. The entry stays as it is; a user's file is never involved
 * (docs/boot.md, "Odd entries"). An archive that does not read as a release
 * is set aside in both builds (without the check as current.tar.odd, over
 * one an earlier boot set aside: the latest is kept for a look). */
#define SDBOOT_ODD_CHECK 1
#endif
/* Room for a delta install's two index cursors (install_delta.c asserts it). */
#define SDBOOT_DELTA_WORK 2592
#define SDBOOT_DEFAULT_TRIAL_BOOTS 3
#define SDBOOT_DEFAULT_PROBE_RETRIES 5

enum sdboot_err {
    SDBOOT_ENOCARD = -224,     /* no card after all retries */
    SDBOOT_ECARDIO = -225,     /* the card gives read errors: left alone */
    SDBOOT_ENOFS = -226,       /* no usable file system and the policy forbids formatting */
    SDBOOT_ESTATE = -227,      /* both state records are damaged */
    SDBOOT_ENOPENDING = -228,  /* nothing staged */
    SDBOOT_ESTAGED = -229,     /* staged archive missing or does not match its record */
    SDBOOT_ENOPREVIOUS = -230, /* no previous release to roll back to */
    SDBOOT_ETOODEEP = -231,    /* release tree nested deeper than the driver walks */
    SDBOOT_ENOARCHIVE = -232,  /* the installed release's archive is missing */
    SDBOOT_EDAMAGED = -233,    /* repair could not restore every managed file */
    SDBOOT_ENOENTRY = -234,    /* no release installed and no entry file (/main.py) to run */
    SDBOOT_EDAMAGEDFAT = -240, /* the card holds a damaged FAT: left untouched, never formatted */
    SDBOOT_EDELTABASE = -241,  /* a staged delta does not apply to the installed release */
    SDBOOT_EDELTA = -242,      /* a staged delta lacks a file its release changed */
    SDBOOT_EODD = -243,        /* an entry of sdboot's own in /.sdboot has the wrong type */
};

enum sdboot_decision {
    SDBOOT_RUN_CARD = 0, /* mount the card at /, run /main.py */
    SDBOOT_MOUNT_SD = 1, /* recovery: mount the card at /sd, run nothing */
    SDBOOT_INTERNAL = 2, /* no usable card, or nothing to run: internal file system */
};

enum sdboot_event {
    SDBOOT_EV_NONE = 0,
    SDBOOT_EV_INSTALLED = 1,      /* a staged release was installed (now on trial) */
    SDBOOT_EV_RESUMED = 2,        /* an interrupted install or rollback was finished */
    SDBOOT_EV_ROLLED_BACK = 3,    /* an unconfirmed release was replaced by the previous one */
    SDBOOT_EV_INSTALL_FAILED = 4, /* a staged release was refused or failed; old one kept */
    SDBOOT_EV_REPAIRED = 5,       /* damaged managed files were restored */
    SDBOOT_EV_FORMATTED = 6,      /* the card was formatted (policy) */
    SDBOOT_EV_INITIALISED = 7,    /* /.sdboot was created on a card without it */
    SDBOOT_EV_CONFIRMED = 8,      /* the application's confirmation was recorded */
    SDBOOT_EV_REBUILT = 9,        /* both state records were lost: rebuilt from the card */
};

enum sdboot_format_policy {
    SDBOOT_FORMAT_BLANK = 1u << 0,    /* format a card that holds no file system */
    SDBOOT_FORMAT_OTHER_FS = 1u << 1, /* format a card with a foreign file system */
};

struct sdboot_config {
    uint8_t trial_boots;    /* unconfirmed boots before rollback (0 = default 3) */
    uint8_t probe_retries;  /* card bring-up attempts (0 = default 5) */
    unsigned format_policy; /* SDBOOT_FORMAT_* bits */
    bool recovery_pin;      /* the recovery pin is held */
    const char *board;      /* this device's board id; NULL/"" = accept any */
    void (*log)(void *ctx, const char *line);
    void *log_ctx;
    /* SDB_TAR_GZIP_ARENA bytes for .tar.gz releases, or NULL. A plain .tar
     * leaves it idle: the install then reads the archive into it, in requests
     * of up to its size instead of SDBOOT_IO_BUF (not in a build without
     * gzip, SDB_TAR_GZIP 0, tar.h: that one takes no arena and reads through
     * b->io alone). */
    uint8_t *gzip_arena;
    size_t gzip_arena_len;
    /* The file the port starts (NULL = "/main.py"): when it is missing from an
     * installed release, the boot restores the release's files. */
    const char *entry;
    /* The port found a managed file damaged (e.g. the application image fails
     * its hash) after a boot of this power-on, and runs sdboot_boot again:
     * this run restores every damaged file of the installed release, under
     * the same power-cut protection as the boot's own repair, and counts no
     * trial boot (the first run of the power-on did). */
    bool repair;
};

/* The default policy of the seed: blank or foreign cards are formatted. */
#define SDBOOT_CONFIG_DEFAULTS                                                                     \
    {                                                                                              \
        .trial_boots = SDBOOT_DEFAULT_TRIAL_BOOTS, .probe_retries = SDBOOT_DEFAULT_PROBE_RETRIES,  \
        .format_policy = SDBOOT_FORMAT_BLANK | SDBOOT_FORMAT_OTHER_FS                              \
    }

enum sdboot_phase {
    SDBOOT_PHASE_IDLE = 0,
    SDBOOT_PHASE_EXTRACTING = 1, /* new tree being written to /.sdboot/next */
    SDBOOT_PHASE_SWITCHING = 2,  /* moving it into place: always finished forward */
};

enum sdboot_source {
    SDBOOT_FROM_STAGING = 0,  /* install the staged release */
    SDBOOT_FROM_PREVIOUS = 1, /* roll back to previous.tar */
    SDBOOT_FROM_DELTA = 2,    /* install a staged delta: only its files are written */
    SDBOOT_UNDO_DELTA = 3,    /* roll a delta back: the files parked in prev/ return (and the
                                 previous delta, when previous_delta) */
};

/* The boot state, as kept in /.sdboot/state.{a,b}. */
struct sdboot_state {
    uint32_t seq;
    uint8_t phase;     /* enum sdboot_phase */
    uint8_t source;    /* enum sdboot_source */
    uint8_t trial_max; /* trial boots allowed for the installed release */
    uint8_t trials_used;
    bool confirmed;      /* the installed release was confirmed (or needs none) */
    uint8_t last_event;  /* enum sdboot_event */
    bool fs_dirty;       /* file-system work under way: the next boot checks the card first */
    bool delta;          /* installed as a delta over current.tar: its files replaced sit in prev/
                            until it is confirmed (docs/boot.md, "Delta install") */
    bool previous_delta; /* previous was a delta over the same base too: its delta and index
                            wait as previous.dlt, previous.idx until the release is confirmed */
    int32_t last_error;
    char installed[SDB_VERSION_MAX]; /* "none" on a card that never had a release */
    char previous[SDB_VERSION_MAX];  /* "" when there is nothing to roll back to */
    char target[SDB_VERSION_MAX];    /* version being installed while phase != IDLE */
    /* The last release refused for what it is (its tar, board or version, not
     * a damaged download): the OTA client does not fetch this very version
     * again (sdboot_ota_config.refused). "" when none. */
    char refused[SDB_VERSION_MAX];
    int32_t refused_error; /* why it was refused */
    /* The release whose whole archive is current.tar: a delta's base. ""
     * in a record written before it was kept (sdboot_state_base). */
    char base[SDB_VERSION_MAX];
};

struct sdboot_result {
    enum sdboot_decision decision;
    enum sdboot_event event;
    int error;                     /* why an install failed, or the card was refused */
    char version[SDB_VERSION_MAX]; /* the release that runs */
    bool on_trial;
    uint8_t trials_used, trial_max;
};

/* Everything the engine needs, owned by the caller (static on a device). */
struct sdboot {
    struct sdb_fat_vol vol;
    struct sdboot_config cfg;
    struct sdboot_state st;
    uint8_t st_slot; /* which record holds st (0 = a, 1 = b) */
    struct sdb_tar tar;
#if SDBOOT_DELTA
    /* install_delta.c, and repair after a delta: two index cursors
     * (index_cursor.c) over the indexes on the card. */
    _Alignas(8) uint8_t delta_work[SDBOOT_DELTA_WORK];
#endif
    struct sdb_fat_file out; /* file being extracted */
    bool out_open;
    int out_err;
    uint8_t io[SDBOOT_IO_BUF];
    const uint8_t *rd_at, *rd_end; /* install.c: the archive bytes last read */
    union {
        uint8_t bitmap[SDBOOT_CHECK_BITMAP]; /* check and repair passes */
        uint8_t bloom[SDBOOT_CHECK_BITMAP];  /* install.c: names extracted so far */
    };
    uint64_t owned[SDBOOT_OWNED_MAX]; /* own.c: name hashes of files outside /app */
    char path[SDB_FAT_PATH_MAX + 1];
    char path2[SDB_FAT_PATH_MAX + 1];
    uint32_t repaired;    /* files restored by the last repair */
    uint32_t owned_names; /* own.c: entries of owned[] in use */
    bool restore_needed;  /* the FAT repair cut a managed file: restore from the archive */
    bool guarded;         /* this boot checked sdboot's files before deleting any */
};

/* One power-on. SDB_OK with *res filled whatever the decision; an error only
 * when the card stopped answering mid-way (SDB_BD_EPOWER in the simulator). */
int sdboot_boot(struct sdboot *b, sdb_bd_t *bd, const struct sdboot_config *cfg,
                struct sdboot_result *res);
/* Restore missing or damaged managed files from /.sdboot/current.tar (the card
 * must be mounted in b->vol). *restored counts files rewritten. */
int sdboot_repair(struct sdboot *b, uint32_t *restored);
/* Told about each problem sdboot_check_card finds, by path; fixed: changed. */
typedef void (*sdboot_check_note)(void *ctx, const char *path, const char *what, bool fixed);
/* Check (and with repair, mend) the mounted card (b->vol) as the boot does:
 * only what sdboot owns (/app, /.sdboot, the files the release names) is ever
 * changed; problems in the user's files are reported, never changed
 * (sdb_fat_check_owned). b->cfg.gzip_arena is needed for a .tar.gz release. */
int sdboot_check_card(struct sdboot *b, bool repair, sdboot_check_note note, void *note_ctx,
                      struct sdb_fat_check_report *report);
/* Read the boot state of a mounted card without changing anything. */
int sdboot_read_state(struct sdb_fat_vol *vol, struct sdboot_state *st);
/* The release current.tar holds: st->base, or for a record written before it
 * was kept, the installed release (whole) or the previous one (a delta). */
const char *sdboot_state_base(const struct sdboot_state *st);

/* State records: 512 bytes, magic + CRC (state.c). */
int sdboot_state_encode(const struct sdboot_state *st, uint8_t out[SDB_RECORD_SIZE]);
int sdboot_state_decode(const uint8_t in[SDB_RECORD_SIZE], struct sdboot_state *st);

/* ---- application side: through the platform's file system (fileio.h) ---- */

/* The boot state as the application sees it. */
int sdboot_app_state(const sdb_fileio_t *fio, struct sdboot_state *st);
/* Confirm the running release: the bootloader stops counting trial boots. */
int sdboot_confirm(const sdb_fileio_t *fio);

const char *sdboot_decision_name(enum sdboot_decision d);
const char *sdboot_event_name(enum sdboot_event e);

#endif
