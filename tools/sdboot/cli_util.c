/* Shared CLI helpers: error lines, size parsing, progress display. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"

static void vprint_error(const char *cmd, const char *fmt, va_list ap)
{
    fprintf(stderr, "sdboot %s: ", cmd);
    vfprintf(stderr, fmt, ap);
}

int cli_fail(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprint_error(cmd, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return CLI_EXIT_FAIL;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprint_error(cmd, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (see sdboot %s --help)\n", cmd);
    return CLI_EXIT_USAGE;
}

bool cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
            return true;
    return false;
}

bool cli_parse_u64(const char *text, uint64_t *value)
{
    if (!text || !*text || *text == '-' || *text == '+')
        return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno || *end)
        return false;
    *value = v;
    return true;
}

bool cli_parse_size(const char *text, uint64_t *bytes)
{
    if (!text || !*text || *text == '-' || *text == '+')
        return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno || end == text)
        return false;
    unsigned shift = 0;
    switch (*end) {
    case '\0':
        break;
    case 'k': case 'K':
        shift = 10;
        break;
    case 'm': case 'M':
        shift = 20;
        break;
    case 'g': case 'G':
        shift = 30;
        break;
    default:
        return false;
    }
    if (*end && end[1] != '\0' && strcmp(end + 1, "iB") && strcmp(end + 1, "B"))
        return false;
    if (shift && v > (UINT64_MAX >> shift))
        return false;
    *bytes = (uint64_t)v << shift;
    return true;
}

void cli_progress(const char *label, uint64_t done, uint64_t total)
{
    static struct timespec last;
    static int enabled = -1;
    if (enabled < 0) {
        const char *force = getenv("SDBOOT_PROGRESS");
        enabled = (force && *force == '1') || isatty(STDERR_FILENO);
    }
    if (!enabled)
        return;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long ms = (now.tv_sec - last.tv_sec) * 1000 + (now.tv_nsec - last.tv_nsec) / 1000000;
    bool finished = total && done >= total;
    if (!finished && ms < 100)
        return;
    last = now;
    double mib = 1024.0 * 1024.0;
    if (total)
        fprintf(stderr, "\r%s %3" PRIu64 "%% %.1f/%.1f MiB", label, done * 100 / total,
                done / mib, total / mib);
    else
        fprintf(stderr, "\r%s %.1f MiB", label, done / mib);
    if (finished)
        fputc('\n', stderr);
    fflush(stderr);
}
