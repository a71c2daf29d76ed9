/*
 * sdboot error codes: one scheme for every layer.
 *
 * Every function that can fail returns an int: SDB_OK (0) or a negative code.
 * Each layer owns one range, defined in its own header, so a code alone tells
 * where a failure came from and sdb_strerror() can always name it:
 *
 *   common    -1 ..  -15   (this file)
 *   blockdev -16 ..  -31   (blockdev.h)
 *   fat      -32 ..  -95   (fat.h)
 *   release  -96 .. -223   (release.h, tar.h, manifest.h, ...)
 *   boot    -224 .. -287   (boot.h)
 *   ota     -288 .. -383   (ota.h, transport.h)
 *   port    -384 .. -447   (the ports' own headers)
 *
 * Invariant 5 (docs/design.md): every error reaches the caller as a distinct
 * code with a human-readable message; nothing is silently ignored.
 *
 * SDB_ERROR_MESSAGES (default 1): 0 builds a device that reports codes only
 * for the FAT, release, boot and OTA layers ("FAT error -40"; `sdboot error
 * -40` on the host names it), leaving their message tables (about 5 KiB) out
 * of the link. Common, block-device and port codes keep their messages. The
 * bare-metal bootloader is built so (ports/baremetal/CMakeLists.txt).
 */
#ifndef SDBOOT_ERROR_H
#define SDBOOT_ERROR_H

#define SDB_OK 0

#ifndef SDB_ERROR_MESSAGES
#define SDB_ERROR_MESSAGES 1
#endif

enum sdb_common_err {
    SDB_E_INVAL = -1,    /* invalid argument (a caller bug, not bad input) */
    SDB_E_BUFSIZE = -2,  /* caller-supplied buffer too small */
    SDB_E_INTERNAL = -3, /* an internal consistency check failed */
    SDB_E_NOTSUP = -4,   /* operation not supported by this build or device */
};

#define SDB_ERR_COMMON_MIN (-15)
#define SDB_ERR_BD_MIN (-31)
#define SDB_ERR_FAT_MIN (-95)
#define SDB_ERR_REL_MIN (-223)
#define SDB_ERR_BOOT_MIN (-287)
#define SDB_ERR_OTA_MIN (-383)
#define SDB_ERR_PORT_MIN (-447)

/* Message for any code of any layer; never NULL ("unknown error -N" for strangers).
 * Linked from sdb_common, which depends on every layer. */
const char *sdb_strerror(int err);

/* A port with codes of its own in the port range names them through this
 * lookup (NULL for a code that is not its own). Set once at start-up, before
 * any thread could call sdb_strerror; NULL removes it. */
void sdb_strerror_set_port(const char *(*lookup)(int err));

/* Per-layer lookups: return NULL when the code is not theirs. */
const char *sdb_common_strerror(int err);
const char *sdb_bd_strerror(int err);
const char *sdb_fat_strerror(int err);
const char *sdb_release_strerror(int err);
const char *sdb_boot_strerror(int err);
const char *sdb_ota_strerror(int err);

#endif
