/* Host card: image file + fault wrapper (see host.h). */
#include <string.h>
#include "sdboot/host.h"

int sdb_host_card_open(struct sdb_host_card *card, const char *image,
                       const struct sdb_host_card_opts *opts)
{
    static const struct sdb_host_card_opts none;
    const struct sdb_host_card_opts *o = opts ? opts : &none;
    memset(card, 0, sizeof *card);
    card->file.fd = -1;
    int err = sdb_bd_file_open(&card->file, image, o->read_only);
    if (err)
        return err;
    sdb_bd_fault_init(&card->fault, &card->file.bd);
    card->fault.no_medium = o->no_card;
    card->fault.write_protect = o->read_only;
    if (o->power_cut_after) {
        struct sdb_fault_case cut = {.at = o->power_cut_after + 1, .tear = o->tear};
        sdb_bd_fault_set_cut(&card->fault, &cut);
    }
    card->bd = &card->fault.bd;
    return SDB_OK;
}

bool sdb_host_card_power_failed(const struct sdb_host_card *card)
{
    return card->fault.powered_off;
}

int sdb_host_card_close(struct sdb_host_card *card)
{
    return sdb_bd_file_close(&card->file);
}
