/* sdboot sim ota: the running application checks the server and stages an update. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cli.h"
#include "sdboot/boot.h"
#include "sdboot/ota.h"
#include "sdboot/transport_curl.h"
#include "sim_common.h"

static void progress(void *ctx, uint64_t done, uint64_t total)
{
    (void)ctx;
    cli_progress("download", done, total);
}

static void log_line(void *ctx, const char *line)
{
    (void)ctx;
    printf("  ota: %s\n", line);
}

static void sleep_ms(void *ctx, uint32_t ms)
{
    (void)ctx;
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static const char usage_text[] =
    "usage: sdboot sim ota --card IMG --url URL [--pubkey PUBLIC.pem]... [--allow-unsigned]\n"
    "                     [--ca FILE] [--force] [--board ID] [--timeout S]\n"
    "                     [--no-delta] [--power-cut-after N] " SIM_PROFILE_USAGE "\n\n"
    "As the running application: fetch URL/versions (and versions.sig), verify it, and\n"
    "download and stage a newer release (resuming a partial download). Prints 'up to\n"
    "date' or what it staged. A release with an index (sdboot pack) over an installed one\n"
    "with an index is fetched as a delta: only the files that differ from the base the\n"
    "card keeps whole (the installed release, or the one an installed delta is over),\n"
    "with HTTP Range (--no-delta: the whole tar); it prints 'fetched N files, B bytes downloaded;\n"
    "M files unchanged'. Exit 0 on both, 1 on an error, 75 on a simulated power cut.\n"
    "The last line counts the card traffic and estimates its time on a real card.\n";

int sim_ota(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        fputs(usage_text, stdout);
        return CLI_EXIT_OK;
    }
    struct sim_card c;
    int rc = sim_take_card_args("sim ota", argc, argv, &c);
    if (!rc)
        rc = sim_take_profile_arg("sim ota", argc, argv, &c);
    if (rc)
        return rc;
    struct sdboot_ota_config cfg = {.progress = progress, .log = log_line, .sleep_ms = sleep_ms};
    struct sdb_curl_opts copts = {0};
    char *keys[SDB_SIG_MAX_KEYS] = {0};
    for (int i = 1; i < argc && !rc; i++) {
        size_t len;
        if (!argv[i])
            continue;
        if (!strcmp(argv[i], "--url") && i + 1 < argc)
            cfg.url = argv[++i];
        else if (!strcmp(argv[i], "--ca") && i + 1 < argc)
            copts.ca_file = argv[++i];
        else if (!strcmp(argv[i], "--board") && i + 1 < argc)
            cfg.board = argv[++i];
        else if (!strcmp(argv[i], "--timeout") && i + 1 < argc) {
            uint64_t v;
            if (!cli_parse_u64(argv[++i], &v) || v == 0 || v > 3600)
                rc = cli_usage_error("sim ota", "--timeout is 1..3600 seconds");
            copts.connect_timeout_s = copts.stall_timeout_s = (long)v;
        } else if (!strcmp(argv[i], "--allow-unsigned"))
            cfg.trust.allow_unsigned = true;
        else if (!strcmp(argv[i], "--force"))
            cfg.force = true;
        else if (!strcmp(argv[i], "--no-delta"))
            cfg.no_delta = true;
        else if (!strcmp(argv[i], "--pubkey") && i + 1 < argc) {
            if (cfg.trust.count == SDB_SIG_MAX_KEYS)
                rc = cli_usage_error("sim ota", "at most %d keys", SDB_SIG_MAX_KEYS);
            else if (cli_read_file(argv[++i], 16384, (uint8_t **)&keys[cfg.trust.count], &len))
                rc = cli_fail("sim ota", "%s: %s", argv[i], strerror(errno));
            else
                cfg.trust.pem[cfg.trust.count] = keys[cfg.trust.count], cfg.trust.count++;
        } else
            rc = cli_usage_error("sim ota", "unexpected argument '%s'", argv[i]);
    }
    if (!rc && !cfg.url)
        rc = cli_usage_error("sim ota", "needs --url URL");
    if (!rc && !cfg.trust.count && !cfg.trust.allow_unsigned)
        rc = cli_usage_error("sim ota", "needs --pubkey PUBLIC.pem or --allow-unsigned");
    if (!rc)
        rc = sim_open("sim ota", &c, true);
    if (rc)
        goto out;
    char installed[SDB_VERSION_MAX];
    struct sdboot_state st;
    sim_installed_version(&c, installed, sizeof installed);
    cfg.installed = installed;
    if (sdboot_read_state(&c.vol, &st) == SDB_OK) {
        if (st.refused[0]) {
            cfg.refused = st.refused;
            cfg.refused_error = st.refused_error;
        }
        if (st.last_event == SDBOOT_EV_INSTALL_FAILED)
            cfg.last_install_error = st.last_error;
    }
    static struct sdb_curl curl;
    static struct sdboot_ota ota;
    sdb_curl_init(&curl, &copts);
    sdboot_ota_init(&ota, &cfg, &curl.transport, &c.fio.fio);
    int err = sdboot_ota_check(&ota);
    if (err == SDB_OTA_UPTODATE) {
        printf("up to date (installed %s)\n", installed);
        rc = sim_close("sim ota", &c, CLI_EXIT_OK);
        goto out;
    }
    if (!err)
        err = sdboot_ota_stage(&ota);
    if (err) {
        rc = sim_close("sim ota", &c, sim_fail("sim ota", &c, err, "update"));
        goto out;
    }
    printf("staged %s (%llu bytes, %llu downloaded%s%s) over %s: installed at the next boot\n",
           ota.latest.version, (unsigned long long)ota.latest.size,
           (unsigned long long)ota.bytes_downloaded, ota.bytes_resumed ? ", resumed" : "",
           ota.flags & SDB_STAGE_SIGNED ? ", signature verified" : ", unsigned", installed);
    if (ota.delta)
        printf("fetched %u files, %llu bytes downloaded; %u files unchanged (%u range requests)\n",
               ota.delta_files_fetched, (unsigned long long)ota.bytes_downloaded,
               ota.delta_files_unchanged, ota.delta_requests);
    printf("card: %llu sectors read, %llu written\n",
           (unsigned long long)c.card.bd->stats.sectors_read,
           (unsigned long long)c.card.bd->stats.sectors_written);
    rc = sim_close("sim ota", &c, CLI_EXIT_OK);
out:
    for (int i = 0; i < SDB_SIG_MAX_KEYS; i++)
        free(keys[i]);
    return rc;
}
