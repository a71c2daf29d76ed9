/* sdboot sim confirm: the application confirms the release it runs. */
#include <stdio.h>
#include "cli.h"
#include "sdboot/boot.h"
#include "sim_common.h"

int sim_confirm(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        printf("usage: sdboot sim confirm --card IMG [--power-cut-after N]\n\n"
               "As the running application: confirm the installed release, so the bootloader\n"
               "stops counting trial boots (written through the application's file system).\n");
        return CLI_EXIT_OK;
    }
    struct sim_card c;
    int rc = sim_take_card_args("sim confirm", argc, argv, &c);
    for (int i = 1; !rc && i < argc; i++)
        if (argv[i])
            rc = cli_usage_error("sim confirm", "unexpected argument '%s'", argv[i]);
    if (rc || (rc = sim_open("sim confirm", &c, true)))
        return rc;
    struct sdboot_state st;
    int err = sdboot_app_state(&c.fio.fio, &st);
    if (!err)
        err = sdboot_confirm(&c.fio.fio);
    if (err)
        return sim_close("sim confirm", &c, sim_fail("sim confirm", &c, err, "confirm"));
    printf("confirmed %s (recorded by the bootloader at the next boot)\n", st.installed);
    return sim_close("sim confirm", &c, CLI_EXIT_OK);
}
