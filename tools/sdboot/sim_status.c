/* Scaffold: replaced by the real subcommand. */
#include "cli.h"

int sim_status(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cli_fail("sim status", "not implemented yet");
}
