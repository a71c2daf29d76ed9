/* sdboot inspect: list a release tar's entries and judge it by the device's rules. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "json.h"
#include "sdboot/limits.h"
#include "sdboot/tar.h"

/* ctx: the JSON writer with its "entries" array open, or NULL for text. */
static int print_entry(void *ctx, const struct sdb_tar_entry *e)
{
    bool dir = e->type == SDB_TAR_DIR;
    if (ctx) {
        json_object(ctx, NULL);
        json_string(ctx, "type", dir ? "dir" : "file");
        json_uint(ctx, "size", e->size);
        json_string(ctx, "path", e->path);
        json_close(ctx);
    } else {
        printf("%s %10" PRIu64 "  %s%s\n", dir ? "d" : "f", e->size, e->path, dir ? "/" : "");
    }
    return SDB_OK;
}

/* Feed the file through the device's tar reader; 0, an SDB_* code, or errno as -1 (os_errno). */
static int read_tar(const char *path, struct sdb_tar *tar, struct json *j, int *os_errno)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        *os_errno = errno;
        return -1;
    }
    static uint64_t names[SDB_LIMIT_ENTRIES];
    static uint8_t arena[SDB_TAR_GZIP_ARENA];
    static struct sdb_tar_ops ops = {.begin = print_entry};
    ops.ctx = j;
    sdb_tar_init(tar, &ops, NULL, names, SDB_LIMIT_ENTRIES, arena, sizeof arena);
    static uint8_t buf[65536];
    size_t n;
    int err = SDB_OK;
    while (!err && (n = fread(buf, 1, sizeof buf, f)) > 0)
        err = sdb_tar_feed(tar, buf, n);
    fclose(f);
    return err ? err : sdb_tar_finish(tar);
}

int cmd_inspect(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        printf(
            "usage: sdboot inspect FILE [--json]\n\n"
            "List the entries of a release tar or tar.gz and check it against the rules a\n"
            "device applies (no absolute paths, '..', links, devices, .sdboot/, names FAT\n"
            "cannot hold, duplicates). Exit 0 only when a device would accept it.\n"
            "--json prints the entries and the verdict as one JSON object (docs/cli-json.md).\n");
        return CLI_EXIT_OK;
    }
    const char *file = NULL;
    bool as_json = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json"))
            as_json = true;
        else if (!file && argv[i][0] != '-')
            file = argv[i];
        else
            return cli_usage_error("inspect", "unexpected argument '%s'", argv[i]);
    }
    if (!file)
        return cli_usage_error("inspect", "needs one FILE");
    static struct sdb_tar tar;
    struct json j;
    if (as_json) {
        cli_json_begin(&j, "inspect");
        json_string(&j, "file", file);
        json_array(&j, "entries");
    }
    int os_errno = 0;
    int err = read_tar(file, &tar, as_json ? &j : NULL, &os_errno);
    const char *why = err == -1 ? strerror(os_errno) : sdb_strerror(err);
    if (as_json) {
        json_close(&j);
        json_bool(&j, "ok", err == SDB_OK);
        json_bool(&j, "accepted", err == SDB_OK);
        if (err) {
            json_error(&j, "error", err == -1 ? 0 : err, why);
        } else {
            json_uint(&j, "entry_count", tar.entries);
            json_uint(&j, "bytes", tar.total);
        }
        json_end(&j);
    }
    if (err == -1)
        return cli_fail("inspect", "%s: %s", file, why);
    if (err)
        return cli_fail("inspect", "%s: refused: %s", file, why);
    if (!as_json)
        printf("%s: %" PRIu32 " entries, %" PRIu64 " bytes, accepted\n", file, tar.entries,
               tar.total);
    return CLI_EXIT_OK;
}
