/* Scaffold: replaced by the real command. */
#include "cli.h"

int cmd_image(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cli_fail("image", "not implemented yet");
}
