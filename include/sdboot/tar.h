/*
 * Streaming tar (+gzip) reader that refuses anything dangerous, and a writer.
 *
 * Push parser: feed chunks of any size (1 byte .. megabytes) with
 * sdb_tar_feed(), then sdb_tar_finish(). It never writes anything itself: it
 * emits begin/data/end events for each accepted entry, so the caller decides
 * what reaches the card. Formats: ustar (prefix field), GNU (././@LongLink 'L'),
 * pax ('x' path and size; 'g' global headers are skipped; refused in a build
 * with SDB_TAR_PAX 0), as GNU tar and bsdtar write them. gzip is detected by its magic and inflated
 * by the port's inflate backend (inflate.h) in a caller-supplied arena (no malloc).
 *
 * Safety rules, each with its own code (release.h): absolute path, "..",
 * symlink, hardlink, device, FIFO, unknown type, path into .sdboot/, duplicate
 * path (also equal ignoring case: the card is FAT), backslash, names FAT cannot
 * hold (<>:"|?*, control characters, trailing dot or space, CON/NUL/COM1...),
 * pax size disagreeing with the header, per-file and total size limits, header
 * checksum, truncated archive, non-zero data after the end blocks.
 * "./" prefixes are removed; a bare "./" entry is skipped.
 *
 * RAM: sizeof(struct sdb_tar) 1.9 KiB on Cortex-M (the header block 512 B,
 * the extended-header buffer 1 KiB, the entry with its path 280 B) + the gzip
 * arena (SDB_TAR_GZIP_ARENA, only for .tar.gz; the inflated output's
 * SDB_TAR_ZOUT bytes come from its end) + the caller's optional duplicate
 * table (8 bytes per entry; host tools only, the bootloader passes none). A
 * GNU long name or pax path waits for its entry in the entry's own path
 * buffer. Stack < 1 KiB (begin_entry joins prefix and name: 513 B).
 */
#ifndef SDBOOT_TAR_H
#define SDBOOT_TAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "sdboot/inflate.h"
#include "sdboot/release.h"
#include "sdboot/stage.h"

#define SDB_TAR_PATH_MAX 255
#define SDB_TAR_EXT_MAX 1024                 /* longest pax header / GNU long name kept */
#define SDB_TAR_GZIP_ARENA SDB_INFLATE_ARENA /* the inflate backend's state + window */
/* Inflated output pumped at a time, from the arena's end: whole buffers only
 * (the last excepted), so a file's data reaches the caller in pieces that
 * start on a sector of the tar stream, and many sectors long (the installer
 * writes each piece in one card request). 16 KiB of the 64 KiB arena: zlib's
 * state and 32 KiB window take about 40 KiB of the rest. */
#define SDB_TAR_ZOUT 16384
#define SDB_TAR_RESERVED_DIR (&SDB_DIR[1]) /* ".sdboot": a release may not write there */
/* 1: pax headers ('x' path and size, 'g' skipped) are read, as GNU tar
 * --format=pax and bsdtar write them. 0 (a device whose releases come from
 * `sdboot pack`, which writes GNU long names): an archive with one is refused
 * with SDB_TAR_ETYPE at that header, 0.4 KiB less on Cortex-M4. */
#ifndef SDB_TAR_PAX
#define SDB_TAR_PAX 1
#endif
/* 1: a gzip stream (.tar.gz) is inflated by the port's inflate backend
 * (inflate.h). 0 (a port without inflate, whose backend would refuse every
 * stream anyway: ports/none/inflate_none.c): the reader's gzip glue is left
 * out, no inflate backend is called or needed, and a stream that starts
 * with the gzip magic is refused with SDB_TAR_EGZIP at its second byte,
 * before anything reaches the caller, as the refusing backend does it.
 * Plain .tar reads as always. */
#ifndef SDB_TAR_GZIP
#define SDB_TAR_GZIP 1
#endif
/* 1: sdb_tar_init takes the caller's per-file and total size limits (lim)
 * and its table of names read (names), refusing SDB_TAR_EFILEBIG,
 * SDB_TAR_ETOTALBIG and SDB_TAR_EDUPLICATE with them (the host tools). 0 (a
 * bootloader: the boot engine passes neither, ever; it finds a name given
 * twice in the FAT directory it extracts into, seen.c, and the bare-metal
 * port, 0.2 KiB): both arguments are ignored and their code is left out.
 * The entry count limit (max_entries) and every other rule, each path rule
 * among them, stay. A build that turns it off must have no caller of its
 * own that passes them (the core has none: the OTA client reads no tar). */
#ifndef SDB_TAR_CALLER_CHECKS
#define SDB_TAR_CALLER_CHECKS 1
#endif

enum sdb_tar_type {
    SDB_TAR_FILE = 0,
    SDB_TAR_DIR = 1,
};

struct sdb_tar_entry {
    char path[SDB_TAR_PATH_MAX + 1]; /* normalised: no leading "./", no trailing '/' */
    enum sdb_tar_type type;
    uint64_t size;
    uint32_t mode;
};

struct sdb_tar_ops {
    int (*begin)(void *ctx, const struct sdb_tar_entry *e);
    int (*data)(void *ctx, const uint8_t *buf, size_t len);
    int (*end)(void *ctx);
    void *ctx;
};

