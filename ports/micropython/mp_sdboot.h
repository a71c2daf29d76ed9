/*
 * MicroPython port glue shared by the `sdboot` module's files.
 *
 * The core sees MicroPython objects only through two adapters:
 *  - mp_bd: sdb_bd_t over any object with readblocks/writeblocks/ioctl
 *    (machine.SDCard, a file-backed test device...). Block size must be 512.
 *  - mp_fio: sdb_fileio_t over MicroPython's VFS (open/stat/remove/rename/mkdir),
 *    so the application side writes the card only through the VFS that owns it.
 * Both turn a Python exception into an sdboot code and never let it escape
 * into the core (the core's stack frames must unwind normally).
 */
#ifndef MP_SDBOOT_H
#define MP_SDBOOT_H

#include "py/obj.h"
#include "sdboot/blockdev.h"
#include "sdboot/fileio.h"

#define MP_SDBOOT_ROOT_MAX 32 /* longest mount point kept, including NUL */

struct mp_bd {
    sdb_bd_t bd; /* first: the core casts back */
    mp_obj_t obj;
};

/* Bind `obj`: asks its block count (ioctl 4) and checks the block size
 * (ioctl 5, when answered) is 512. SDB_OK, SDB_BD_EIO or SDB_E_NOTSUP. */
int mp_bd_init(struct mp_bd *d, mp_obj_t obj);

struct mp_fio {
    sdb_fileio_t fio;
    char root[MP_SDBOOT_ROOT_MAX]; /* card mount point, "" for "/" */
};

/* Files of the card mounted at `root` ("/", "/sd", "/card"...). */
void mp_fio_init(struct mp_fio *f, const char *root);

/* The card's files at `root`, or where boot() mounted it when root is None. */
void mp_sdboot_card_files(struct mp_fio *f, mp_obj_t root);

extern const mp_obj_type_t mp_sdboot_ota_type; /* sdboot.OTA (mp_ota.c) */

/* Raise OSError(code, message) for a negative sdboot code. */
NORETURN void mp_sdboot_raise(int err);

#endif
