/* Shared by the sim subcommands: the card image with an optional power cut. */
#ifndef SDBOOT_SIM_COMMON_H
#define SDBOOT_SIM_COMMON_H

#include <stdbool.h>
#include "sdboot/fat.h"
#include "sdboot/fio_fat.h"
#include "sdboot/host.h"

struct sim_card {
    const char *image;
    struct sdb_host_card_opts opts;
    struct sdb_host_card card;
    struct sdb_fat_vol vol;
    struct sdb_fio_fat fio;
    bool mounted;
    bool json; /* --json: stdout carries one JSON object, so no log lines */
    int err;   /* the core error that failed the command (SDB_BD_EPOWER for a cut), or 0 */
    const struct sim_card_profile *profile; /* report traffic at close (NULL: don't) */
};

/* Timing model of a real card, to turn counted traffic into an estimate: every
 * request costs a command latency (command, access time, and for a write the
 * programming busy), every sector its transfer time on the bus. The figures are
 * documented in docs/card-io.md ("Card timing model"). */
struct sim_card_profile {
    const char *name;  /* for --card-profile */
    const char *label; /* "SPI 20 MHz" */
    double read_cmd_ms, write_cmd_ms, sector_ms;
};

/* Take --card-profile NAME out of argv (default: SPI 20 MHz) and make the card
 * report its traffic when it is closed; returns 0 or a CLI exit code. */
int sim_take_profile_arg(const char *cmd, int argc, char **argv, struct sim_card *c);
/* The usage text line for --card-profile. */
#define SIM_PROFILE_USAGE "[--card-profile spi20|sdio40]"
/* "card: R sectors read in A requests, W sectors written in B requests, est. T s on P" */
void sim_print_card_line(const struct sim_card *c);

/* Take --card IMG, --power-cut-after N and --tear BYTES out of argv (they are
 * replaced by NULL); returns 0 or a CLI exit code. */
int sim_take_card_args(const char *cmd, int argc, char **argv, struct sim_card *c);
/* Open the image (and mount it when `mount`), first logging which build runs
 * ("  sim: sdboot 0.1.0 (git ...), card IMG") unless c->json. Returns 0 or a
 * CLI exit code. */
int sim_open(const char *cmd, struct sim_card *c, bool mount);
/* Unmount/close; maps a simulated power cut to exit 75 with a message. */
int sim_close(const char *cmd, struct sim_card *c, int status);
/* The CLI exit code for a core error (75 for a power cut). */
int sim_fail(const char *cmd, struct sim_card *c, int err, const char *what);
struct json;
/* --json: "ok" and, when c->err is set, "error" {code, message} with the message
 * the text output prints on stderr. */
void sim_json_outcome(struct json *j, const struct sim_card *c);
/* The installed version on the card ("none" without sdboot state). */
void sim_installed_version(struct sim_card *c, char *out, size_t cap);

#endif
