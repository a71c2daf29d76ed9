#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "json.h"
#include "sdboot/boot.h"
#include "sdboot/semver.h"
#include "sim_common.h"

int sim_take_card_args(const char *cmd, int argc, char **argv, struct sim_card *c)
{
    memset(c, 0, sizeof *c);
    for (int i = 1; i < argc; i++) {
        if (!argv[i])
            continue;
        bool has = i + 1 < argc;
        uint64_t v;
        if (!strcmp(argv[i], "--card") && has) {
            c->image = argv[i + 1];
        } else if (!strcmp(argv[i], "--power-cut-after") && has) {
            if (!cli_parse_u64(argv[i + 1], &v) || v == 0 || v > UINT32_MAX)
                return cli_usage_error(cmd, "--power-cut-after needs a positive number");
            c->opts.power_cut_after = (uint32_t)v;
        } else if (!strcmp(argv[i], "--tear") && has) {
            if (!cli_parse_u64(argv[i + 1], &v) || v > 512)
                return cli_usage_error(cmd, "--tear is 0..512 bytes");
            c->opts.tear = (uint16_t)v;
        } else {
            continue;
        }
        argv[i] = argv[i + 1] = NULL;
        i++;
    }
    return c->image ? CLI_EXIT_OK : cli_usage_error(cmd, "needs --card IMG");
}

static const struct sim_card_profile profiles[] = {
    /* SPI mode at 20 MHz: 514 bytes per sector (token, data, CRC) at 2.5 MB/s. */
    {"spi20", "SPI 20 MHz", 0.4, 1.0, 0.206},
    /* 1-bit SDIO at 40 MHz: the same bytes at 5 MB/s; shorter command turnaround. */
    {"sdio40", "1-bit SDIO 40 MHz", 0.2, 0.6, 0.103},
};

int sim_take_profile_arg(const char *cmd, int argc, char **argv, struct sim_card *c)
{
    c->profile = &profiles[0];
    for (int i = 1; i < argc; i++) {
        if (!argv[i] || strcmp(argv[i], "--card-profile"))
            continue;
        if (i + 1 >= argc || !argv[i + 1])
            return cli_usage_error(cmd, "--card-profile needs spi20 or sdio40");
        c->profile = NULL;
        for (size_t k = 0; k < sizeof profiles / sizeof profiles[0]; k++)
            if (!strcmp(argv[i + 1], profiles[k].name))
                c->profile = &profiles[k];
        if (!c->profile)
            return cli_usage_error(cmd, "unknown --card-profile '%s' (spi20 or sdio40)",
                                   argv[i + 1]);
        argv[i] = argv[i + 1] = NULL;
        i++;
    }
    return CLI_EXIT_OK;
}

void sim_print_card_line(const struct sim_card *c)
{
    const struct sdb_bd_stats *s = &c->card.bd->stats;
    const struct sim_card_profile *p = c->profile;
    double ms = (double)s->read_ops * p->read_cmd_ms + (double)s->write_ops * p->write_cmd_ms +
                (double)(s->sectors_read + s->sectors_written) * p->sector_ms;
    printf("card: %llu sectors read in %llu requests, %llu sectors written in %llu requests, "
           "est. %.1f s on %s\n",
           (unsigned long long)s->sectors_read, (unsigned long long)s->read_ops,
           (unsigned long long)s->sectors_written, (unsigned long long)s->write_ops, ms / 1000.0,
           p->label);
}

int sim_fail(const char *cmd, struct sim_card *c, int err, const char *what)
{
    c->err = err;
    if (err == SDB_BD_EPOWER || sdb_host_card_power_failed(&c->card)) {
        c->err = SDB_BD_EPOWER;
        fprintf(stderr, "sdboot %s: power cut after %u sector writes (simulated)\n", cmd,
                c->opts.power_cut_after);
        return CLI_EXIT_POWERCUT;
    }
    return cli_fail(cmd, "%s: %s", what, sdb_strerror(err));
}

int sim_open(const char *cmd, struct sim_card *c, bool mount)
{
    if (!c->json)
        printf("  sim: sdboot %s, card %s\n", cli_build_id(), c->image);
    int err = sdb_host_card_open(&c->card, c->image, &c->opts);
    if (err) {
        c->err = err;
        return cli_fail_code(cmd, c->image, err, errno);
    }
    if (!mount)
        return CLI_EXIT_OK;
    if ((err = sdb_fat_mount(&c->vol, c->card.bd, false))) {
        c->err = err;
        sdb_host_card_close(&c->card);
        return cli_fail(cmd, "%s: %s", c->image, sdb_strerror(err));
    }
    c->mounted = true;
    sdb_fio_fat_init(&c->fio, &c->vol);
    return CLI_EXIT_OK;
}

int sim_close(const char *cmd, struct sim_card *c, int status)
{
    int err =
        c->mounted && !sdb_host_card_power_failed(&c->card) ? sdb_fat_unmount(&c->vol) : SDB_OK;
    bool cut = sdb_host_card_power_failed(&c->card);
    if (c->profile && !c->json && c->card.bd && !cut && status != CLI_EXIT_POWERCUT)
        sim_print_card_line(c);
    sdb_host_card_close(&c->card);
    if (cut && status != CLI_EXIT_POWERCUT)
        return sim_fail(cmd, c, SDB_BD_EPOWER, "");
    if (status == CLI_EXIT_OK && err)
        return sim_fail(cmd, c, err, "closing the card");
    return status;
}

void sim_json_outcome(struct json *j, const struct sim_card *c)
{
    json_bool(j, "ok", c->err == SDB_OK);
    if (c->err == SDB_BD_EPOWER) {
        char message[96];
        snprintf(message, sizeof message, "power cut after %u sector writes (simulated)",
                 c->opts.power_cut_after);
        json_error(j, "error", c->err, message);
    } else if (c->err) {
        json_error(j, "error", c->err, sdb_strerror(c->err));
    }
}

void sim_installed_version(struct sim_card *c, char *out, size_t cap)
{
    struct sdboot_state st;
    if (sdboot_read_state(&c->vol, &st) == SDB_OK)
        snprintf(out, cap, "%s", st.installed);
    else
        snprintf(out, cap, "%s", SDB_VERSION_NONE);
}
