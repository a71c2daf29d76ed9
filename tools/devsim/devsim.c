/*
 * sdboot_devsim: the bare-metal board (ports/baremetal, lm3s6965evb) as a
 * host program. One power-on of the board's bootloader, or the application's
 * confirm, on a card image, moving the same sectors as the board.
 *
 * What makes it the device: this program links the core compiled a second
 * time for the host with exactly the compile definitions of the port's
 * target_compile_definitions(sdb_bm_core PUBLIC ...) line (CMakeLists.txt of
 * this folder reads that line) and the port's own hashes
 * (ports/soft/hash_soft.c), never the full-feature core objects of the host
 * CLI. The card is an image file through ports/posix's file block device,
 * with its counters and its power cut (--power-cut-after N, --tear B). The
 * configuration is the bootloader's (bootloader.c): board lm3s6965evb, entry
 * /app/firmware.bin, no gzip arena, the default trial boots and format
 * policy; --no-format and --trial-boots N stand for its semihosting arguments
 * format=0 and trials=N.
 *
 * The commands are `sdboot sim boot` and `sdboot sim confirm` themselves
 * (tools/sdboot/sim_boot.c, sim_confirm.c, compiled here with the device's
 * definitions): this file only fixes the board's options and refuses the
 * ones the board does not have. The application's part (loading and checking
 * firmware.bin, the repair run that follows a damaged image) is not
 * simulated: `boot` is the engine's run, the board's "boot traffic" line.
 *
 * RAM: the engine (struct sdboot) is static in sim_boot.c, as on the board;
 * nothing here allocates. Ownership: argv stays the caller's; the command's
 * argument list is a copy on the stack.
 */
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "sdboot/bd_file.h"
#include "sdboot/error.h"

#ifndef SDB_DEVSIM_CONFIG
#error "SDB_DEVSIM_CONFIG must carry the port's compile definitions (tools/devsim/CMakeLists.txt)"
#endif

#define MAX_ARGS 48

/* What the board's bootloader passes to the engine (bootloader.c). */
static const char *const board_args[] = {"--board", "lm3s6965evb", "--entry", "/app/firmware.bin",
                                         "--no-arena"};
#define N_BOARD_ARGS (int)(sizeof board_args / sizeof board_args[0])

static const char usage_text[] =
    "usage: sdboot_devsim boot --card IMG [--power-cut-after N [--tear B]] [--recovery-pin]\n"
    "                          [--no-format] [--trial-boots N] [--no-card] [--json]\n"
    "       sdboot_devsim confirm --card IMG [--power-cut-after N [--tear B]]\n\n"
    "The bare-metal board (lm3s6965evb) on the host: the core built with exactly the\n"
    "port's switches (ports/baremetal/CMakeLists.txt) and its own hashes, so a boot\n"
    "moves the sectors the board moves on the same card.\n\n"
    "  boot     one power-on of the bootloader: board lm3s6965evb, entry\n"
    "           /app/firmware.bin, no gzip arena (`sdboot sim boot` with those fixed;\n"
    "           --no-format and --trial-boots N are the board's format=0 and trials=N).\n"
    "           Prints the decision, the release and its trial, the event and error,\n"
    "           then 'card: R sectors read in A requests, W sectors written in B\n"
    "           requests' (the board's 'boot traffic' line). Exit 0 when the\n"
    "           application would start, 1 otherwise, 75 on the power cut.\n"
    "  confirm  the application confirms the release it runs, as the board's\n"
    "           confirm() does, through the bootloader's FAT driver.\n\n"
    "--power-cut-after N: power fails after N sector writes (exit 75); --tear B: B\n"
    "bytes of the write that is cut still land.\n\n"
    "device configuration: " SDB_DEVSIM_CONFIG "\n";

/* The options of `sim boot` the board fixes (board_args). */
static int refuse_fixed(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        for (int k = 0; k < N_BOARD_ARGS; k++)
            if (board_args[k][0] == '-' && !strcmp(argv[i], board_args[k]))
                return cli_usage_error("devsim boot",
                                       "%s is fixed by the board (lm3s6965evb, "
                                       "/app/firmware.bin, no gzip arena)",
                                       argv[i]);
    return CLI_EXIT_OK;
}

static int devsim_boot(int argc, char **argv)
{
    char *args[MAX_ARGS];
    if (argc + N_BOARD_ARGS > MAX_ARGS)
        return cli_usage_error("devsim boot", "too many arguments");
    int rc = refuse_fixed(argc, argv);
    if (rc)
        return rc;
    memcpy(args, argv, (size_t)argc * sizeof *args);
    memcpy(args + argc, board_args, sizeof board_args);
    return sim_boot(argc + N_BOARD_ARGS, args);
}

int main(int argc, char **argv)
{
    sdb_strerror_set_port(sdb_bd_file_strerror); /* name the image file's codes too */
    const char *cmd = argc > 1 ? argv[1] : "";
    bool help = argc > 2 && cli_wants_help(argc - 1, argv + 1);
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || help) {
        fputs(usage_text, stdout);
        return CLI_EXIT_OK;
    }
    if (!strcmp(cmd, "boot"))
        return devsim_boot(argc - 1, argv + 1);
    if (!strcmp(cmd, "confirm"))
        return sim_confirm(argc - 1, argv + 1);
    if (cmd[0])
        fprintf(stderr, "sdboot_devsim: unknown command '%s' (boot or confirm)\n", cmd);
    else
        fputs(usage_text, stderr);
    return CLI_EXIT_USAGE;
}
