/* The card in SDMMC mode as an sdb_bd_t, for the boot engine (card to itself). */
#include "driver/sdmmc_host.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "sdmmc_cmd.h"
#include "soc/soc_caps.h"
#include "sdb_esp_sdmmc.h"

static int bd_read(sdb_bd_t *bd, uint32_t lba, uint32_t count, void *buf)
{
    struct sdb_esp_card *c = (struct sdb_esp_card *)bd;
    return sdmmc_read_sectors(&c->card, buf, lba, count) == ESP_OK ? SDB_OK : SDB_BD_EIO;
}

static int bd_write(sdb_bd_t *bd, uint32_t lba, uint32_t count, const void *buf)
{
    struct sdb_esp_card *c = (struct sdb_esp_card *)bd;
    return sdmmc_write_sectors(&c->card, buf, lba, count) == ESP_OK ? SDB_OK : SDB_BD_EIO;
}

/* sdmmc_write_sectors returns once the card left its busy state (the driver
 * waits for it after each write), so there is no host-side cache to flush. */
static const struct sdb_bd_ops card_ops = {bd_read, bd_write, NULL};

void sdb_esp_card_slot(const sdboot_esp_config_t *cfg, sdmmc_host_t *host,
                       sdmmc_slot_config_t *slot)
{
    *host = (sdmmc_host_t)SDMMC_HOST_DEFAULT();
    host->slot = cfg->slot;
    *slot = (sdmmc_slot_config_t)SDMMC_SLOT_CONFIG_DEFAULT();
    slot->width = (uint8_t)cfg->width;
#ifdef SOC_SDMMC_USE_GPIO_MATRIX
    slot->clk = (gpio_num_t)cfg->clk;
    slot->cmd = (gpio_num_t)cfg->cmd;
    slot->d0 = (gpio_num_t)cfg->d0;
#endif
    slot->flags |= SDMMC_SLOT_FLAG_INTERNAL_PULLUP; /* external 10k pull-ups still advised */
}

int sdb_esp_card_open(struct sdb_esp_card *c, const sdboot_esp_config_t *cfg)
{
    sdmmc_host_t host;
    sdmmc_slot_config_t slot;
    sdb_esp_card_slot(cfg, &host, &slot);
    if (sdmmc_host_init() != ESP_OK)
        return SDB_BD_EIO;
    if (sdmmc_host_init_slot(cfg->slot, &slot) != ESP_OK) {
        sdmmc_host_deinit();
        return SDB_BD_EIO;
    }
    /* a card just inserted or powered may need a few attempts */
    for (int attempt = 0; attempt < cfg->probe_retries; attempt++) {
        if (sdmmc_card_init(&host, &c->card) == ESP_OK) {
            c->bd = (sdb_bd_t){.ops = &card_ops, .sector_count = (uint32_t)c->card.csd.capacity};
            c->open = true;
            return SDB_OK;
        }
        vTaskDelay(pdMS_TO_TICKS(100 << attempt));
    }
    sdmmc_host_deinit();
    return SDB_BD_ENOMEDIUM;
}

void sdb_esp_card_close(struct sdb_esp_card *c)
{
    if (c->open)
        sdmmc_host_deinit();
    c->open = false;
}
