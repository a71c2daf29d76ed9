/*
 * Shared helpers for the sdboot CLI commands (one file per command: cmd_*.c).
 * Conventions every command follows:
 *  - `--help`/`-h` prints usage to stdout and returns 0;
 *  - success returns 0; a failure prints ONE line "sdboot CMD: message" to stderr
 *    and returns 1 (2 for a usage error); a simulated power cut returns 75.
 */
#ifndef SDBOOT_CLI_H
#define SDBOOT_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#define CLI_EXIT_OK 0
#define CLI_EXIT_FAIL 1
#define CLI_EXIT_USAGE 2
#define CLI_EXIT_POWERCUT 75

typedef int (*cli_cmd_fn)(int argc, char **argv);

/* Print "sdboot <cmd>: <formatted message>\n" to stderr; returns CLI_EXIT_FAIL. */
int cli_fail(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "sdboot <cmd>: <what>: <message of err>", with the system's reason (os_errno,
 * saved right after the failing call) when err says a file could not be opened
 * or created. Returns CLI_EXIT_FAIL. */
int cli_fail_code(const char *cmd, const char *what, int err, int os_errno);
/* Same, for a usage error: adds "(see sdboot <cmd> --help)"; returns CLI_EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* True when argv holds -h or --help. */
bool cli_wants_help(int argc, char **argv);
/* Parse "64M", "512K", "1G", "4096" (bytes). Returns false on garbage or overflow. */
bool cli_parse_size(const char *text, uint64_t *bytes);
/* Parse a decimal unsigned integer, whole string. */
bool cli_parse_u64(const char *text, uint64_t *value);
/* One-line progress display on stderr when it is a terminal ("label  42% 1.2/2.9 MiB"),
 * rate-limited; done == total ends the line. Silent when stderr is not a tty
 * unless SDBOOT_PROGRESS=1. */
void cli_progress(const char *label, uint64_t done, uint64_t total);

/* Read a whole file (at most max bytes) into a malloc'd, NUL-terminated buffer.
 * Returns 0, or -1 with errno set (EFBIG when larger than max). */
int cli_read_file(const char *path, size_t max, uint8_t **data, size_t *len);
/* Write a file through a temporary and rename, so readers never see half of it. */
int cli_write_file(const char *path, const void *data, size_t len, unsigned mode);

/* "0.1.0 (git 5882f15d1a2b)": this build's version and commit (build_id.c). */
const char *cli_build_id(void);
/* --json: start the object on stdout with "command" and "sdboot" (version,
 * commit, modified), the members every JSON answer begins with (docs/cli-json.md). */
struct json;
void cli_json_begin(struct json *j, const char *command);
/* True when argv holds --json; the argument is replaced by NULL. */
bool cli_take_json(int argc, char **argv);

/* Commands (tools/sdboot/cmd_*.c). */
int cmd_image(int argc, char **argv);
int cmd_keygen(int argc, char **argv);
int cmd_pack(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_sim(int argc, char **argv);
int cmd_error(int argc, char **argv);
int cmd_version(int argc, char **argv);

/* sim subcommands (tools/sdboot/sim_*.c); argv[0] is the subcommand name. */
int sim_boot(int argc, char **argv);
int sim_confirm(int argc, char **argv);
int sim_stage(int argc, char **argv);
int sim_ota(int argc, char **argv);
int sim_repair(int argc, char **argv);
int sim_status(int argc, char **argv);

#endif
