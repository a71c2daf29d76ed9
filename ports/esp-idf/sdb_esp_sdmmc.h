/* Internal: the SDMMC card as a block device (sdb_esp_sdmmc.c). */
#ifndef SDB_ESP_SDMMC_H
#define SDB_ESP_SDMMC_H

#include <stdbool.h>
#include "driver/sdmmc_host.h"
#include "sdboot/blockdev.h"
#include "sdboot_esp.h"

struct sdb_esp_card {
    sdb_bd_t bd; /* first: the core casts back */
    sdmmc_card_t card;
    bool open;
};

/* Host + slot configuration from cfg (also used to mount with esp_vfs_fat). */
void sdb_esp_card_slot(const sdboot_esp_config_t *cfg, sdmmc_host_t *host,
                       sdmmc_slot_config_t *slot);
/* Bring the card up (cfg->probe_retries attempts): SDB_OK, SDB_BD_EIO or SDB_BD_ENOMEDIUM. */
int sdb_esp_card_open(struct sdb_esp_card *c, const sdboot_esp_config_t *cfg);
/* Release the host so esp_vfs_fat can take the card. */
void sdb_esp_card_close(struct sdb_esp_card *c);

#endif
