/* Scaffold: replaced by the real subcommand. */
#include "cli.h"

int sim_stage(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cli_fail("sim stage", "not implemented yet");
}
