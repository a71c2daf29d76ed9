/*
 * sdboot example: at power-on run the boot engine, use the card's release,
 * confirm it once the application works, then look for an update.
 * Wi-Fi credentials and the server come from menuconfig -> "Example".
 */
#include <stdio.h>
#include "esp_event.h"
#include "esp_log.h"
#include "esp_netif.h"
#include "esp_wifi.h"
#include "freertos/FreeRTOS.h"
#include "freertos/event_groups.h"
#include "nvs_flash.h"
#include "sdboot_esp.h"

static const char *TAG = "app";
static EventGroupHandle_t net_events;
#define GOT_IP BIT0

static void on_ip(void *arg, esp_event_base_t base, int32_t id, void *data)
{
    (void)arg, (void)base, (void)id, (void)data;
    xEventGroupSetBits(net_events, GOT_IP);
}

static void on_disconnect(void *arg, esp_event_base_t base, int32_t id, void *data)
{
    (void)arg, (void)base, (void)id, (void)data;
    esp_wifi_connect();
}

static bool wifi_up(void)
{
    net_events = xEventGroupCreate();
    ESP_ERROR_CHECK(esp_netif_init());
    ESP_ERROR_CHECK(esp_event_loop_create_default());
    esp_netif_create_default_wifi_sta();
    wifi_init_config_t init = WIFI_INIT_CONFIG_DEFAULT();
    ESP_ERROR_CHECK(esp_wifi_init(&init));
    ESP_ERROR_CHECK(esp_event_handler_register(IP_EVENT, IP_EVENT_STA_GOT_IP, on_ip, NULL));
    ESP_ERROR_CHECK(
        esp_event_handler_register(WIFI_EVENT, WIFI_EVENT_STA_DISCONNECTED, on_disconnect, NULL));
    wifi_config_t wc = {0};
    snprintf((char *)wc.sta.ssid, sizeof wc.sta.ssid, "%s", CONFIG_EXAMPLE_WIFI_SSID);
    snprintf((char *)wc.sta.password, sizeof wc.sta.password, "%s", CONFIG_EXAMPLE_WIFI_PASSWORD);
    ESP_ERROR_CHECK(esp_wifi_set_mode(WIFI_MODE_STA));
    ESP_ERROR_CHECK(esp_wifi_set_config(WIFI_IF_STA, &wc));
    ESP_ERROR_CHECK(esp_wifi_start());
    ESP_ERROR_CHECK(esp_wifi_connect());
    return xEventGroupWaitBits(net_events, GOT_IP, pdFALSE, pdTRUE, pdMS_TO_TICKS(20000)) & GOT_IP;
}

static void show_release(void)
{
    FILE *f = fopen(CONFIG_SDBOOT_MOUNT_POINT "/main.py", "r");
    char line[80];
    if (f && fgets(line, sizeof line, f))
        ESP_LOGI(TAG, "first line of the release's main.py: %s", line);
    if (f)
        fclose(f);
}

void app_main(void)
{
    ESP_ERROR_CHECK(nvs_flash_init());
    sdboot_esp_result_t r;
    ESP_ERROR_CHECK(sdboot_esp_boot(NULL, &r));
    /* a good card with nothing to run yet (SDBOOT_ENOENTRY) is mounted: fetch the first release */
    bool empty = r.boot.decision == SDBOOT_INTERNAL && r.boot.error == SDBOOT_ENOENTRY && r.mounted;
    if (r.boot.decision != SDBOOT_RUN_CARD && !empty) {
        ESP_LOGW(TAG, "%s: %s", sdboot_decision_name(r.boot.decision), sdb_strerror(r.boot.error));
        return; /* recovery or no card: nothing of the card runs */
    }
    if (empty) {
        ESP_LOGI(TAG, "%s: looking for a first release", sdb_strerror(r.boot.error));
    } else {
        ESP_LOGI(TAG, "running release %s%s", r.boot.version, r.boot.on_trial ? " (on trial)" : "");
        show_release();
    }

    /* the application decides what "works" means; here: the network comes up */
    if (!wifi_up()) {
        ESP_LOGE(TAG, "no network: not confirming, the next boots count as trials");
        return;
    }
    int err = empty ? SDB_OK : sdboot_esp_confirm();
    if (err)
        ESP_LOGE(TAG, "confirm: %s", sdb_strerror(err));

    sdboot_esp_ota_t ota = {.url = CONFIG_EXAMPLE_UPDATE_URL,
                            .pubkey_pem =
                                CONFIG_EXAMPLE_PUBKEY_PEM[0] ? CONFIG_EXAMPLE_PUBKEY_PEM : NULL,
                            .allow_unsigned = !CONFIG_EXAMPLE_PUBKEY_PEM[0]};
    err = sdboot_esp_install_update_if_available(&ota, true, NULL); /* restarts when staged */
    ESP_LOGI(TAG, "update check: %s", err ? sdb_strerror(err) : "up to date");
}
