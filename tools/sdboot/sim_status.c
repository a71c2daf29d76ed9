/* sdboot sim status: the boot state of a card, read-only; --json for scripts. */
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "json.h"
#include "sdboot/boot.h"
#include "sdboot/semver.h"
#include "sim_common.h"

static const char *phase_name(uint8_t p)
{
    return p == SDBOOT_PHASE_IDLE         ? "idle"
           : p == SDBOOT_PHASE_EXTRACTING ? "extracting"
                                          : "switching";
}

/* The same facts as print_text, one member each (docs/cli-json.md). */
static void print_json(struct json *j, const struct sdboot_state *st, bool staged)
{
    json_string(j, "installed", st->installed);
    json_string(j, "previous", st->previous[0] ? st->previous : NULL);
    json_bool(j, "confirmed", st->confirmed);
    json_object(j, "trial");
    json_uint(j, "used", st->trials_used);
    json_uint(j, "max", st->trial_max);
    json_close(j);
    json_string(j, "phase", phase_name(st->phase));
    json_object(j, "last_event");
    json_uint(j, "code", st->last_event);
    json_string(j, "name", sdboot_event_name((enum sdboot_event)st->last_event));
    if (st->last_error)
        json_error(j, "error", st->last_error, sdb_strerror(st->last_error));
    else
        json_null(j, "error");
    json_close(j);
    if (st->delta) { /* what the installed release is made of */
        json_object(j, "delta");
        json_string(j, "base", sdboot_state_base(st));
        json_bool(j, "previous_delta", st->previous_delta && !st->confirmed);
        json_close(j);
    } else {
        json_null(j, "delta");
    }
    json_bool(j, "staged", staged);
    if (st->refused[0]) {
        json_object(j, "refused");
        json_string(j, "version", st->refused);
        json_error(j, "error", st->refused_error, sdb_strerror(st->refused_error));
        json_close(j);
    } else {
        json_null(j, "refused");
    }
}

static void print_text(const struct sdboot_state *st, bool staged)
{
    printf("installed: %s\nprevious: %s\nconfirmed: %s\ntrial: %u of %u boots used\nphase: %s\n",
           st->installed, st->previous[0] ? st->previous : "-", st->confirmed ? "yes" : "no",
           st->trials_used, st->trial_max, phase_name(st->phase));
    printf("last event: %s%s%s\n", sdboot_event_name((enum sdboot_event)st->last_event),
           st->last_error ? ": " : "", st->last_error ? sdb_strerror(st->last_error) : "");
    /* what is installed as what: whole (current.tar), or a delta over it */
    if (st->delta)
        printf("installed as: a delta over %s (current.tar; its files in current.dlt)%s\n",
               sdboot_state_base(st),
               st->previous_delta && !st->confirmed ? ", the delta before it kept until confirmed"
                                                    : "");
    else
        printf("installed as: %s\n",
               strcmp(st->installed, SDB_VERSION_NONE) ? "whole (current.tar)" : "-");
    printf("staged: %s\n", staged ? "yes (pending install)" : "no");
    if (st->refused[0]) /* the OTA client does not fetch this version again */
        printf("refused: %s (%s)\n", st->refused, sdb_strerror(st->refused_error));
    else
        printf("refused: -\n");
}

int sim_status(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        printf("usage: sdboot sim status --card IMG [--json]\n\nPrint the card's boot state; "
               "changes nothing. --json prints it as one JSON object\n(docs/cli-json.md).\n");
        return CLI_EXIT_OK;
    }
    struct sim_card c;
    int rc = sim_take_card_args("sim status", argc, argv, &c);
    c.json = cli_take_json(argc, argv);
    for (int i = 1; !rc && i < argc; i++)
        if (argv[i])
            rc = cli_usage_error("sim status", "unexpected argument '%s'", argv[i]);
    c.opts.read_only = true;
    if (rc)
        return rc;
    if ((rc = sim_open("sim status", &c, false))) {
        if (c.json) {
            struct json j;
            cli_json_begin(&j, "sim status");
            json_string(&j, "card", c.image);
            sim_json_outcome(&j, &c);
            json_end(&j);
        }
        return rc;
    }
    int err = sdb_fat_mount(&c.vol, c.card.bd, true);
    struct sdboot_state st;
    if (!err)
        err = sdboot_read_state(&c.vol, &st);
    const char *why = err == SDB_FAT_ENOENT ? "no sdboot state on this card" : sdb_strerror(err);
    struct sdb_fat_stat fs;
    bool staged = !err && sdb_fat_stat(&c.vol, SDB_STAGE_PENDING, &fs) == SDB_OK;
    sdb_host_card_close(&c.card);
    if (c.json) {
        struct json j;
        cli_json_begin(&j, "sim status");
        json_string(&j, "card", c.image);
        json_bool(&j, "ok", !err);
        if (err)
            json_error(&j, "error", err, why);
        else
            print_json(&j, &st, staged);
        json_end(&j);
    } else if (!err) {
        print_text(&st, staged);
    }
    return err ? cli_fail("sim status", "%s: %s", c.image, why) : CLI_EXIT_OK;
}
