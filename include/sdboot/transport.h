/*
 * HTTP(S) transport: what the OTA client needs from a network stack, and no
 * more, so libcurl (host), esp_http_client (ESP-IDF) or an AT-command LTE modem
 * can each implement it in a page of code (docs/ota.md, "Porting a transport").
 *
 * One call: GET `url`, optionally from byte `offset` (Range) and conditional on
 * an ETag; the body streams into `sink` as it arrives; the sink may stop the
 * transfer by returning an error (the client does, past a size cap). Timeouts
 * and a minimum-throughput rule are the transport's job.
 */
#ifndef SDBOOT_TRANSPORT_H
#define SDBOOT_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "sdboot/error.h"

#define SDB_ETAG_MAX 96
#define SDB_CONTENT_TYPE_MAX 128
#define SDB_HTTP_RANGES_MAX 680 /* longest `ranges` the OTA client sends, with its NUL */

enum sdb_transport_err {
    SDB_NET_ETIMEOUT = -320,   /* connect or read timeout, or below the minimum throughput */
    SDB_NET_ERESET = -321,     /* connection reset or closed before the body ended */
    SDB_NET_ETLS = -322,       /* TLS handshake or certificate/pin verification failed */
    SDB_NET_EREDIRECTS = -323, /* too many redirects */
    SDB_NET_ECONNECT = -324,   /* cannot resolve or connect */
    SDB_NET_ELENGTH = -325,    /* body longer or shorter than Content-Length */
    SDB_NET_EPROTO = -326,     /* malformed answer */
};

struct sdb_http_request {
    const char *url;
    uint64_t offset;           /* > 0: ask for bytes offset.. (Range) */
    const char *if_none_match; /* ETag: a 304 answer means unchanged */
    const char *if_range;      /* ETag: serve the range only if still this file */
    /* Several byte ranges at once, as they follow "bytes=" ("0-99,512-1023");
     * offset is then unused. A transport that cannot send them sends a plain
     * GET: the client sees 200 and downloads the whole file instead. */
    const char *ranges;
};

struct sdb_http_response {
    int status; /* 200, 206, 304, 404... */
    bool length_known;
    uint64_t length;         /* Content-Length of this answer */
    bool range_honoured;     /* 206 starting exactly at offset */
    char etag[SDB_ETAG_MAX]; /* "" when none */
    uint64_t received;       /* body bytes delivered to the sink */
    /* For range answers: Content-Type (multipart/byteranges; boundary=...) and
     * a single-part 206's Content-Range, known before the first body byte. */
    char content_type[SDB_CONTENT_TYPE_MAX];
    bool has_content_range;
    uint64_t range_first, range_last;
};

typedef int (*sdb_http_sink)(void *ctx, const uint8_t *data, size_t len);

typedef struct sdb_transport {
    void *ctx;
    /* SDB_OK once an answer (any status) was received in full; a transport error
     * otherwise; or the sink's error when the sink stopped it. */
    int (*get)(void *ctx, const struct sdb_http_request *req, sdb_http_sink sink, void *sink_ctx,
               struct sdb_http_response *resp);
} sdb_transport_t;

#endif
