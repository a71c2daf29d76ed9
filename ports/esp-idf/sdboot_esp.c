/* sdboot on ESP-IDF: power-on (card, engine, esp_vfs_fat mount), confirm, OTA. */
#include <string.h>
#include "driver/gpio.h"
#include "esp_log.h"
#include "esp_system.h"
#include "esp_vfs_fat.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "sdb_esp_sdmmc.h"
#include "sdboot/ota.h"
#include "sdboot_esp.h"
#include "sdboot_esp_fio.h"
#include "sdboot_esp_http.h"

static const char *TAG = "sdboot";

/* Static working memory: the boot path allocates nothing itself. */
static struct sdboot engine;
static struct sdb_esp_card card;
static struct sdboot_ota ota_client;
static char mount_point[SDB_ESP_ROOT_MAX] = CONFIG_SDBOOT_MOUNT_POINT;

void sdboot_esp_config_default(sdboot_esp_config_t *cfg)
{
    *cfg = (sdboot_esp_config_t){
        .slot = CONFIG_SDBOOT_SDMMC_SLOT,
        .width = CONFIG_SDBOOT_BUS_WIDTH,
        .clk = CONFIG_SDBOOT_PIN_CLK,
        .cmd = CONFIG_SDBOOT_PIN_CMD,
        .d0 = CONFIG_SDBOOT_PIN_D0,
        .recovery_gpio = CONFIG_SDBOOT_RECOVERY_GPIO,
#ifdef CONFIG_SDBOOT_FORMAT_BLANK
        .format_blank = true,
#endif
#ifdef CONFIG_SDBOOT_FORMAT_OTHER_FS
        .format_other = true,
#endif
        .trial_boots = CONFIG_SDBOOT_TRIAL_BOOTS,
        .probe_retries = CONFIG_SDBOOT_PROBE_RETRIES,
        .mount_point = CONFIG_SDBOOT_MOUNT_POINT,
        .board = CONFIG_SDBOOT_BOARD[0] ? CONFIG_SDBOOT_BOARD : NULL,
    };
}

/* Held = low, with the internal pull-up; sampled before the card bus starts. */
static bool recovery_held(int gpio)
{
    if (gpio < 0)
        return false;
    gpio_config_t io = {
        .pin_bit_mask = 1ULL << gpio,
        .mode = GPIO_MODE_INPUT,
        .pull_up_en = GPIO_PULLUP_ENABLE,
        .pull_down_en = GPIO_PULLDOWN_DISABLE,
        .intr_type = GPIO_INTR_DISABLE,
    };
    if (gpio_config(&io) != ESP_OK)
        return false;
    vTaskDelay(pdMS_TO_TICKS(5)); /* let the pull-up charge the line */
    bool held = gpio_get_level((gpio_num_t)gpio) == 0;
    gpio_reset_pin((gpio_num_t)gpio);
    return held;
}

static void log_line(void *ctx, const char *line)
{
    (void)ctx;
    ESP_LOGI(TAG, "%s", line);
}

/* Hand the card to esp_vfs_fat: the engine formatted what the policy allowed,
 * so the mount itself never formats. */
static esp_err_t mount_card(const sdboot_esp_config_t *cfg)
{
    sdmmc_host_t host;
    sdmmc_slot_config_t slot;
    sdmmc_card_t *mounted;
    sdb_esp_card_slot(cfg, &host, &slot);
    esp_vfs_fat_sdmmc_mount_config_t mc = {
        .format_if_mount_failed = false,
        .max_files = CONFIG_SDBOOT_MAX_FILES,
        .allocation_unit_size = 0,
    };
    return esp_vfs_fat_sdmmc_mount(cfg->mount_point, &host, &slot, &mc, &mounted);
}

