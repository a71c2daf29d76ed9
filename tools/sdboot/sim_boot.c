/* sdboot sim boot: one power-on of the simulated device. */
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "sdboot/boot.h"
#include "sim_common.h"

static void print_log(void *ctx, const char *line)
{
    (void)ctx;
    printf("  boot: %s\n", line);
}

static const char usage_text[] =
    "usage: sdboot sim boot --card IMG [--recovery-pin] [--no-card] [--trial-boots N]\n"
    "                      [--board ID] [--no-format] [--entry PATH]\n"
    "                      [--power-cut-after N [--tear B]]\n\n"
    "One power-on: card bring-up and format policy, finishing an interrupted install,\n"
    "installing a staged release, trial boots and rollback. Prints the decision, the\n"
    "release that would run and its trial state. Exit 0 when an application would run,\n"
    "1 otherwise, 75 on a simulated power cut.\n"
    "--entry PATH names the file the device starts (default /main.py; the bare-metal\n"
    "port starts /app/firmware.bin): the boot restores the release when it is missing.\n";

int sim_boot(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        fputs(usage_text, stdout);
        return CLI_EXIT_OK;
    }
    struct sim_card c;
    int rc = sim_take_card_args("sim boot", argc, argv, &c);
    if (rc)
        return rc;
    struct sdboot_config cfg = SDBOOT_CONFIG_DEFAULTS;
    cfg.log = print_log;
    static uint8_t arena[SDB_TAR_GZIP_ARENA];
    cfg.gzip_arena = arena;
    cfg.gzip_arena_len = sizeof arena;
    for (int i = 1; i < argc; i++) {
        uint64_t v;
        if (!argv[i])
            continue;
        if (!strcmp(argv[i], "--recovery-pin"))
            cfg.recovery_pin = true;
        else if (!strcmp(argv[i], "--no-card"))
            c.opts.no_card = true;
        else if (!strcmp(argv[i], "--no-format"))
            cfg.format_policy = 0;
        else if (!strcmp(argv[i], "--board") && i + 1 < argc)
            cfg.board = argv[++i];
        else if (!strcmp(argv[i], "--entry") && i + 1 < argc)
            cfg.entry = argv[++i];
        else if (!strcmp(argv[i], "--trial-boots") && i + 1 < argc) {
            if (!cli_parse_u64(argv[++i], &v) || v == 0 || v > 100)
                return cli_usage_error("sim boot", "--trial-boots is 1..100");
            cfg.trial_boots = (uint8_t)v;
        } else
            return cli_usage_error("sim boot", "unexpected argument '%s'", argv[i]);
    }
    if ((rc = sim_open("sim boot", &c, false)))
        return rc;
    static struct sdboot engine;
    struct sdboot_result res;
    int err = sdboot_boot(&engine, c.card.bd, &cfg, &res);
    if (err)
        return sim_close("sim boot", &c, sim_fail("sim boot", &c, err, "boot"));
    printf("decision: %s\n", sdboot_decision_name(res.decision));
    if (res.decision != SDBOOT_INTERNAL) {
        printf("version: %s", res.version);
        if (res.on_trial)
            printf(" (on trial: boot %u of %u, not confirmed)", res.trials_used, res.trial_max);
        printf("\n");
    }
    if (res.event)
        printf("event: %s%s%s\n", sdboot_event_name(res.event), res.error ? ": " : "",
               res.error ? sdb_strerror(res.error) : "");
    if (res.decision == SDBOOT_INTERNAL && res.error)
        printf("reason: %s\n", sdb_strerror(res.error));
    printf("card: %llu sectors read, %llu written\n",
           (unsigned long long)c.card.bd->stats.sectors_read,
           (unsigned long long)c.card.bd->stats.sectors_written);
    return sim_close("sim boot", &c, res.decision == SDBOOT_RUN_CARD ? CLI_EXIT_OK : CLI_EXIT_FAIL);
}
