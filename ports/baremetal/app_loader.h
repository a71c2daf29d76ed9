/*
 * Loading the application image (sdb_app.h) from the card into SRAM and
 * starting it. The port hook of the bare-metal bootloader: on a part that
 * runs its application from internal flash, this is where the image would be
 * programmed instead of copied.
 *
 * RAM: the header (64 bytes) and a SHA-256 context on the stack; the image is
 * read straight into its load address. Power loss: only reads the card.
 */
#ifndef SDB_APP_LOADER_H
#define SDB_APP_LOADER_H

#include <stdint.h>
#include "sdb_app.h"
#include "sdboot/fat.h"

enum sdb_app_err {
    SDB_APP_ENOFILE = -420, /* /app/firmware.bin is missing or unreadable */
    SDB_APP_EHEADER = -421, /* bad magic, header size or header CRC */
    SDB_APP_ELAYOUT = -422, /* load address, entry or stack outside the application's RAM */
    SDB_APP_ESIZE = -423,   /* the file is not exactly header + image */
    SDB_APP_EHASH = -424,   /* the image's SHA-256 does not match the header */
};

/* Read and check the image; on SDB_OK it sits at hdr->load_addr. The
 * application's RAM is [ram_lo, ram_hi). */
int sdb_app_load(struct sdb_fat_vol *vol, uint32_t ram_lo, uint32_t ram_hi,
                 struct sdb_app_header *hdr);
const char *sdb_app_strerror(int err);

/* Vector table, stack pointer, jump: never returns. */
__attribute__((noreturn)) void sdb_app_start(const struct sdb_app_header *hdr);

#endif
