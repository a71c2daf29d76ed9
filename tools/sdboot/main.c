/* sdboot: host CLI. Dispatches to one file per command (cmd_*.c). */
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "sdboot/bd_file.h"
#include "sdboot/error.h"

struct command {
    const char *name;
    cli_cmd_fn run;
    const char *summary;
};

static const struct command commands[] = {
    {"keygen", cmd_keygen, "make an ECDSA P-256 signing key pair"},
    {"pack", cmd_pack, "pack a release tar and append it to a versions manifest"},
    {"verify", cmd_verify, "check a release directory: files, sizes, hashes, signature"},
    {"inspect", cmd_inspect, "list the entries of a release tar"},
    {"image", cmd_image, "create and edit FAT SD-card images"},
    {"serve", cmd_serve, "serve a release directory over HTTP(S) with Range and ETag"},
    {"sim", cmd_sim, "simulate a device: boot, confirm, stage, ota, repair"},
    {"error", cmd_error, "print the message of an error code a device logged"},
    {"version", cmd_version, "print the version, the git commit and the libraries"},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: sdboot COMMAND [ARGS...]\n\n"
                 "SD-card boot and over-the-air update tools.\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\noptions:\n  --help     print this help\n  --version  print the version"
                 " (same as 'sdboot version')\n"
                 "\nRun 'sdboot COMMAND --help' for the options of one command.\n");
}

int main(int argc, char **argv)
{
    sdb_strerror_set_port(sdb_bd_file_strerror); /* name the image file's codes too */
    if (argc < 2) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return CLI_EXIT_OK;
    }
    if (!strcmp(argv[1], "--version"))
        return cmd_version(argc - 1, argv + 1);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "sdboot: unknown command '%s' (see sdboot --help)\n", argv[1]);
    return CLI_EXIT_USAGE;
}
