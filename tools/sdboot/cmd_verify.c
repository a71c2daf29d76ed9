/* Scaffold: replaced by the real command. */
#include "cli.h"

int cmd_verify(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cli_fail("verify", "not implemented yet");
}
