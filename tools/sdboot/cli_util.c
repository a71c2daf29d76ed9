/* Shared CLI helpers: error lines, size parsing, progress display. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cli.h"
#include "sdboot/bd_file.h"
#include "sdboot/error.h"

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

int cli_fail_code(const char *cmd, const char *what, int err, int os_errno)
{
    bool os = err == SDB_BD_FILE_EOPEN || err == SDB_BD_FILE_ECREATE;
    if (os && os_errno)
        return cli_fail(cmd, "%s: %s (%s)", what, sdb_strerror(err), strerror(os_errno));
    return cli_fail(cmd, "%s: %s", what, sdb_strerror(err));
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

bool cli_take_json(int argc, char **argv)
{
    bool found = false;
    for (int i = 1; i < argc; i++)
        if (argv[i] && !strcmp(argv[i], "--json")) {
            argv[i] = NULL;
            found = true;
        }
    return found;
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
    case 'k':
    case 'K':
        shift = 10;
        break;
    case 'm':
    case 'M':
        shift = 20;
        break;
    case 'g':
    case 'G':
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
    bool big = (total ? total : done) >= 1024 * 1024;
    double unit = big ? 1024.0 * 1024.0 : 1024.0;
    const char *name = big ? "MiB" : "KiB";
    if (total)
        fprintf(stderr, "\r%s %3" PRIu64 "%% %.1f/%.1f %s", label, done * 100 / total, done / unit,
                total / unit, name);
    else
        fprintf(stderr, "\r%s %.1f %s", label, done / unit, name);
    if (finished)
        fputc('\n', stderr);
    fflush(stderr);
}

int cli_read_file(const char *path, size_t max, uint8_t **data, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    size_t cap = 4096, used = 0;
    uint8_t *buf = malloc(cap + 1);
    while (buf) {
        if (used == cap) {
            if (cap >= max + 1) {
                break;
            }
            cap *= 2;
            uint8_t *bigger = realloc(buf, cap + 1);
            if (!bigger) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = bigger;
        }
        size_t n = fread(buf + used, 1, cap - used, f);
        used += n;
        if (n == 0)
            break;
    }
    bool failed = !buf || ferror(f);
    fclose(f);
    if (failed || used > max) {
        free(buf);
        errno = failed ? EIO : EFBIG;
        return -1;
    }
    buf[used] = '\0';
    *data = buf;
    *len = used;
    return 0;
}

int cli_write_file(const char *path, const void *data, size_t len, unsigned mode)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof tmp) {
        errno = ENAMETOOLONG;
        return -1;
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, mode);
    if (fd < 0)
        return -1;
    const uint8_t *p = data;
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(fd, p + done, len - done);
        if (n <= 0) {
            close(fd);
            unlink(tmp);
            return -1;
        }
        done += (size_t)n;
    }
    if (fsync(fd) != 0 || close(fd) != 0 || rename(tmp, path) != 0) {
        unlink(tmp);
        return -1;
    }
    return 0;
}
