/* sdboot sim repair: restore damaged or missing managed files from the kept archive. */
#include <stdio.h>
#include "cli.h"
#include "sdboot/boot.h"
#include "sim_common.h"

int sim_repair(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        printf("usage: sdboot sim repair --card IMG [--power-cut-after N]\n\n"
               "As the bootloader: compare every file of the installed release with its kept\n"
               "archive (/.sdboot/current.tar) and restore those missing or damaged.\n");
        return CLI_EXIT_OK;
    }
    struct sim_card c;
    int rc = sim_take_card_args("sim repair", argc, argv, &c);
    for (int i = 1; !rc && i < argc; i++)
        if (argv[i])
            rc = cli_usage_error("sim repair", "unexpected argument '%s'", argv[i]);
    if (rc || (rc = sim_open("sim repair", &c, true)))
        return rc;
    static struct sdboot engine;
    static uint8_t arena[SDB_TAR_GZIP_ARENA];
    engine.vol = c.vol;
    engine.cfg.gzip_arena = arena;
    engine.cfg.gzip_arena_len = sizeof arena;
    uint32_t restored;
    int err = sdboot_repair(&engine, &restored);
    c.vol = engine.vol;
    if (err)
        return sim_close("sim repair", &c, sim_fail("sim repair", &c, err, "repair"));
    printf("repair: %u file%s restored\n", restored, restored == 1 ? "" : "s");
    return sim_close("sim repair", &c, CLI_EXIT_OK);
}
