/* Application image: read, check, start (contract in app_loader.h). */
#include <stddef.h>
#include <string.h>
#include "app_loader.h"
#include "lm3s6965.h"
#include "sdboot/crc32.h"
#include "sdboot/hash.h"

/* The header is read straight into *hdr: its fields are the file's bytes on
 * this little-endian core (sdb_app.h asserts the layout). */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the header is little-endian");
static int check_header(const struct sdb_app_header *hdr, uint32_t ram_lo, uint32_t ram_hi)
{
    if (hdr->magic != SDB_APP_MAGIC || hdr->header_size != SDB_APP_HEADER_SIZE ||
        sdb_crc32(0, hdr, offsetof(struct sdb_app_header, header_crc)) != hdr->header_crc)
        return SDB_APP_EHEADER;
    uint32_t lo = hdr->load_addr, size = hdr->image_size;
    if (lo < ram_lo || lo >= ram_hi || size < 8 || size > ram_hi - lo || (lo & 0x7F))
        return SDB_APP_ELAYOUT; /* VTOR needs 128-byte alignment */
    uint32_t entry = hdr->entry & ~1u;
    if (!(hdr->entry & 1u) || entry < lo || entry >= lo + size)
        return SDB_APP_ELAYOUT;
    if (hdr->stack <= ram_lo || hdr->stack > ram_hi || (hdr->stack & 7u))
        return SDB_APP_ELAYOUT;
    return SDB_OK;
}

static int verify_image(const struct sdb_app_header *hdr)
{
    struct sdb_sha256 h;
    uint8_t digest[SDB_SHA256_LEN];
    int err = sdb_sha256_init(&h);
    int uerr = err ? err : sdb_sha256_update(&h, (const void *)hdr->load_addr, hdr->image_size);
    int ferr = sdb_sha256_finish(&h, digest);
    if (err || uerr || ferr)
        return err ? err : uerr ? uerr : ferr;
    return memcmp(digest, hdr->sha256, sizeof digest) ? SDB_APP_EHASH : SDB_OK;
}

int sdb_app_load(struct sdb_fat_vol *vol, uint32_t ram_lo, uint32_t ram_hi,
                 struct sdb_app_header *hdr)
{
    struct sdb_fat_file f;
    uint32_t got = 0;
    int err = sdb_fat_open(vol, &f, SDB_APP_PATH, SDB_FAT_READ);
    if (err)
        return err == SDB_FAT_ENOENT ? SDB_APP_ENOFILE : err;
    err = sdb_fat_read(&f, hdr, sizeof *hdr, &got);
    if (!err && got != sizeof *hdr)
        err = SDB_APP_EHEADER;
    if (!err)
        err = check_header(hdr, ram_lo, ram_hi);
    if (!err && sdb_fat_size(&f) != SDB_APP_HEADER_SIZE + hdr->image_size)
        err = SDB_APP_ESIZE;
    if (!err)
        err = sdb_fat_read(&f, (void *)hdr->load_addr, hdr->image_size, &got);
    if (!err && got != hdr->image_size)
        err = SDB_APP_ESIZE;
    int cerr = sdb_fat_close(&f);
    if (!err)
        err = cerr ? cerr : verify_image(hdr);
    return err;
}

const char *sdb_app_strerror(int err)
{
    switch (err) {
    case SDB_APP_ENOFILE:
        return "no " SDB_APP_PATH " on the card";
    case SDB_APP_EHEADER:
        return "application header damaged (magic, size or CRC)";
    case SDB_APP_ELAYOUT:
        return "application does not fit its RAM (load address, entry or stack)";
    case SDB_APP_ESIZE:
        return "application file size does not match its header";
    case SDB_APP_EHASH:
        return "application image fails its SHA-256";
    }
    return NULL;
}

void sdb_app_start(const struct sdb_app_header *hdr)
{
    SCB_VTOR = hdr->load_addr;
    __asm__ volatile("dsb\n\tisb\n\t"
                     "msr msp, %0\n\t"
                     "bx %1\n\t"
                     :
                     : "r"(hdr->stack), "r"(hdr->entry)
                     : "memory");
    __builtin_unreachable();
}
