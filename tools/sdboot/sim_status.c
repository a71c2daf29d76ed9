/* sdboot sim status: the boot state of a card, read-only. */
#include <stdio.h>
#include "cli.h"
#include "sdboot/boot.h"
#include "sim_common.h"

static const char *phase_name(uint8_t p)
{
    return p == SDBOOT_PHASE_IDLE         ? "idle"
           : p == SDBOOT_PHASE_EXTRACTING ? "extracting"
                                          : "switching";
}

int sim_status(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        printf("usage: sdboot sim status --card IMG\n\nPrint the card's boot state; changes "
               "nothing.\n");
        return CLI_EXIT_OK;
    }
    struct sim_card c;
    int rc = sim_take_card_args("sim status", argc, argv, &c);
    c.opts.read_only = true;
    if (rc || (rc = sim_open("sim status", &c, false)))
        return rc;
    int err = sdb_fat_mount(&c.vol, c.card.bd, true);
    struct sdboot_state st;
    if (!err)
        err = sdboot_read_state(&c.vol, &st);
    if (err) {
        sdb_host_card_close(&c.card);
        return cli_fail("sim status", "%s: %s", c.image,
                        err == SDB_FAT_ENOENT ? "no sdboot state on this card" : sdb_strerror(err));
    }
    printf("installed: %s\nprevious: %s\nconfirmed: %s\ntrial: %u of %u boots used\nphase: %s\n",
           st.installed, st.previous[0] ? st.previous : "-", st.confirmed ? "yes" : "no",
           st.trials_used, st.trial_max, phase_name(st.phase));
    printf("last event: %s%s%s\n", sdboot_event_name((enum sdboot_event)st.last_event),
           st.last_error ? ": " : "", st.last_error ? sdb_strerror(st.last_error) : "");
    struct sdb_fat_stat fs;
    printf("staged: %s\n",
           sdb_fat_stat(&c.vol, SDB_STAGE_PENDING, &fs) == SDB_OK ? "yes (pending install)" : "no");
    sdb_host_card_close(&c.card);
    return CLI_EXIT_OK;
}
