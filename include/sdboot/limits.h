/*
 * The limits of a release, in one place. Every tool that accepts a release
 * checks these same numbers and refuses with the same code and message, so a
 * release the bootloader would refuse is refused before it reaches a device:
 *   sdboot pack    while collecting the files (SDB_TAR_ETOOMANY);
 *   sdboot verify  and inspect, reading the archive;
 *   sim stage and the OTA client, before writing a byte, from the manifest
 *                  line's entries= and size= (sdboot_stage_check);
 *   the bootloader, reading the archive it installs (tar reader).
 * Paths need no limit of their own: SDB_TAR_PATH_MAX fits below the
 * bootloader's extraction directory (checked in install.c).
 */
#ifndef SDBOOT_LIMITS_H
#define SDBOOT_LIMITS_H

/* Entries (files + directories) of one release. The bootloader keeps no RAM
 * per entry (duplicates are found in the FAT directory it extracts into), so
 * this is a limit on work, not on memory. */
#define SDB_LIMIT_ENTRIES 2048
/* Largest release accepted from a seed manifest that names no size. */
#define SDB_LIMIT_UNSIZED_BYTES (64ull << 20)

#define SDB_LIMIT_STR_(x) #x
#define SDB_LIMIT_STR(x) SDB_LIMIT_STR_(x)

#endif
