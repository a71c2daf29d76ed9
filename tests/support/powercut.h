/*
 * Power-cut test runner: runs a scenario once uncut to count its sector writes K,
 * then once per cut point k = 1..K in each cut mode:
 *   "w<k>"          write k is lost,
 *   "w<k>/t256"     write k is torn (first 256 bytes land),
 *   "w<k>/t512/l.." write k lands, then the card's write cache loses a chosen
 *                   subset of the writes since the last sync (three subsets);
 * after each cut it restores power, runs `recover` and `verify` on the card.
 * With second_cut, every recovery is itself cut at each of its writes (lost
 * mode), recovered again and verified. No sampling: every case runs.
 * Replay one case: SDB_CUT_CASE="w37/t256" (or "w37/t256+w5" for a second cut).
 */
#ifndef SDB_TEST_POWERCUT_H
#define SDB_TEST_POWERCUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "sdboot/blockdev.h"

struct sdb_pc_scenario {
    const char *name;
    size_t image_bytes;
    /* Build the card before the operation (no faults). */
    int (*setup)(sdb_bd_t *bd, void *ctx);
    /* The operation under test; returns SDB_BD_EPOWER (or any error) when cut. */
    int (*run)(sdb_bd_t *bd, void *ctx);
    /* What the device does at the next power-on (mount + repair, a boot...). */
    int (*recover)(sdb_bd_t *bd, void *ctx);
    /* Judge the card after recovery; false with a reason in why. `cut` tells
     * whether the operation was interrupted (false for the uncut reference). */
    bool (*verify)(sdb_bd_t *bd, const uint8_t *mem, size_t bytes, void *ctx, bool cache_loss,
                   char *why, size_t len);
    void *ctx;
    bool cache_modes; /* also run the write-cache loss modes */
    bool second_cut;  /* cut the recovery too, at every write */
    bool fsck_each;   /* run fsck.fat -n on the card after every case */
};

struct sdb_pc_result {
    unsigned writes; /* K: sector writes of the uncut operation */
    unsigned cases;  /* cut cases run (first and second cuts) */
    unsigned failed;
};

/* Runs everything; prints "powercut NAME: N cases run, M failed" and each failing id. */
int sdb_pc_run(const struct sdb_pc_scenario *s, struct sdb_pc_result *res);

#endif
