/*
 * The application format of the bare-metal port and the API the bootloader
 * gives the application it starts.
 *
 * /app/firmware.bin = a 64-byte header + the image (the application's flat
 * binary: its vector table first, then code, read-only and initialised data,
 * all linked to run at load_addr in SRAM, app.ld). mkimage.py writes the
 * header; `sdboot pack` packs the file like any release file.
 *
 * Before the jump the bootloader checks (app_loader.c): magic and header
 * size, the header's CRC-32, that [load_addr, load_addr + image_size) and the
 * initial stack pointer lie in the application's RAM, that entry is a Thumb
 * address inside the image, that the file is exactly header + image, and the
 * SHA-256 of the image as copied to RAM. Any mismatch: the image is not run.
 *
 * All fields little-endian (the CPU's order).
 */
#ifndef SDB_APP_H
#define SDB_APP_H

#include <stdbool.h>
#include <stdint.h>

#define SDB_APP_MAGIC 0x41424453u /* "SDBA" */
#define SDB_APP_HEADER_SIZE 64u
#define SDB_APP_PATH "/app/firmware.bin"

struct sdb_app_header {
    uint32_t magic;
    uint16_t header_size; /* SDB_APP_HEADER_SIZE */
    uint16_t flags;       /* 0 */
    uint32_t load_addr;   /* where the image runs (copied there) */
    uint32_t entry;       /* reset handler, Thumb bit set */
    uint32_t stack;       /* initial main stack pointer */
    uint32_t image_size;  /* bytes after the header */
    uint8_t sha256[32];   /* of the image bytes */
    uint32_t reserved;    /* 0 */
    uint32_t header_crc;  /* CRC-32 (zlib) of the 60 bytes before it */
};
_Static_assert(sizeof(struct sdb_app_header) == SDB_APP_HEADER_SIZE, "header layout");

/* ---- what the bootloader hands over ---- */

#define SDB_APP_API_MAGIC 0x49504153u /* "SAPI" */
#define SDB_APP_API_VERSION 1u
/* At the start of the bootloader's RAM (lm3s6965.ld), which the application
 * leaves alone. */
#define SDB_APP_API_ADDR 0x2000C000u

struct sdb_app_api {
    uint32_t magic;
    uint32_t api_version;
    char version[64]; /* the release the bootloader started (semver, SDB_VERSION_MAX) */
    bool on_trial;    /* not confirmed yet */
    uint8_t trials_used;
    uint8_t trial_max;
    uint8_t event; /* enum sdboot_event of this boot */
    /* Confirm the running release (writes /.sdboot/confirm through the
     * bootloader's FAT driver). 0 or a negative sdboot error code. Runs on
     * the caller's stack and needs about 3.8 KiB of it (the FAT driver's
     * sector and name buffers; measured in QEMU: the example application
     * confirms with a 3,840 B stack, not with 3,776 B): app.ld gives 8 KiB. */
    int (*confirm)(void);
    void (*puts)(const char *s); /* the console */
    void (*halt)(int code);      /* power off (QEMU: exit with code) */
};

static inline const struct sdb_app_api *sdb_app_api(void)
{
    const struct sdb_app_api *api = (const struct sdb_app_api *)SDB_APP_API_ADDR;
    return api->magic == SDB_APP_API_MAGIC && api->api_version == SDB_APP_API_VERSION ? api : 0;
}

#endif
