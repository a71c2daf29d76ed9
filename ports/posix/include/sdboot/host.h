/*
 * Host card: an SD-card image file as the simulated device's card, optionally
 * behind the fault-injecting device so a CLI command can lose power after N
 * sector writes (--power-cut-after N). Used by `sdboot image` and `sdboot sim`.
 */
#ifndef SDBOOT_HOST_H
#define SDBOOT_HOST_H

#include <stdbool.h>
#include "sdboot/bd_fault.h"
#include "sdboot/bd_file.h"

struct sdb_host_card_opts {
    bool read_only;
    bool no_card;             /* the slot is empty: every access says no medium */
    uint32_t power_cut_after; /* 0 = never; else N sector writes complete, then power fails */
    uint16_t tear;            /* bytes of the write that is cut which still land */
};

struct sdb_host_card {
    struct sdb_bd_file file;
    struct sdb_bd_fault fault;
    sdb_bd_t *bd; /* what the layers above use */
};

int sdb_host_card_open(struct sdb_host_card *card, const char *image,
                       const struct sdb_host_card_opts *opts);
/* True once the simulated power cut happened: the caller must stop and exit 75. */
bool sdb_host_card_power_failed(const struct sdb_host_card *card);
int sdb_host_card_close(struct sdb_host_card *card);

#endif
