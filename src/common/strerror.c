/*
 * sdb_strerror: routes a code to the layer that owns its range (see error.h).
 *
 * Built with SDB_ERROR_MESSAGES 0 (the bare-metal bootloader) it still holds
 * the common codes' messages and the file interface's (the port's range:
 * what a port prints, e.g. "operation not supported" on the bare-metal
 * console), the hook for a port's own lookup, the range dispatch and the
 * "LAYER error CODE" text for everything else: about 0.5 KiB on Cortex-M3.
 */
#include <string.h>
#include "sdboot/error.h"
#include "sdboot/fileio.h"

const char *sdb_common_strerror(int err)
{
    switch (err) {
    case SDB_OK:
        return "ok";
    case SDB_E_INVAL:
        return "invalid argument";
    case SDB_E_BUFSIZE:
        return "buffer too small";
    case SDB_E_INTERNAL:
        return "internal consistency check failed";
    case SDB_E_NOTSUP:
        return "operation not supported";
    default:
        return NULL;
    }
}

/* The port range: the fileio codes every port shares here; a port's own
 * codes through the lookup it registered (sdb_strerror_set_port). */
static const char *(*port_lookup)(int err);

void sdb_strerror_set_port(const char *(*lookup)(int err))
{
    port_lookup = lookup;
}

static const char *port_strerror(int err)
{
    switch (err) {
    case SDB_FIO_ENOENT:
        return "no such file or directory";
    case SDB_FIO_EIO:
        return "file system error";
    case SDB_FIO_ENOSPC:
        return "no space left on card";
    case SDB_FIO_EEXIST:
        return "file exists";
    default:
        return port_lookup ? port_lookup(err) : NULL;
    }
}

#if SDB_ERROR_MESSAGES
#define MESSAGE(lookup, err) lookup(err)
#else /* codes only: the FAT, release, boot and OTA tables stay out of the link */
#define MESSAGE(lookup, err) NULL
#endif

/* "LAYER error CODE", written backwards from the end of buf: by hand, so
 * that a port needs no formatter (sdb_fmt stays out of a bootloader that
 * uses none). */
static const char *code_text(char *end, const char *layer, int err)
{
    static const char error[] = " error ";
    unsigned v = err < 0 ? 0u - (unsigned)err : (unsigned)err;
    char *p = end;
    *--p = '\0';
    do
        *--p = (char)('0' + v % 10);
    while (v /= 10);
    if (err < 0)
        *--p = '-';
    p -= sizeof error - 1;
    memcpy(p, error, sizeof error - 1);
    size_t n = strlen(layer);
    return memcpy(p - n, layer, n);
}

const char *sdb_strerror(int err)
{
    static char unknown[32]; /* codes only, or a code no layer owns (a bug elsewhere) */
    const char *msg = NULL, *layer = "unknown";

    if (err <= 0 && err >= SDB_ERR_COMMON_MIN)
        msg = sdb_common_strerror(err);
    else if (err >= SDB_ERR_BD_MIN)
        msg = sdb_bd_strerror(err);
    else if (err >= SDB_ERR_FAT_MIN)
        msg = MESSAGE(sdb_fat_strerror, err), layer = "FAT";
    else if (err >= SDB_ERR_REL_MIN)
        msg = MESSAGE(sdb_release_strerror, err), layer = "release";
    else if (err >= SDB_ERR_BOOT_MIN)
        msg = MESSAGE(sdb_boot_strerror, err), layer = "boot";
    else if (err >= SDB_ERR_OTA_MIN)
        msg = MESSAGE(sdb_ota_strerror, err), layer = "OTA";
    else if (err >= SDB_ERR_PORT_MIN)
        msg = port_strerror(err);
    if (msg)
        return msg;
    return code_text(unknown + sizeof unknown, layer, err);
}
