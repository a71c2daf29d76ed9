/* Scaffold: replaced by the real command. */
#include "cli.h"

int cmd_pack(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cli_fail("pack", "not implemented yet");
}
