/*
 * Application side of the boot engine: read the state and confirm the running
 * release through the platform's file system (fileio.h). The application never
 * writes the state records; it writes one confirm record that the bootloader
 * folds into its state at the next boot.
 */
#include <string.h>
#include "boot_internal.h"
#include "sdboot/release.h"

static int read_sector(const sdb_fileio_t *fio, const char *path, uint8_t buf[SDB_RECORD_SIZE])
{
    void *f;
    size_t got = 0;
    int err = fio->open(fio->ctx, path, SDB_FIO_READ, &f);
    if (err)
        return err;
    err = fio->read(fio->ctx, f, buf, SDB_RECORD_SIZE, &got);
    int cerr = fio->close(fio->ctx, f);
    if (err || cerr)
        return err ? err : cerr;
    return got == SDB_RECORD_SIZE ? SDB_OK : SDB_STAGE_EFIELD;
}

int sdboot_app_state(const sdb_fileio_t *fio, struct sdboot_state *st)
{
    uint8_t buf[SDB_RECORD_SIZE];
    struct sdboot_state a, b;
    int ea = read_sector(fio, STATE_A, buf);
    if (!ea)
        ea = sdboot_state_decode(buf, &a);
    int eb = read_sector(fio, STATE_B, buf);
    if (!eb)
        eb = sdboot_state_decode(buf, &b);
    if (ea && eb)
        return ea == SDB_FIO_ENOENT && eb == SDB_FIO_ENOENT ? SDB_FIO_ENOENT : SDBOOT_ESTATE;
    *st = ea || (!eb && b.seq > a.seq) ? b : a;
    return SDB_OK;
}

int sdboot_confirm(const sdb_fileio_t *fio)
{
    struct sdboot_state st;
    int err = sdboot_app_state(fio, &st);
    if (err)
        return err;
    struct sdb_confirm_record rec;
    memcpy(rec.version, st.installed, SDB_VERSION_MAX);
    uint8_t buf[SDB_RECORD_SIZE];
    if ((err = sdb_confirm_record_encode(&rec, buf)))
        return err;
    void *f;
    if ((err = fio->open(fio->ctx, SDB_CONFIRM, SDB_FIO_CREATE, &f)))
        return err;
    err = fio->write(fio->ctx, f, buf, sizeof buf);
    int cerr = fio->close(fio->ctx, f);
    return err ? err : cerr;
}
