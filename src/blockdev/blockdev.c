/* Range checks and traffic counters shared by every block device. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "sdboot/blockdev.h"

static int range_ok(const sdb_bd_t *bd, uint32_t lba, uint32_t count)
{
    return count > 0 && lba < bd->sector_count && count <= bd->sector_count - lba;
}

/* Reads and writes: the same checks, then the request and its sectors counted. */
static int transfer(sdb_bd_t *bd, uint32_t lba, uint32_t count, void *buf, bool write)
{
    if (!bd || !bd->ops || !buf)
        return SDB_E_INVAL;
    if (!range_ok(bd, lba, count))
        return SDB_BD_ERANGE;
    int err = write ? bd->ops->write(bd, lba, count, buf) : bd->ops->read(bd, lba, count, buf);
    if (err == SDB_OK) {
        uint64_t *sectors = write ? &bd->stats.sectors_written : &bd->stats.sectors_read;
        uint64_t *ops = write ? &bd->stats.write_ops : &bd->stats.read_ops;
        *sectors += count;
        ++*ops;
    }
    return err;
}

int sdb_bd_read(sdb_bd_t *bd, uint32_t lba, uint32_t count, void *buf)
{
    return transfer(bd, lba, count, buf, false);
}

int sdb_bd_write(sdb_bd_t *bd, uint32_t lba, uint32_t count, const void *buf)
{
    return transfer(bd, lba, count, (void *)(uintptr_t)buf, true);
}

int sdb_bd_sync(sdb_bd_t *bd)
{
    if (!bd || !bd->ops)
        return SDB_E_INVAL;
    bd->stats.syncs++;
    return bd->ops->sync ? bd->ops->sync(bd) : SDB_OK;
}

void sdb_bd_reset_stats(sdb_bd_t *bd)
{
    bd->stats = (struct sdb_bd_stats){0};
}

const char *sdb_bd_strerror(int err)
{
    switch (err) {
    case SDB_BD_EIO:
        return "card I/O error";
    case SDB_BD_ENOMEDIUM:
        return "no card";
    case SDB_BD_EROFS:
        return "card is write-protected";
    case SDB_BD_ERANGE:
        return "sector out of range";
    case SDB_BD_EPOWER:
        return "power cut (simulated)";
    default:
        return NULL;
    }
}
