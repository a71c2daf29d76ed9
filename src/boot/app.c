/*
 * Application side of the boot engine: read the state and confirm the running
 * release through the platform's file system (fileio.h). The application never
 * writes the state records; it writes one confirm record that the bootloader
 * folds into its state at the next boot.
 */
#include <string.h>
#include "boot_internal.h"
#include "sdboot/record.h"
#include "sdboot/release.h"

static int fio_reader(void *ctx, const char *path, uint8_t *buf, size_t cap, size_t *got)
{
    const sdb_fileio_t *fio = ctx;
    void *f;
    int err = fio->open(fio->ctx, path, SDB_FIO_READ, &f);
    if (err)
        return err;
    err = fio->read(fio->ctx, f, buf, cap, got);
    int cerr = fio->close(fio->ctx, f);
    return err ? err : cerr;
}

int sdboot_app_state(const sdb_fileio_t *fio, struct sdboot_state *st)
{
    int err[2];
    uint8_t slot;
    int rc = state_read_pair(fio_reader, (void *)fio, st, &slot, err);
    if (rc == SDBOOT_ESTATE && err[0] == SDB_FIO_ENOENT && err[1] == SDB_FIO_ENOENT)
        return SDB_FIO_ENOENT;
    return rc;
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