struct sdb_tar_limits {
    uint64_t max_file;  /* 0 = no limit */
    uint64_t max_total; /* 0 = no limit */
};

struct sdb_tar {
    const struct sdb_tar_ops *ops;
    struct sdb_tar_limits lim;
    int state;
    int error;
    uint8_t block[512];
    uint32_t fill;
    uint64_t remaining; /* bytes of the current entry's data or extended header */
    uint32_t pad;
    uint8_t ext_kind; /* 'L', 'x', 'g', 'K' while reading an extended header */
    char ext[SDB_TAR_EXT_MAX + 1];
    uint32_t ext_len;
    /* 'L' or 'x' when an extended header named the next entry: the name waits
     * in entry.path (no entry is open between extended headers; a pax path
     * beats a GNU long name, whichever came first). 0: none. */
    uint8_t name_from;
    uint64_t pax_size;
    bool have_pax_size;
    struct sdb_tar_entry entry;
    uint64_t total;
    uint32_t zero_blocks;
    uint32_t entries;
    uint64_t *names; /* FNV-1a hashes of upper-cased paths, for duplicates, or NULL */
    uint32_t max_entries;
    /* gzip */
    uint8_t magic[2];
    uint8_t magic_len;
    bool gzip;
    bool gzip_done;
    uint16_t zout_have;   /* inflated bytes in zout not yet pumped */
    struct sdb_inflate z; /* the port's inflate backend, state inside arena */
    uint8_t *arena;
    size_t arena_len;
    uint8_t *zout; /* SDB_TAR_ZOUT bytes of inflated output: the arena's last */
};

/* Contracts. The reader writes nothing itself (the caller's callbacks do) and
 * keeps no state outside *t, so a power cut loses only the parse in progress;
 * the boot engine re-reads the archive from the card. */

/* max_entries: the most entries an archive may have (SDB_TAR_ETOOMANY past it;
 * SDB_LIMIT_ENTRIES for a release), 0 = no limit. names: a caller table of
 * max_entries hashes to refuse a name given twice (SDB_TAR_EDUPLICATE), or
 * NULL when the caller finds duplicates itself (the bootloader: its FAT
 * directory, see install.c), which costs the reader no RAM per entry.
 * arena: SDB_TAR_GZIP_ARENA bytes for gzip, or NULL to refuse gzip (SDB_TAR_EGZIP).
 * Cannot fail; *t is reset. */
void sdb_tar_init(struct sdb_tar *t, const struct sdb_tar_ops *ops,
                  const struct sdb_tar_limits *lim, uint64_t *names, uint32_t max_entries,
                  uint8_t *arena, size_t arena_len);
/* Feed the next len bytes (any split). SDB_OK, an SDB_TAR_* code for the
 * first rule the archive breaks (release.h lists them; begin is never called
 * for a refused entry), or the first error an event callback returned.
 * After an error every later call returns the same error. */
int sdb_tar_feed(struct sdb_tar *t, const void *data, size_t len);
/* End of input: SDB_OK, SDB_TAR_ETRUNCATED unless the end-of-archive blocks
 * (and the gzip trailer) were seen, or the earlier error. */
int sdb_tar_finish(struct sdb_tar *t);
/* Check one path against the rules (pack runs it before publishing): SDB_OK
 * with the normalised path in out (SDB_TAR_PATH_MAX + 1 bytes) and *skip true
 * for a bare "./", or the SDB_TAR_* code of the rule it breaks. */
int sdb_tar_check_path(const char *raw, char *out, bool *skip);
/* The hash the reader keeps in `names` for each entry it read (FNV-1a of the
 * normalised path, ASCII case folded): the boot's ownership looks names up by it. */
uint64_t sdb_tar_name_hash(const char *path);

/* ---- writer (host: sdboot pack) ---- */
struct sdb_tar_writer {
    int (*out)(void *ctx, const void *data, size_t len);
    void *ctx;
    uint64_t mtime;
    uint64_t written;
    uint64_t entry_left;
};
/* Host side. Each returns SDB_OK, its own code below, or the first error of
 * w->out (what was emitted before it stays emitted). */
/* Start an entry (pads the previous one); GNU long name past 99 bytes.
 * SDB_TAR_EPATHLEN for a path longer than SDB_TAR_PATH_MAX. */
int sdb_tar_write_header(struct sdb_tar_writer *w, const char *path, enum sdb_tar_type type,
                         uint64_t size, uint32_t mode);
/* Data of the current entry; SDB_TAR_ESIZE past its declared size. */
int sdb_tar_write_data(struct sdb_tar_writer *w, const void *data, size_t len);
/* Pad the last entry, two zero blocks, pad to a 10 KiB record.
 * SDB_TAR_ETRUNCATED when the last entry got less data than declared. */
int sdb_tar_write_end(struct sdb_tar_writer *w);

/* An archive built in memory: set .out = sdb_tar_mem_out, .ctx = &mem, with
 * mem.buf/mem.cap the caller's buffer and mem.len 0. SDB_E_BUFSIZE when the
 * archive outgrows it (nothing past cap is written). */
struct sdb_tar_mem {
    uint8_t *buf;
    size_t cap, len;
};
int sdb_tar_mem_out(void *ctx, const void *data, size_t len);

#endif
