/* sdboot inspect: list a release tar's entries and judge it by the device's rules. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "json.h"
#include "sdboot/limits.h"
#include "release_index.h"
#include "sdboot/fileio.h"
#include "sdboot/hash.h"
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

/* FILE.idx, when there is one: checked against the tar and listed (text), or
 * the "index" member (JSON: null when there is none). A bad index refuses. */
static int inspect_index(const char *tar_path, struct json *j)
{
    struct release_index ix;
    int err = release_index_check(tar_path, NULL, &ix);
    char hex[65];
    sdb_hex_encode(ix.sha256, 32, hex);
    if (j && err == SDB_FIO_ENOENT) {
        json_null(j, "index");
    } else if (j) {
        json_object(j, "index");
        json_bool(j, "ok", err == SDB_OK);
        if (err) {
            json_error(j, "error", err, sdb_strerror(err));
            json_uint(j, "line", ix.bad_line);
        } else {
            json_uint(j, "files", ix.files);
            json_uint(j, "dirs", ix.dirs);
            json_string(j, "sha256", hex);
        }
        json_close(j);
    } else if (err == SDB_FIO_ENOENT) {
        printf("no index (%s" SDB_INDEX_SUFFIX "): devices download the whole tar\n", tar_path);
    } else if (!err) {
        printf("index %s" SDB_INDEX_SUFFIX ": %u files, %u directories, tar %" PRIu64
               " bytes, sha256=%s\n",
               tar_path, ix.files, ix.dirs, ix.tar_size, hex);
        printf("%12s %10s  %-16s  %s\n", "offset", "size", "sha256", "path");
        for (unsigned i = 0; i < ix.count; i++) {
            const struct sdb_index_piece *p = &ix.pieces[i];
            if (p->kind != SDB_INDEX_FILE)
                continue;
            sdb_hex_encode(p->sha256, 32, hex);
            printf("%12" PRIu64 " %10" PRIu64 "  %.16s  %s\n", p->offset, p->length, hex, p->path);
        }
    }
    release_index_free(&ix);
    if (err && err != SDB_FIO_ENOENT)
        return cli_fail("inspect", "%s" SDB_INDEX_SUFFIX " line %u%s%s: refused: %s", tar_path,
                        ix.bad_line, ix.bad_path[0] ? ", " : "", ix.bad_path, sdb_strerror(err));
    return CLI_EXIT_OK;
}

int cmd_inspect(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        printf(
            "usage: sdboot inspect FILE [--json]\n\n"
            "List the entries of a release tar or tar.gz and check it against the rules a\n"
            "device applies (no absolute paths, '..', links, devices, .sdboot/, names FAT\n"
            "cannot hold, duplicates). When FILE.idx exists (sdboot pack writes it for a\n"
            "plain tar), it is checked against the tar and listed: each file's data offset,\n"
            "size and SHA-256. Exit 0 only when a device would accept both.\n"
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
    int irc = CLI_EXIT_OK;
    if (as_json) {
        json_close(&j);
        if (!err && !tar.gzip)
            irc = inspect_index(file, &j);
        json_bool(&j, "ok", err == SDB_OK && !irc);
        json_bool(&j, "accepted", err == SDB_OK && !irc);
        if (err) {
            json_error(&j, "error", err == -1 ? 0 : err, why);
        } else {
            json_uint(&j, "entry_count", tar.entries);
            json_uint(&j, "bytes", tar.total);
        }
    }
    if (!as_json && !err)
        printf("%s: %" PRIu32 " entries, %" PRIu64 " bytes, accepted\n", file, tar.entries,
               tar.total);
    if (!as_json && !err && !tar.gzip)
        irc = inspect_index(file, NULL);
    if (as_json)
        json_end(&j);
    if (err == -1)
        return cli_fail("inspect", "%s: %s", file, why);
    if (err)
        return cli_fail("inspect", "%s: refused: %s", file, why);
    return irc;
}
