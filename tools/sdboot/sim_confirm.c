/* Scaffold: replaced by the real subcommand. */
#include "cli.h"

int sim_confirm(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cli_fail("sim confirm", "not implemented yet");
}
