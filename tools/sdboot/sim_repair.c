/* Scaffold: replaced by the real subcommand. */
#include "cli.h"

int sim_repair(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cli_fail("sim repair", "not implemented yet");
}
