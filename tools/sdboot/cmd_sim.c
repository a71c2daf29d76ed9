/* Scaffold: replaced by the real command. */
#include "cli.h"

int cmd_sim(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cli_fail("sim", "not implemented yet");
}
