/*
 * A program of another project, built only against an installed sdboot core
 * (tests/install/install.sh builds it with pkg-config and with find_package).
 * It boots a blank RAM card (formatted and initialised by the boot path),
 * writes and reads back a file through the FAT driver, hashes, compares
 * versions and names an error: one line per fact, checked by the script.
 * RAM: a 16 MiB static card and the engine, both static.
 */
#include <stdio.h>
#include <string.h>
#include <sdboot/bd_ram.h>
#include <sdboot/boot.h>
#include <sdboot/error.h>
#include <sdboot/fat.h>
#include <sdboot/hash.h>
#include <sdboot/semver.h>
#include <sdboot/version.h>

#define CARD_SECTORS (16u * 2048u)

static uint8_t card_mem[CARD_SECTORS * SDB_SECTOR_SIZE];

static int fail(const char *what, int err)
{
    fprintf(stderr, "consumer: %s: %s\n", what, sdb_strerror(err));
    return 1;
}

static int file_round_trip(sdb_bd_t *bd)
{
    static struct sdb_fat_vol vol;
    struct sdb_fat_file f;
    char back[32] = {0};
    uint32_t got = 0;
    int err = sdb_fat_mount(&vol, bd, false);
    if (!err)
        err = sdb_fat_open(&vol, &f, "/hello.txt", SDB_FAT_WRITE | SDB_FAT_CREATE | SDB_FAT_TRUNC);
    if (!err)
        err = sdb_fat_write(&f, "hello from a consumer", 21);
    if (!err)
        err = sdb_fat_close(&f);
    if (!err)
        err = sdb_fat_open(&vol, &f, "/hello.txt", SDB_FAT_READ);
    if (!err)
        err = sdb_fat_read(&f, back, sizeof back - 1, &got);
    if (!err)
        err = sdb_fat_close(&f);
    if (!err)
        err = sdb_fat_unmount(&vol);
    if (err)
        return fail("fat", err);
    printf("read back: %s\n", back);
    return 0;
}

int main(void)
{
    printf("sdboot core %s\n", SDBOOT_VERSION);
    static struct sdb_bd_ram ram;
    sdb_bd_ram_init(&ram, card_mem, CARD_SECTORS);
    static struct sdboot engine;
    struct sdboot_config cfg = SDBOOT_CONFIG_DEFAULTS;
    struct sdboot_result res;
    int err = sdboot_boot(&engine, &ram.bd, &cfg, &res);
    if (err)
        return fail("boot", err);
    printf("boot: %s, %s\n", sdboot_decision_name(res.decision), sdboot_event_name(res.event));
    if (file_round_trip(&ram.bd))
        return 1;
    struct sdb_sha256 h;
    uint8_t digest[32];
    char hex[65];
    sdb_sha256_init(&h);
    sdb_sha256_update(&h, "abc", 3);
    sdb_sha256_finish(&h, digest);
    sdb_hex_encode(digest, sizeof digest, hex);
    printf("sha256(abc): %s\n", hex);
    err = sdb_semver_should_update("1.9.0", "1.10.0", false);
    printf("1.10.0 over 1.9.0: %s\n", err == SDB_OK ? "update" : sdb_strerror(err));
    err = sdb_semver_should_update("1.10.0", "1.9.0", false);
    printf("1.9.0 over 1.10.0: %s\n", err == SDB_OK ? "update" : sdb_strerror(err));
    printf("error %d: %s\n", SDB_FAT_ENOENT, sdb_strerror(SDB_FAT_ENOENT));
    return 0;
}
