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

int sdboot_app_state(const sdb_fileio_t *fio, struct sdboot_state *st)
{
    int err[2];
    uint8_t slot;
    int rc = state_read_pair(sdb_record_fio_reader, (void *)fio, st, &slot, err);
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
    COPY_STR(rec.version, st.installed); /* the encoder copies up to the 0 */
    uint8_t buf[SDB_RECORD_SIZE];
    if ((err = sdb_confirm_record_encode(&rec, buf)))
        return err;
    /* The empty file first, made durable by the close's sync: a cut of the
     * record's write then always leaves the file, short or whole, and the
     * bootloader checks the card when it finds it short (boot.c). */
    void *f;
    if ((err = fio->open(fio->ctx, SDB_CONFIRM, SDB_FIO_CREATE, &f)) ||
        (err = fio->close(fio->ctx, f)))
        return err;
    return sdb_record_write_fio(fio, SDB_CONFIRM, buf);
}
