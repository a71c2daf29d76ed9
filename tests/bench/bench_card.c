/*
 * Card-traffic and throughput benchmark (not a test: numbers, no pass/fail).
 *   bench_card [--tar OUT.tar] [--quick]
 * Builds a reference release (200 files, 2 MiB, under app/ and outside it),
 * stages it on a RAM card (512 MiB, FAT32, 4 KiB clusters) and measures sectors
 * read/written by: the install, a normal boot, an update that changes 20 files,
 * a rollback. Prints "key value" lines for scripts/bench.sh. With --tar it also
 * writes the reference tar for the host comparison (tar -x + sha256sum).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "sdboot/bd_ram.h"
#include "sdboot/boot.h"
#include "sdboot/fio_fat.h"
#include "sdboot/hash.h"
#include "sdboot/ota.h"

#define CARD (512u << 20)
#define FILES 200
#define TOTAL (2u << 20)

/* Release `gen`: files i < changed get generation-specific content. */
static void build(struct sdb_tar_mem *m, unsigned changed, unsigned gen)
{
    struct sdb_tar_writer w = {.out = sdb_tar_mem_out, .ctx = m};
    static uint8_t data[TOTAL / FILES + 1024];
    m->len = 0;
    for (unsigned i = 0; i < FILES; i++) {
        char path[64];
        if (i == 0)
            snprintf(path, sizeof path, "main.py");
        else if (i < 20)
            snprintf(path, sizeof path, "lib/module_%03u.py", i);
        else
            snprintf(path, sizeof path, "app/pkg%u/file_%03u.py", i % 10, i);
        uint32_t size = TOTAL / FILES + (i % 7) * 97;
        for (uint32_t k = 0; k < size; k++)
            data[k] = (uint8_t)(k * 31 + i * 7 + (i < changed ? gen * 13 : 0));
        sdb_tar_write_header(&w, path, SDB_TAR_FILE, size, 0644);
        sdb_tar_write_data(&w, data, size);
    }
    sdb_tar_write_end(&w);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int stage(sdb_bd_t *bd, struct sdb_tar_mem *m, const char *version)
{
    struct sdb_fat_vol vol;
    struct sdb_fio_fat fio;
    int err = sdb_fat_mount(&vol, bd, false);
    if (err)
        return err;
    sdb_fio_fat_init(&fio, &vol);
    void *f;
    err = sdboot_stage_begin(&fio.fio);
    if (!err)
        err = fio.fio.open(fio.fio.ctx, SDB_STAGE_PART, SDB_FIO_CREATE, &f);
    if (!err) {
        err = fio.fio.write(fio.fio.ctx, f, m->buf, m->len);
        fio.fio.close(fio.fio.ctx, f);
    }
    struct sdb_manifest_entry e = {.has_size = true, .has_sha256 = true, .size = m->len};
    snprintf(e.version, sizeof e.version, "%s", version);
    snprintf(e.filename, sizeof e.filename, "bench.tar");
    struct sdb_sha256 h;
    sdb_sha256_init(&h);
    sdb_sha256_update(&h, m->buf, m->len);
    sdb_sha256_finish(&h, e.sha256);
    if (!err)
        err = sdboot_stage_commit(&fio.fio, &e, 0);
    sdb_fat_unmount(&vol);
    return err;
}

static struct sdboot engine;

static void boot_measured(sdb_bd_t *bd, const char *what, double *seconds)
{
    struct sdboot_config cfg = SDBOOT_CONFIG_DEFAULTS;
    struct sdboot_result res;
    sdb_bd_reset_stats(bd);
    double t0 = now();
    int err = sdboot_boot(&engine, bd, &cfg, &res);
    double t = now() - t0;
    if (err) {
        fprintf(stderr, "bench: %s failed: %s\n", what, sdb_strerror(err));
        exit(1);
    }
    printf("%s_read %llu\n%s_written %llu\n", what, (unsigned long long)bd->stats.sectors_read,
           what, (unsigned long long)bd->stats.sectors_written);
    if (seconds)
        *seconds = t;
}

int main(int argc, char **argv)
{
    const char *tar_out = NULL;
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--tar") && i + 1 < argc)
            tar_out = argv[++i];
    uint8_t *card = calloc(1, CARD);
    struct sdb_tar_mem m = {malloc(4u << 20), 4u << 20, 0};
    struct sdb_bd_ram ram;
    sdb_bd_ram_init(&ram, card, CARD / 512);
    struct sdb_mkfs_opts o = {.volume_id = 1};
    if (sdb_fat_mkfs(&ram.bd, &o))
        return 1;
    boot_measured(&ram.bd, "init_boot", NULL);
    build(&m, 0, 1);
    if (tar_out) {
        FILE *f = fopen(tar_out, "wb");
        fwrite(m.buf, 1, m.len, f);
        fclose(f);
    }
    printf("release_files %u\nrelease_bytes %zu\n", FILES, m.len);
    stage(&ram.bd, &m, "1.0.0");
    double install_s;
    boot_measured(&ram.bd, "install", &install_s);
    printf("install_seconds %.4f\n", install_s);
    boot_measured(&ram.bd, "trial_boot", NULL);
    { /* confirm, then a normal boot */
        struct sdb_fat_vol vol;
        struct sdb_fio_fat fio;
        sdb_fat_mount(&vol, &ram.bd, false);
        sdb_fio_fat_init(&fio, &vol);
        sdboot_confirm(&fio.fio);
        sdb_fat_unmount(&vol);
    }
    boot_measured(&ram.bd, "confirm_boot", NULL);
    boot_measured(&ram.bd, "normal_boot", NULL);
    build(&m, 20, 2); /* an update that changes 20 files (main.py, lib/...) */
    size_t update_len = m.len;
    stage(&ram.bd, &m, "1.1.0");
    boot_measured(&ram.bd, "update", NULL);
    printf("update_archive_bytes %zu\nupdate_changed_files 20\n", update_len);
    for (int i = 0; i < 3; i++)
        boot_measured(&ram.bd, "trial", NULL);
    boot_measured(&ram.bd, "rollback", NULL);
    /* SHA-256 speed over the archive bytes */
    struct sdb_sha256 h;
    uint8_t d[32];
    double t0 = now();
    for (int i = 0; i < 16; i++) {
        sdb_sha256_init(&h);
        sdb_sha256_update(&h, m.buf, m.len);
        sdb_sha256_finish(&h, d);
    }
    printf("sha256_mb_per_s %.1f\n", 16.0 * m.len / (now() - t0) / 1e6);
    free(card);
    free(m.buf);
    return 0;
}
