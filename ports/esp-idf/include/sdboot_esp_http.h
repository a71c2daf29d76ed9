/*
 * sdb_transport_t on esp_http_client (ESP-IDF 5.x): GET with Range,
 * If-None-Match and If-Range, redirects followed by hand (at most 5), https
 * verified against the ESP x509 certificate bundle, a network timeout per read.
 * Used by the ESP-IDF component and by the MicroPython module on ESP32.
 * RAM: the client's own buffers (esp_http_client, 2 KiB receive buffer) while
 * a request runs, released when it returns; struct sdb_esp_http is tiny.
 */
#ifndef SDBOOT_ESP_HTTP_H
#define SDBOOT_ESP_HTTP_H

#include "sdboot/transport.h"

struct sdb_esp_http {
    int timeout_ms; /* per connect/read (0 = 15000) */
    sdb_transport_t transport;
};

void sdb_esp_http_init(struct sdb_esp_http *h);

#endif
