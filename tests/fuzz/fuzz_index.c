/* Fuzz: the per-file index reader, fed in two chunks split where the input says. */
#include <stdint.h>
#include <string.h>
#include "sdboot/index.h"

static int count(void *ctx, const struct sdb_index_piece *p)
{
    char line[SDB_INDEX_LINE_MAX + 2];
    sdb_index_format_piece(p, line, sizeof line);
    ++*(unsigned *)ctx;
    return SDB_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct sdb_index_reader r;
    struct sdb_index_limits lim = {.max_bytes = 4096, .max_entries = 16};
    unsigned n = 0;
    size_t split = size ? data[0] % (size + 1) : 0;
    sdb_index_init(&r, &lim, count, &n);
    if (!sdb_index_feed(&r, data, split) && !sdb_index_feed(&r, data + split, size - split))
        sdb_index_finish(&r);
    return 0;
}
