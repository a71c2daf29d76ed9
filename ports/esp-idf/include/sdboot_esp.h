/*
 * sdboot on ESP-IDF 5.x: the boot engine on an SD card in SDMMC mode, the
 * card mounted through esp_vfs_fat for the application, OTA over
 * esp_http_client with the certificate bundle, esp_restart to install.
 *
 *   sdboot_esp_result_t r;
 *   sdboot_esp_boot(NULL, &r);            // Kconfig defaults (menuconfig: sdboot)
 *   if (r.boot.decision == SDBOOT_RUN_CARD) run_from("/sdcard");
 *   ...
 *   sdboot_esp_confirm();                 // the release works
 *   sdboot_esp_ota_t ota = {.url = "https://host/firmware", .pubkey_pem = PUB};
 *   sdboot_esp_install_update_if_available(&ota, true);  // restarts when staged
 *
 * The engine's working memory (struct sdboot, about 13 KiB) and the OTA
 * client's (struct sdboot_ota, about 17 KiB) are static in this component, so
 * nothing here allocates except ESP-IDF's own drivers. One boot per power-on,
 * from one task; the OTA functions must not run concurrently with each other.
 * Power loss: as the core's (boot.h, ota.h): the card always boots one whole release.
 */
#ifndef SDBOOT_ESP_H
#define SDBOOT_ESP_H

#include <stdbool.h>
#include "esp_err.h"
#include "sdboot/boot.h"

typedef struct {
    int slot;          /* SDMMC slot: 1 on ESP32 (0 is the flash's on most modules) */
    int width;         /* bus width: 1 (default) or 4 */
    int clk, cmd, d0;  /* pins where the chip routes SDMMC through the GPIO matrix (S3) */
    int recovery_gpio; /* held low at power-on: card at the mount point, nothing runs; -1 = none */
    bool format_blank; /* format a card with no file system */
    bool format_other; /* format a card with a foreign file system */
    int trial_boots;   /* unconfirmed boots before rollback */
    int probe_retries; /* card bring-up attempts */
    const char *mount_point; /* esp_vfs_fat base path, e.g. "/sdcard" */
    const char *board;       /* board id releases must match, or NULL */
} sdboot_esp_config_t;

/* The Kconfig values (menuconfig -> sdboot). */
void sdboot_esp_config_default(sdboot_esp_config_t *cfg);

typedef struct {
    struct sdboot_result boot; /* decision, event, version, trials */
    bool mounted;              /* the card is mounted at mount_point */
} sdboot_esp_result_t;

/* Power-on: bring the card up, run the engine, mount the card with esp_vfs_fat
 * when the decision is RUN_CARD or MOUNT_SD, or INTERNAL with SDBOOT_ENOENTRY
 * (a good card with nothing to run yet: the firmware may fetch a first
 * release onto it). cfg NULL = Kconfig defaults.
 * ESP_OK whatever the decision (no card is SDBOOT_INTERNAL with boot.error set);
 * an esp_err_t only when a driver call failed after the engine ran. */
esp_err_t sdboot_esp_boot(const sdboot_esp_config_t *cfg, sdboot_esp_result_t *res);

/* Application side, on the mounted card (through esp_vfs_fat, never sectors).
 * These return SDB_OK or an sdboot code (sdb_strerror names it). */
int sdboot_esp_confirm(void);
int sdboot_esp_state(struct sdboot_state *st);

typedef struct {
    const char *url;        /* directory holding `versions` (https:// verified by the bundle) */
    const char *pubkey_pem; /* release signing key; NULL only with allow_unsigned */
    bool allow_unsigned;    /* accept an unsigned `versions` (seed servers) */
    bool force;             /* install even when not newer */
} sdboot_esp_ota_t;

/* Check, download into the card's staging area, verify, stage. *staged (may be
 * NULL) tells whether a release waits for the next boot; with restart it
 * calls esp_restart() and does not return. SDB_OK when up to date or staged. */
int sdboot_esp_install_update_if_available(const sdboot_esp_ota_t *ota, bool restart, bool *staged);

#endif
