/* sdboot inspect: list a release tar's entries and judge it by the device's rules. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "sdboot/tar.h"

static int print_entry(void *ctx, const struct sdb_tar_entry *e)
{
    (void)ctx;
    printf("%s %10" PRIu64 "  %s%s\n", e->type == SDB_TAR_DIR ? "d" : "f", e->size, e->path,
           e->type == SDB_TAR_DIR ? "/" : "");
    return SDB_OK;
}

int cmd_inspect(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        printf("usage: sdboot inspect FILE\n\n"
               "List the entries of a release tar or tar.gz and check it against the rules a\n"
               "device applies (no absolute paths, '..', links, devices, .sdboot/, names FAT\n"
               "cannot hold, duplicates). Exit 0 only when a device would accept it.\n");
        return CLI_EXIT_OK;
    }
    if (argc != 2)
        return cli_usage_error("inspect", "needs one FILE");
    FILE *f = fopen(argv[1], "rb");
    if (!f)
        return cli_fail("inspect", "%s: %s", argv[1], strerror(errno));
    static uint64_t names[4096];
    static uint8_t arena[SDB_TAR_GZIP_ARENA];
    static struct sdb_tar tar;
    struct sdb_tar_ops ops = {.begin = print_entry};
    sdb_tar_init(&tar, &ops, NULL, names, 4096, arena, sizeof arena);
    static uint8_t buf[65536];
    size_t n;
    int err = SDB_OK;
    while (!err && (n = fread(buf, 1, sizeof buf, f)) > 0)
        err = sdb_tar_feed(&tar, buf, n);
    fclose(f);
    if (!err)
        err = sdb_tar_finish(&tar);
    if (err)
        return cli_fail("inspect", "%s: refused: %s", argv[1], sdb_strerror(err));
    printf("%s: %" PRIu32 " entries, %" PRIu64 " bytes, accepted\n", argv[1], tar.entries,
           tar.total);
    return CLI_EXIT_OK;
}
