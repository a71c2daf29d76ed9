/* Fuzz: the tar(+gzip) reader, fed in odd-sized chunks; accepted paths must
 * obey the rules the reader promises. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "sdboot/tar.h"

/* A ".." component anywhere (a name that only starts with two dots, such as
 * "..notes", is a file name like any other). */
static bool has_dotdot(const char *path)
{
    size_t n = strlen(path);
    return !strcmp(path, "..") || !strncmp(path, "../", 3) || strstr(path, "/../") ||
           (n >= 3 && !strcmp(path + n - 3, "/.."));
}

static int check_path(void *ctx, const struct sdb_tar_entry *e)
{
    (void)ctx;
    if (e->path[0] == '/' || has_dotdot(e->path) || strchr(e->path, '\\') ||
        !strncmp(e->path, ".sdboot", 7))
        abort();
    return SDB_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint64_t names[128];
    static uint8_t arena[SDB_TAR_GZIP_ARENA];
    static struct sdb_tar t;
    struct sdb_tar_ops ops = {.begin = check_path};
    struct sdb_tar_limits lim = {.max_file = 1 << 20, .max_total = 4 << 20};
    sdb_tar_init(&t, &ops, &lim, names, 128, arena, sizeof arena);
    size_t chunk = size ? 1 + data[0] % 97 : 1;
    for (size_t off = 0; off < size; off += chunk)
        if (sdb_tar_feed(&t, data + off, size - off < chunk ? size - off : chunk))
            return 0;
    sdb_tar_finish(&t);
    return 0;
}
