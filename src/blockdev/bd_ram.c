/* RAM block device (see bd_ram.h). */
#include <string.h>
#include "sdboot/bd_ram.h"

static int ram_read(sdb_bd_t *bd, uint32_t lba, uint32_t count, void *buf)
{
    struct sdb_bd_ram *ram = (struct sdb_bd_ram *)bd;
    memcpy(buf, ram->mem + (size_t)lba * SDB_SECTOR_SIZE, (size_t)count * SDB_SECTOR_SIZE);
    return SDB_OK;
}

static int ram_write(sdb_bd_t *bd, uint32_t lba, uint32_t count, const void *buf)
{
    struct sdb_bd_ram *ram = (struct sdb_bd_ram *)bd;
    memcpy(ram->mem + (size_t)lba * SDB_SECTOR_SIZE, buf, (size_t)count * SDB_SECTOR_SIZE);
    return SDB_OK;
}

static const struct sdb_bd_ops ram_ops = {ram_read, ram_write, NULL};

void sdb_bd_ram_init(struct sdb_bd_ram *ram, void *mem, uint32_t sectors)
{
    memset(ram, 0, sizeof *ram);
    ram->bd.ops = &ram_ops;
    ram->bd.sector_count = sectors;
    ram->mem = mem;
}
