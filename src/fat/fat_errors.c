/* Messages for the FAT driver's error codes (fat.h). */
#include <stddef.h>
#include "sdboot/fat.h"

const char *sdb_fat_strerror(int err)
{
    switch (err) {
    case SDB_FAT_ENOFS:
        return "no FAT file system";
    case SDB_FAT_ECORRUPT:
        return "file system structure is corrupt";
    case SDB_FAT_ENOENT:
        return "no such file or directory";
    case SDB_FAT_EEXIST:
        return "file exists";
    case SDB_FAT_ENOTDIR:
        return "not a directory";
    case SDB_FAT_EISDIR:
        return "is a directory";
    case SDB_FAT_ENOTEMPTY:
        return "directory not empty";
    case SDB_FAT_ENOSPC:
        return "no space left on the card";
    case SDB_FAT_EDIRFULL:
        return "root directory full";
    case SDB_FAT_ENAME:
        return "invalid file name";
    case SDB_FAT_EPATH:
        return "path must be absolute and at most 320 bytes";
    case SDB_FAT_EACCES:
        return "access denied (read-only file or wrong open mode)";
    case SDB_FAT_EFBIG:
        return "file too large for FAT";
    case SDB_FAT_EROFS:
        return "volume is mounted read-only";
    case SDB_FAT_ELOOP:
        return "cluster chain or directory cycle";
    case SDB_FAT_ENOFIT:
        return "this FAT type does not fit the card size";
    case SDB_FAT_ENOTINPLACE:
        return "new name does not fit the old entry's slots";
    case SDB_FAT_EALIGN:
        return "offset not sector-aligned or past the end of the file";
    case SDB_FAT_EBUSY:
        return "cannot move or remove the root or a directory into itself";
    case SDB_FAT_EDEPTH:
        return "directories nested too deep";
    case SDB_FAT_EFAT12:
        return "FAT12 volume: this build mounts FAT16 and FAT32 only";
    case SDB_FAT_EBOOTSECT:
        return "FAT boot sector missing or damaged";
    case SDB_FAT_EGEOMETRY:
        return "FAT boot sector does not match the file system on the card";
    case SDB_FAT_EVOLSIZE:
        return "FAT volume is larger than the card (an image copied onto a smaller card?)";
    case SDB_FAT_EMBR:
        return "partition table damaged (a FAT volume lies behind it)";
    default:
        return NULL;
    }
}
