/* sdboot sim: the simulated device. One file per subcommand (sim_*.c). */
#include <stdio.h>
#include <string.h>
#include "cli.h"

struct sim_command {
    const char *name;
    cli_cmd_fn run;
    const char *summary;
};

static const struct sim_command sim_commands[] = {
    {"boot", sim_boot, "one power-on of the device: prints the decision and version"},
    {"confirm", sim_confirm, "the running application confirms its release"},
    {"stage", sim_stage, "verify a local release directory and stage its latest release"},
    {"ota", sim_ota, "the running application checks a server for an update and stages it"},
    {"repair", sim_repair, "restore missing or damaged managed files from the kept archive"},
    {"status", sim_status, "print the card's boot state without changing it"},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: sdboot sim SUBCOMMAND --card IMG [OPTIONS]\n\n"
                 "Simulates a device whose SD card is the image file IMG.\n"
                 "Every subcommand takes --power-cut-after N: power is cut after N sector\n"
                 "writes and the command exits with code 75, leaving the image as a real\n"
                 "power cut would.\n\nsubcommands:\n");
    for (size_t i = 0; i < sizeof sim_commands / sizeof sim_commands[0]; i++)
        fprintf(out, "  %-8s %s\n", sim_commands[i].name, sim_commands[i].summary);
}

int cmd_sim(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage(stdout);
        return CLI_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof sim_commands / sizeof sim_commands[0]; i++)
        if (!strcmp(argv[1], sim_commands[i].name))
            return sim_commands[i].run(argc - 1, argv + 1);
    return cli_usage_error("sim", "unknown subcommand '%s'", argv[1]);
}
