/* Messages for the release layer's error codes (release.h). */
#include <stddef.h>
#include "sdboot/limits.h"
#include "sdboot/release.h"

const char *sdb_release_strerror(int err)
{
    switch (err) {
    case SDB_IDX_EFORMAT:
        return "index: malformed line";
    case SDB_IDX_ETOOBIG:
        return "index: larger than this device's limits";
    case SDB_IDX_EORDER:
        return "index: entries out of order";
    case SDB_IDX_EOFFSET:
        return "index: offset disagrees with the tar";
    case SDB_IDX_ESIZE:
        return "index: file size disagrees with the tar";
    case SDB_IDX_EHASH:
        return "index: bytes do not match the index's SHA-256";
    case SDB_IDX_EPATH:
        return "index: entry is not the tar's";
    case SDB_IDX_ETRUNCATED:
        return "index: ends before the tar does";
    case SDB_IDX_EMISMATCH:
        return "index: SHA-256 of the index is not the signed one";
    case SDB_MF_ETOOBIG:
        return "versions manifest too large";
    case SDB_MF_ELINE:
        return "versions: line too long";
    case SDB_MF_EFIELDS:
        return "versions: a line needs version;file;sha1";
    case SDB_MF_EVERSION:
        return "versions: version is not SemVer 2.0";
    case SDB_MF_EFILENAME:
        return "versions: bad file name";
    case SDB_MF_ESHA1:
        return "versions: sha1 must be 40 hex digits";
    case SDB_MF_ESHA256:
        return "versions: sha256= must be 64 hex digits";
    case SDB_MF_ESIZE:
        return "versions: size= must be a decimal number";
    case SDB_MF_EKEY:
        return "versions: unknown or malformed key=value field";
    case SDB_MF_EINDEX:
        return "versions: index= must be 64 hex digits";
    case SDB_MF_EEMPTY:
        return "versions: no release line";
    case SDB_MF_EORDER:
        return "versions: versions must increase from line to line";
    case SDB_MF_EDUPKEY:
        return "versions: the same key twice on a line";
    case SDB_MF_EBOARD:
        return "versions: bad board= id";
    case SDB_MF_ECHARS:
        return "versions: control character";
    case SDB_SEMVER_EINVAL:
        return "not a SemVer 2.0 version";
    case SDB_POLICY_EOLDER:
        return "offered version is not newer than the installed one";
    case SDB_POLICY_EBOARD:
        return "release is for another board";
    case SDB_SIG_EKEY:
        return "key unreadable or not ECDSA P-256";
    case SDB_SIG_EBAD:
        return "signature does not verify with any trusted key";
    case SDB_SIG_EFORMAT:
        return "signature is not a DER ECDSA signature";
    case SDB_SIG_EMISSING:
        return "manifest is not signed but a public key is configured";
    case SDB_SIG_EUNSIGNED:
        return "manifest is not signed and unsigned releases are not allowed";
    case SDB_SIG_ESIGN:
        return "signing failed";
    case SDB_HASH_EMISMATCH:
        return "hash does not match the manifest";
    case SDB_SIZE_EMISMATCH:
        return "size does not match the manifest";
    case SDB_HASH_EBACKEND:
        return "hash library failed";
    case SDB_TAR_ECHECKSUM:
        return "tar: header checksum wrong";
    case SDB_TAR_EABSOLUTE:
        return "tar: absolute path";
    case SDB_TAR_EDOTDOT:
        return "tar: '..' in a path";
    case SDB_TAR_ESYMLINK:
        return "tar: symbolic link";
    case SDB_TAR_EHARDLINK:
        return "tar: hard link";
    case SDB_TAR_EDEVICE:
        return "tar: device entry";
    case SDB_TAR_EFIFO:
        return "tar: FIFO entry";
    case SDB_TAR_ERESERVED:
        return "tar: path into .sdboot/ is reserved for the bootloader";
    case SDB_TAR_EDUPLICATE:
        return "tar: duplicate path (names equal ignoring case collide on FAT)";
    case SDB_TAR_EFATNAME:
        return "tar: a name FAT cannot hold";
    case SDB_TAR_EBACKSLASH:
        return "tar: backslash in a path";
    case SDB_TAR_ESIZE:
        return "tar: pax size disagrees with the header";
    case SDB_TAR_EFILEBIG:
        return "tar: file larger than the limit";
    case SDB_TAR_ETOTALBIG:
        return "tar: release larger than the limit";
    case SDB_TAR_ETRUNCATED:
        return "tar: archive is truncated";
    case SDB_TAR_ETRAILING:
        return "tar: data after the end of the archive";
    case SDB_TAR_EPATHLEN:
        return "tar: path longer than 255 bytes";
    case SDB_TAR_ETYPE:
        return "tar: entry type not accepted";
    case SDB_TAR_EPAX:
        return "tar: malformed pax header";
    case SDB_TAR_EGZIP:
        return "tar: corrupt gzip stream";
    case SDB_ENTRIES_EMISMATCH:
        return "entry count differs from the manifest's";
    case SDB_MF_EENTRIES:
        return "versions: entries= is not a decimal number";
    case SDB_TAR_ETOOMANY:
        return "release has more than " SDB_LIMIT_STR(
            SDB_LIMIT_ENTRIES) " entries "
                               "(files + directories), the limit of sdboot/limits.h";
    case SDB_TAR_EHEADER:
        return "tar: bad header";
    case SDB_TAR_EEMPTYNAME:
        return "tar: empty path";
    case SDB_TAR_EDONE:
        return "tar: data after the archive was finished";
    case SDB_STAGE_EMAGIC:
        return "staging record: wrong magic";
    case SDB_STAGE_ECRC:
        return "staging record: CRC mismatch (torn or damaged)";
    case SDB_STAGE_EFIELD:
        return "staging record: bad field";
    default:
        return NULL;
    }
}
