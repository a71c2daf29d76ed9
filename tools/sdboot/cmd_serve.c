/* Scaffold: replaced by the real command. */
#include "cli.h"

int cmd_serve(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cli_fail("serve", "not implemented yet");
}
