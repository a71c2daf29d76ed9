/*
 * Fault-injecting block device: wraps any sdb_bd_t and makes it fail the way a
 * real SD card does, so every storage scenario can be tested at every cut point.
 *
 * Power cut. Sector writes through the wrapper are numbered 1, 2, 3... (a
 * multi-sector write counts each sector). With cut.at = N, writes 1..N-1 reach
 * the medium; write N is the one power fails during: only its first
 * `cut.tear` bytes reach the medium (0: nothing, 512: all of it), the rest of
 * that sector keeps its old content. From then on every call returns
 * SDB_BD_EPOWER, as a dead card would, and the lower device holds exactly what
 * a real card would hold after the cut.
 *
 * Write cache. With a log buffer (sdb_bd_fault_set_cache), writes since the
 * last successful sync are volatile, as in an SD card's write cache: at the cut,
 * each of them is lost or kept according to bit i of `cut.lost` (i = 0 for the
 * oldest unsynced sector write, including the cutting one). Lost writes are
 * undone in the lower device; where a sector was written several times, it ends
 * up holding its newest kept write, or its content at the last sync. Limit of
 * the model: at most `entries` unsynced writes are tracked; older ones are
 * treated as already flushed by the card (counted in `cache_overflows`).
 *
 * Case ids. Every cut case prints as a short id that replays it exactly:
 *   "w37"            power cut during sector write 37, nothing of it written
 *   "w37/t256"       ... its first 256 bytes written (torn)
 *   "w37/t512/l5"    ... fully written, then unsynced writes 0 and 2 lost
 *
 * Other faults: read errors on up to SDB_FAULT_MAX_BAD sector ranges
 * (SDB_BD_EIO), write-protect (SDB_BD_EROFS), no card (SDB_BD_ENOMEDIUM).
 * Counters: the base stats of blockdev.h, plus writes_seen (sector writes
 * attempted, to learn how many cut points a scenario has).
 *
 * No allocation: the caller owns the struct and the optional cache log.
 */
#ifndef SDBOOT_BD_FAULT_H
#define SDBOOT_BD_FAULT_H

#include <stdbool.h>
#include <stddef.h>
#include "sdboot/blockdev.h"

#define SDB_FAULT_MAX_BAD 8
#define SDB_FAULT_ID_MAX 48 /* bytes for a case id string, NUL included */

struct sdb_fault_case {
    uint32_t at;   /* cut during this sector write (1-based); 0 = never cut */
    uint16_t tear; /* bytes of the cutting write that reach the medium (0..512) */
    uint64_t lost; /* cache mode: bit i = i-th unsynced write is lost at the cut */
};

/* One tracked unsynced sector write (cache mode). */
struct sdb_fault_log_entry {
    uint32_t lba;
    uint8_t before[SDB_SECTOR_SIZE]; /* content before this write */
    uint8_t after[SDB_SECTOR_SIZE];  /* content this write put there */
};

struct sdb_bd_fault {
    sdb_bd_t bd; /* first: pass &fault.bd to every layer */
    sdb_bd_t *lower;
    struct sdb_fault_case cut;
    bool powered_off;
    bool write_protect;
    bool no_medium;
    uint32_t bad_first[SDB_FAULT_MAX_BAD];
    uint32_t bad_count[SDB_FAULT_MAX_BAD];
    unsigned bad_ranges;
    uint64_t writes_seen; /* sector writes attempted through the wrapper */
    uint64_t unsynced;    /* sector writes since the last successful sync */
    struct sdb_fault_log_entry *log;
    size_t log_entries;
    size_t log_used;
    uint64_t cache_overflows;
};

/* Wrap `lower` (which must outlive the wrapper). No faults armed. */
void sdb_bd_fault_init(struct sdb_bd_fault *f, sdb_bd_t *lower);
/* Arm a power cut (replaces any earlier one). */
void sdb_bd_fault_set_cut(struct sdb_bd_fault *f, const struct sdb_fault_case *cut);
/* Enable the write-cache model with a caller-owned log of `entries` entries. */
void sdb_bd_fault_set_cache(struct sdb_bd_fault *f, struct sdb_fault_log_entry *log,
                            size_t entries);
/* Make reads of [first, first+count) fail with SDB_BD_EIO. SDB_E_BUFSIZE when full. */
int sdb_bd_fault_add_bad_range(struct sdb_bd_fault *f, uint32_t first, uint32_t count);

/* "w37/t256/l5" <-> struct. Format returns the length written. */
int sdb_fault_case_format(const struct sdb_fault_case *c, char *out, size_t len);
/* SDB_OK or SDB_E_INVAL for a malformed id. */
int sdb_fault_case_parse(const char *id, struct sdb_fault_case *c);

#endif
