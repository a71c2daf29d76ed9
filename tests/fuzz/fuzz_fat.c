/* Fuzz: mount + walk + read of an arbitrary card image, read-only. Must never
 * crash, hang or write. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sdboot/bd_ram.h"
#include "sdboot/fat.h"

static uint8_t card[256 * 1024];

static void walk(struct sdb_fat_vol *vol, const char *path, int depth)
{
    struct sdb_fat_dir d;
    struct sdb_fat_dirent e;
    if (depth > 6 || sdb_fat_opendir(vol, &d, path))
        return;
    for (int n = 0; n < 64 && sdb_fat_readdir(&d, &e) == SDB_OK; n++) {
        char child[SDB_FAT_PATH_MAX + 1];
        if (snprintf(child, sizeof child, "%s/%s", depth ? path : "", e.name) >= (int)sizeof child)
            continue;
        if (e.st.is_dir) {
            walk(vol, child, depth + 1);
            continue;
        }
        struct sdb_fat_file f;
        uint8_t buf[4096];
        uint32_t got;
        if (sdb_fat_open(vol, &f, child, SDB_FAT_READ) == SDB_OK) {
            while (sdb_fat_read(&f, buf, sizeof buf, &got) == SDB_OK && got)
                ;
            sdb_fat_close(&f);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* The input overlays the first sectors of a card; the rest is zero. */
    memset(card, 0, sizeof card);
    memcpy(card, data, size < sizeof card ? size : sizeof card);
    struct sdb_bd_ram ram;
    sdb_bd_ram_init(&ram, card, sizeof card / 512);
    enum sdb_card_class cls;
    sdb_fat_detect(&ram.bd, &cls);
    struct sdb_fat_vol vol;
    if (sdb_fat_mount(&vol, &ram.bd, true) == SDB_OK) {
        walk(&vol, "/", 0);
        static uint8_t bitmap[512];
        struct sdb_fat_check_report r;
        sdb_fat_check(&vol, false, bitmap, sizeof bitmap, &r);
    }
    if (ram.bd.stats.sectors_written)
        abort();
    return 0;
}
