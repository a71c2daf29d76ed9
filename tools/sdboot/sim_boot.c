/* sdboot sim boot: one power-on of the simulated device. */
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "json.h"
#include "sdboot/boot.h"
#include "sim_common.h"

/* ctx: the JSON writer with its "log" array open, or NULL for text. */
static void print_log(void *ctx, const char *line)
{
    if (ctx)
        json_string(ctx, NULL, line);
    else
        printf("  boot: %s\n", line);
}

static const char *decision_key(enum sdboot_decision d)
{
    return d == SDBOOT_RUN_CARD ? "run_card" : d == SDBOOT_MOUNT_SD ? "mount_sd" : "internal";
}

/* The error shown with the event: an internal decision's error is its reason
 * (nothing to run after a format is not the format's error), unless the
 * event is the failed install that left nothing to run. */
static int event_error(const struct sdboot_result *res)
{
    bool reason = res->decision == SDBOOT_INTERNAL && res->event != SDBOOT_EV_INSTALL_FAILED;
    return reason ? SDB_OK : res->error;
}

/* The facts of the text lines (decision, version, event, reason, card), as members. */
static void print_json(struct json *j, const struct sdboot_result *res,
                       const struct sdb_bd_stats *io)
{
    json_object(j, "decision");
    json_string(j, "key", decision_key(res->decision));
    json_string(j, "text", sdboot_decision_name(res->decision));
    json_close(j);
    json_string(j, "version", res->decision != SDBOOT_INTERNAL ? res->version : NULL);
    json_object(j, "trial");
    json_bool(j, "on_trial", res->decision != SDBOOT_INTERNAL && res->on_trial);
    json_uint(j, "used", res->trials_used);
    json_uint(j, "max", res->trial_max);
    json_close(j);
    if (res->event) {
        json_object(j, "event");
        json_uint(j, "code", res->event);
        json_string(j, "name", sdboot_event_name(res->event));
        if (event_error(res))
            json_error(j, "error", res->error, sdb_strerror(res->error));
        else
            json_null(j, "error");
        json_close(j);
    } else {
        json_null(j, "event");
    }
    if (res->decision == SDBOOT_INTERNAL && res->error)
        json_error(j, "reason", res->error, sdb_strerror(res->error));
    else
        json_null(j, "reason");
    json_object(j, "card_io");
    json_uint(j, "sectors_read", io->sectors_read);
    json_uint(j, "read_requests", io->read_ops);
    json_uint(j, "sectors_written", io->sectors_written);
    json_uint(j, "write_requests", io->write_ops);
    json_uint(j, "syncs", io->syncs);
    json_close(j);
}

static void print_text(const struct sdboot_result *res)
{
    printf("decision: %s\n", sdboot_decision_name(res->decision));
    if (res->decision != SDBOOT_INTERNAL) {
        printf("version: %s", res->version);
        if (res->on_trial)
            printf(" (on trial: boot %u of %u, not confirmed)", res->trials_used, res->trial_max);
        printf("\n");
    }
    if (res->event)
        printf("event: %s%s%s\n", sdboot_event_name(res->event), event_error(res) ? ": " : "",
               event_error(res) ? sdb_strerror(res->error) : "");
    if (res->decision == SDBOOT_INTERNAL && res->error)
        printf("reason: %s\n", sdb_strerror(res->error));
}

/* One power-on of the opened card: *res and the card's counters *io (taken
 * before the card is closed). Returns the exit code. */
static int boot_once(struct sim_card *c, const struct sdboot_config *cfg, struct sdboot_result *res,
                     struct sdb_bd_stats *io)
{
    static struct sdboot engine;
    int err = sdboot_boot(&engine, c->card.bd, cfg, res);
    if (err)
        return sim_close("sim boot", c, sim_fail("sim boot", c, err, "boot"));
    *io = c->card.bd->stats;
    if (!c->json)
        print_text(res);
    return sim_close("sim boot", c, res->decision == SDBOOT_RUN_CARD ? CLI_EXIT_OK : CLI_EXIT_FAIL);
}

static const char usage_text[] =
    "usage: sdboot sim boot --card IMG [--recovery-pin] [--no-card] [--trial-boots N]\n"
    "                      [--board ID] [--no-format] [--entry PATH] [--no-arena]\n"
    "                      [--power-cut-after N [--tear B]] [--json]\n"
    "                      " SIM_PROFILE_USAGE "\n\n"
    "One power-on: card bring-up and format policy, finishing an interrupted install,\n"
    "installing a staged release, trial boots and rollback. Prints the decision, the\n"
    "release that would run and its trial state. Exit 0 when an application would run,\n"
    "1 otherwise, 75 on a simulated power cut. The last line counts the card traffic\n"
    "(sectors and requests) and estimates its time on a real card (--card-profile).\n"
    "--entry PATH names the file the device starts (default /main.py; the bare-metal\n"
    "port starts /app/firmware.bin): the boot restores the release when it is missing.\n"
    "--no-arena boots as a port without a gzip arena does (the bare-metal port): a\n"
    "plain tar is read through the engine's own buffer, .tar.gz is refused.\n"
    "--json prints all of it, the boot log included, as one JSON object (docs/cli-json.md).\n";

int sim_boot(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        fputs(usage_text, stdout);
        return CLI_EXIT_OK;
    }
    struct sim_card c;
    int rc = sim_take_card_args("sim boot", argc, argv, &c);
    if (!rc)
        rc = sim_take_profile_arg("sim boot", argc, argv, &c);
    if (rc)
        return rc;
    c.json = cli_take_json(argc, argv);
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
        else if (!strcmp(argv[i], "--no-arena"))
            cfg.gzip_arena = NULL, cfg.gzip_arena_len = 0;
        else if (!strcmp(argv[i], "--trial-boots") && i + 1 < argc) {
            if (!cli_parse_u64(argv[++i], &v) || v == 0 || v > 100)
                return cli_usage_error("sim boot", "--trial-boots is 1..100");
            cfg.trial_boots = (uint8_t)v;
        } else
            return cli_usage_error("sim boot", "unexpected argument '%s'", argv[i]);
    }
    struct sdboot_result res = {0};
    struct sdb_bd_stats io = {0};
    struct json j;
    if (c.json) {
        cli_json_begin(&j, "sim boot");
        json_string(&j, "card", c.image);
        json_array(&j, "log");
        cfg.log_ctx = &j;
    }
    if ((rc = sim_open("sim boot", &c, false)) == CLI_EXIT_OK)
        rc = boot_once(&c, &cfg, &res, &io);
    if (c.json) {
        json_close(&j);
        sim_json_outcome(&j, &c);
        if (!c.err)
            print_json(&j, &res, &io);
        json_end(&j);
    }
    return rc;
}
