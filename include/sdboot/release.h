/*
 * Release layer error codes (-96 .. -223), shared by the manifest, SemVer,
 * hash, signature, tar and staging-record code. Each rule has its own code so
 * a device can say exactly why it refused a release.
 */
#ifndef SDBOOT_RELEASE_H
#define SDBOOT_RELEASE_H

#include "sdboot/error.h"

enum sdb_release_err {
    /* versions manifest */
    SDB_MF_ETOOBIG = -96,    /* manifest larger than SDB_MANIFEST_MAX */
    SDB_MF_ELINE = -97,      /* a line longer than SDB_MANIFEST_LINE_MAX */
    SDB_MF_EFIELDS = -98,    /* fewer than three fields (version;file;sha1) */
    SDB_MF_EVERSION = -99,   /* version is not SemVer 2.0 */
    SDB_MF_EFILENAME = -100, /* file name empty, too long, or has '/', '\\', ".." */
    SDB_MF_ESHA1 = -101,     /* sha1 is not 40 hex digits */
    SDB_MF_ESHA256 = -102,   /* sha256= is not 64 hex digits */
    SDB_MF_ESIZE = -103,     /* size= is not a decimal number */
    SDB_MF_EKEY = -104,      /* unknown or malformed key=value field */
    SDB_MF_EEMPTY = -105,    /* no release line */
    SDB_MF_EORDER = -106,    /* versions do not increase from line to line */
    SDB_MF_EDUPKEY = -107,   /* the same key twice on one line */
    SDB_MF_EBOARD = -108,    /* board= empty, too long or with odd characters */
    SDB_MF_ECHARS = -109,    /* NUL or control character */
    SDB_MF_EINDEX = -163,    /* index= is not 64 hex digits */
    /* SemVer and update policy */
    SDB_SEMVER_EINVAL = -110, /* not a SemVer 2.0 version */
    SDB_POLICY_EOLDER = -111, /* offered version is not newer than the installed one */
    SDB_POLICY_EBOARD = -112, /* release is for another board */
    /* signatures */
    SDB_SIG_EKEY = -113,      /* public or private key unreadable or not ECDSA P-256 */
    SDB_SIG_EBAD = -114,      /* signature does not verify with any trusted key */
    SDB_SIG_EFORMAT = -115,   /* signature is not DER ECDSA */
    SDB_SIG_EMISSING = -116,  /* keys are configured but the manifest is unsigned */
    SDB_SIG_EUNSIGNED = -117, /* unsigned manifest and allow_unsigned is not set */
    SDB_SIG_ESIGN = -118,     /* signing failed (host) */
    /* hashes and sizes */
    SDB_HASH_EMISMATCH = -119,    /* content hash differs from the manifest's */
    SDB_SIZE_EMISMATCH = -120,    /* content size differs from the manifest's */
    SDB_HASH_EBACKEND = -121,     /* the hash library failed */
    SDB_ENTRIES_EMISMATCH = -122, /* entry count differs from the manifest's entries= */
    SDB_MF_EENTRIES = -123,       /* entries= is not a decimal number below 2^32 */
    /* tar */
    SDB_TAR_ECHECKSUM = -130,  /* header checksum wrong */
    SDB_TAR_EABSOLUTE = -131,  /* absolute path */
    SDB_TAR_EDOTDOT = -132,    /* ".." path component */
    SDB_TAR_ESYMLINK = -133,   /* symbolic link */
    SDB_TAR_EHARDLINK = -134,  /* hard link */
    SDB_TAR_EDEVICE = -135,    /* character or block device */
    SDB_TAR_EFIFO = -136,      /* FIFO */
    SDB_TAR_ERESERVED = -137,  /* path into .sdboot/ (the bootloader's own) */
    SDB_TAR_EDUPLICATE = -138, /* same path twice, also when equal ignoring case */
    SDB_TAR_EFATNAME = -139,   /* a name FAT cannot hold */
    SDB_TAR_EBACKSLASH = -140, /* backslash in a path */
    SDB_TAR_ESIZE = -141,      /* pax/GNU size disagrees with the header */
    SDB_TAR_EFILEBIG = -142,   /* a file above the per-file limit */
    SDB_TAR_ETOTALBIG = -143,  /* release above the total limit */
    SDB_TAR_ETRUNCATED = -144, /* archive ends early (no end-of-archive blocks) */
    SDB_TAR_ETRAILING = -145,  /* data after the end of the archive */
    SDB_TAR_EPATHLEN = -146,   /* path longer than SDB_TAR_PATH_MAX */
    SDB_TAR_ETYPE = -147,      /* entry type this reader does not accept */
    SDB_TAR_EPAX = -148,       /* malformed pax extended header */
    SDB_TAR_EGZIP = -149,      /* corrupt gzip stream */
    SDB_TAR_ETOOMANY = -150,   /* more entries than SDB_LIMIT_ENTRIES (limits.h) */
    SDB_TAR_EHEADER = -151,    /* bad magic or numeric field */
    SDB_TAR_EEMPTYNAME = -152, /* empty path */
    SDB_TAR_EDONE = -153,      /* data fed after the archive was finished */
    /* staging records */
    SDB_STAGE_EMAGIC = -160, /* not a staging/confirm record */
    SDB_STAGE_ECRC = -161,   /* record CRC wrong (torn or damaged) */
    SDB_STAGE_EFIELD = -162, /* a record field is not NUL-terminated or out of range */
    /* per-file index (index.h) */
    SDB_IDX_EFORMAT = -170,    /* malformed index line */
    SDB_IDX_ETOOBIG = -171,    /* index larger than this device's limits (bytes or entries) */
    SDB_IDX_EORDER = -172,     /* paths not strictly increasing, or pieces out of sequence */
    SDB_IDX_EOFFSET = -173,    /* a piece's offset disagrees with the tar */
    SDB_IDX_ESIZE = -174,      /* a file's size disagrees with the tar */
    SDB_IDX_EHASH = -175,      /* bytes of a piece do not match the index's SHA-256 */
    SDB_IDX_EPATH = -176,      /* a path or entry of the index is not the tar's */
    SDB_IDX_ETRUNCATED = -177, /* the index ends before the tar does */
    SDB_IDX_EMISMATCH = -178,  /* the index's own SHA-256 is not the signed one */
};

#endif
