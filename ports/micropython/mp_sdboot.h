/*
 * MicroPython port glue shared by the `sdboot` module's files.
 *
 * The core sees MicroPython objects only through two adapters:
 *  - mp_bd: sdb_bd_t over any object with readblocks/writeblocks/ioctl
 *    (machine.SDCard, a file-backed test device...). Block size must be 512.
 *  - mp_fio: sdb_fileio_t over MicroPython's VFS (open/stat/remove/rename/mkdir),
 *    so the application side writes the card only through the VFS that owns it.
 * Neither lets a Python exception escape into the core (its stack frames must
 * unwind normally). mp_fio turns a VFS exception into an sdboot code. mp_bd
 * keeps the first exception a user block device raised, fails every later
 * call without calling Python (so nothing more is read or written after it),
 * and boot() raises that same exception once the core has returned.
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
    mp_obj_t exc; /* first exception the device raised, MP_OBJ_NULL if none */
};

/* Bind `obj`: TypeError unless it has readblocks, writeblocks and ioctl.
 * Brings it up (ioctl 1), asks its block count (ioctl 4, any size: a card
 * beyond FAT's 2^32 - 1 sectors is used up to there) and checks the block
 * size (ioctl 5, when answered) is 512. SDB_OK, SDB_BD_ENOMEDIUM (refused
 * INIT, no blocks), SDB_BD_EIO or SDB_E_NOTSUP; d->exc set if it raised. */
int mp_bd_init(struct mp_bd *d, mp_obj_t obj);

/* Raise the exception the device raised, unchanged, if it raised one. */
void mp_bd_raise_pending(const struct mp_bd *d);

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
