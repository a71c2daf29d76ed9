/* Scaffold: replaced by the real subcommand. */
#include "cli.h"

int sim_ota(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cli_fail("sim ota", "not implemented yet");
}
