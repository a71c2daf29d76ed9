/*
 * sdboot error CODE...: the message of an error code. A device built with
 * SDB_ERROR_MESSAGES=0 (the bare-metal bootloader) reports the codes of its
 * FAT, release, boot and OTA layers as numbers ("FAT error -40"); this names
 * them from the host's full tables.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include "cli.h"
#include "sdboot/error.h"

int cmd_error(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        printf("usage: sdboot error CODE...\n\n"
               "Print the message of each sdboot error code (a negative number, as a device\n"
               "that logs codes only shows it: \"FAT error -40\"), one \"CODE: message\" line "
               "each.\n");
        return CLI_EXIT_OK;
    }
    if (argc < 2)
        return cli_usage_error("error", "an error code is needed");
    for (int i = 1; i < argc; i++) {
        char *end;
        errno = 0;
        long code = strtol(argv[i], &end, 10);
        if (end == argv[i] || *end || errno || code > 0 || code < INT_MIN)
            return cli_usage_error("error", "'%s' is not an error code (0 or a negative number)",
                                   argv[i]);
        printf("%ld: %s\n", code, sdb_strerror((int)code));
    }
    return CLI_EXIT_OK;
}