esp_err_t sdboot_esp_boot(const sdboot_esp_config_t *cfg_in, sdboot_esp_result_t *res)
{
    sdboot_esp_config_t cfg;
    if (cfg_in)
        cfg = *cfg_in;
    else
        sdboot_esp_config_default(&cfg);
    memset(res, 0, sizeof *res);
    if (strlen(cfg.mount_point) >= sizeof mount_point)
        return ESP_ERR_INVALID_ARG;
    strcpy(mount_point, cfg.mount_point);

    struct sdboot_config bc = SDBOOT_CONFIG_DEFAULTS;
    bc.trial_boots = (uint8_t)cfg.trial_boots;
    bc.probe_retries = (uint8_t)cfg.probe_retries;
    bc.format_policy = (cfg.format_blank ? SDBOOT_FORMAT_BLANK : 0) |
                       (cfg.format_other ? SDBOOT_FORMAT_OTHER_FS : 0);
    bc.recovery_pin = recovery_held(cfg.recovery_gpio);
    bc.board = cfg.board;
    bc.log = log_line;

    int err = sdb_esp_card_open(&card, &cfg);
    if (err) {
        res->boot.decision = SDBOOT_INTERNAL;
        res->boot.error = err == SDB_BD_ENOMEDIUM ? SDBOOT_ENOCARD : err;
        ESP_LOGW(TAG, "no card: %s", sdb_strerror(res->boot.error));
        return ESP_OK;
    }
    err = sdboot_boot(&engine, &card.bd, &bc, &res->boot);
    sdb_esp_card_close(&card);
    if (err) {
        res->boot.decision = SDBOOT_INTERNAL;
        res->boot.error = err;
    }
    ESP_LOGI(TAG, "%s (%s)", sdboot_decision_name(res->boot.decision),
             sdboot_event_name(res->boot.event));
    /* Nothing to run on a good card (no release yet): it is still mounted,
     * so the firmware can fetch the first release onto it. */
    if (res->boot.decision == SDBOOT_INTERNAL && res->boot.error != SDBOOT_ENOENTRY)
        return ESP_OK;
    esp_err_t e = mount_card(&cfg);
    res->mounted = e == ESP_OK;
    return e;
}

int sdboot_esp_confirm(void)
{
    struct sdb_esp_fio f;
    int err = sdb_esp_fio_init(&f, mount_point);
    return err ? err : sdboot_confirm(&f.fio);
}

int sdboot_esp_state(struct sdboot_state *st)
{
    struct sdb_esp_fio f;
    int err = sdb_esp_fio_init(&f, mount_point);
    return err ? err : sdboot_app_state(&f.fio, st);
}

static void sleep_ms(void *ctx, uint32_t ms)
{
    (void)ctx;
    vTaskDelay(pdMS_TO_TICKS(ms));
}

int sdboot_esp_install_update_if_available(const sdboot_esp_ota_t *ota, bool restart, bool *staged)
{
    static struct sdb_esp_fio files;
    static struct sdb_esp_http net;
    struct sdboot_state st;
    bool restart_needed = false;
    int err = sdb_esp_fio_init(&files, mount_point);
    if (!err)
        err = sdboot_app_state(&files.fio, &st);
    if (err)
        return err;
    struct sdboot_ota_config oc = {
        .url = ota->url,
        .trust = {.count = ota->pubkey_pem ? 1 : 0, .allow_unsigned = ota->allow_unsigned},
        .board = CONFIG_SDBOOT_BOARD[0] ? CONFIG_SDBOOT_BOARD : NULL,
        .installed = st.installed,
        .refused = st.refused,
        .refused_error = st.refused_error,
        .last_install_error = st.last_event == SDBOOT_EV_INSTALL_FAILED ? st.last_error : 0,
        .force = ota->force,
        .sleep_ms = sleep_ms,
        .log = log_line,
    };
    oc.trust.pem[0] = ota->pubkey_pem;
    sdb_esp_http_init(&net);
    sdboot_ota_init(&ota_client, &oc, &net.transport, &files.fio);
    err = sdboot_ota_install_update_if_available(&ota_client, &restart_needed);
    if (staged)
        *staged = !err && restart_needed;
    if (!err && restart_needed && restart) {
        ESP_LOGI(TAG, "release staged: restarting to install it");
        esp_restart();
    }
    return err;
}
