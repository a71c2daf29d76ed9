/* Scaffold: replaced by the real subcommand. */
#include "cli.h"

int sim_boot(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cli_fail("sim boot", "not implemented yet");
}
