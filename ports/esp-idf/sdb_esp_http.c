/* sdb_transport_t on esp_http_client: one GET, body streamed to the sink. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "esp_crt_bundle.h"
#include "esp_http_client.h"
#include "sdboot_esp_http.h"

#define MAX_REDIRECTS 5
#define CHUNK 1024

struct call {
    struct sdb_http_response *resp;
    uint64_t offset;
    bool range_at_offset; /* Content-Range starts exactly at the asked offset */
};

/* Headers arrive through the event handler: keep the ETag. */
static esp_err_t on_event(esp_http_client_event_t *evt)
{
    struct call *c = evt->user_data;
    if (evt->event_id == HTTP_EVENT_ON_HEADER && !strcasecmp(evt->header_key, "ETag")) {
        strncpy(c->resp->etag, evt->header_value, SDB_ETAG_MAX - 1);
        c->resp->etag[SDB_ETAG_MAX - 1] = '\0';
    } else if (evt->event_id == HTTP_EVENT_ON_HEADER &&
               !strcasecmp(evt->header_key, "Content-Range")) {
        unsigned long long first = 0, last = 0;
        if (sscanf(evt->header_value, "bytes %llu-%llu", &first, &last) == 2 && last >= first) {
            c->resp->has_content_range = true;
            c->resp->range_first = first;
            c->resp->range_last = last;
            c->range_at_offset = first == c->offset;
        }
    } else if (evt->event_id == HTTP_EVENT_ON_HEADER &&
               !strcasecmp(evt->header_key, "Content-Type")) {
        strncpy(c->resp->content_type, evt->header_value, SDB_CONTENT_TYPE_MAX - 1);
        c->resp->content_type[SDB_CONTENT_TYPE_MAX - 1] = '\0';
    }
    return ESP_OK;
}

static int map_err(int err)
{
    if (err == ESP_ERR_HTTP_EAGAIN || err == -ESP_ERR_HTTP_EAGAIN || err == ESP_ERR_TIMEOUT)
        return SDB_NET_ETIMEOUT;
    if (err == ESP_ERR_HTTP_CONNECTION_CLOSED || err == -ESP_ERR_HTTP_CONNECTION_CLOSED)
        return SDB_NET_ERESET;
    if (err == ESP_ERR_HTTP_CONNECT || err == ESP_ERR_HTTP_CONNECTING)
        return SDB_NET_ECONNECT;
    return SDB_NET_EPROTO;
}

static bool is_redirect(int status)
{
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

static void set_request_headers(esp_http_client_handle_t h, const struct sdb_http_request *req)
{
    char range[SDB_HTTP_RANGES_MAX + 8];
    if (req->ranges && req->ranges[0]) { /* a delta: several ranges, answered multipart */
        snprintf(range, sizeof range, "bytes=%s", req->ranges);
        esp_http_client_set_header(h, "Range", range);
    } else if (req->offset) {
        snprintf(range, sizeof range, "bytes=%llu-", (unsigned long long)req->offset);
        esp_http_client_set_header(h, "Range", range);
        if (req->if_range && req->if_range[0])
            esp_http_client_set_header(h, "If-Range", req->if_range);
    }
    if (req->if_none_match && req->if_none_match[0])
        esp_http_client_set_header(h, "If-None-Match", req->if_none_match);
}

/* Open the request, following redirects by hand; headers fetched. */
static int open_following(esp_http_client_handle_t h, const struct sdb_http_request *req,
                          struct call *c, int64_t *length)
{
    for (int hops = 0;; hops++) {
        c->resp->etag[0] = '\0';
        c->resp->content_type[0] = '\0';
        c->resp->has_content_range = false;
        c->range_at_offset = false;
        esp_err_t err = esp_http_client_open(h, 0);
        if (err != ESP_OK)
            return map_err(err);
        *length = esp_http_client_fetch_headers(h);
        if (*length < 0 && *length != -1) /* -1: no Content-Length (chunked) */
            return map_err((int)*length);
        c->resp->status = esp_http_client_get_status_code(h);
        if (!is_redirect(c->resp->status))
            return SDB_OK;
        if (hops == MAX_REDIRECTS)
            return SDB_NET_EREDIRECTS;
        if (esp_http_client_set_redirection(h) != ESP_OK)
            return SDB_NET_EPROTO;
        esp_http_client_close(h);
        set_request_headers(h, req);
    }
}

static int stream_body(esp_http_client_handle_t h, sdb_http_sink sink, void *sink_ctx,
                       struct sdb_http_response *resp)
{
    char buf[CHUNK];
    for (;;) {
        int n = esp_http_client_read(h, buf, sizeof buf);
        if (n < 0)
            return map_err(n);
        if (n == 0)
            break;
        resp->received += (uint64_t)n;
        int err = sink(sink_ctx, (const uint8_t *)buf, (size_t)n);
        if (err)
            return err;
    }
    if (!esp_http_client_is_complete_data_received(h))
        return SDB_NET_ELENGTH;
    return SDB_OK;
}

static int esp_get(void *ctx, const struct sdb_http_request *req, sdb_http_sink sink,
                   void *sink_ctx, struct sdb_http_response *resp)
{
    struct sdb_esp_http *t = ctx;
    struct call c = {.resp = resp, .offset = req->offset};
    memset(resp, 0, sizeof *resp);
    esp_http_client_config_t config = {
        .url = req->url,
        .timeout_ms = t->timeout_ms,
        .disable_auto_redirect = true, /* followed in open_following, headers kept */
        .event_handler = on_event,
        .user_data = &c,
        .crt_bundle_attach = esp_crt_bundle_attach,
    };
    esp_http_client_handle_t h = esp_http_client_init(&config);
    if (!h)
        return SDB_NET_ECONNECT;
    set_request_headers(h, req);
    int64_t length = -1;
    int err = open_following(h, req, &c, &length);
    if (!err) {
        resp->length_known = length >= 0 && !esp_http_client_is_chunked_response(h);
        resp->length = resp->length_known ? (uint64_t)length : 0;
        resp->range_honoured = resp->status == 206 && req->offset > 0 && c.range_at_offset;
        err = stream_body(h, sink, sink_ctx, resp);
    }
    esp_http_client_close(h);
    esp_http_client_cleanup(h);
    return err;
}

void sdb_esp_http_init(struct sdb_esp_http *h)
{
    h->timeout_ms = 15000;
    h->transport = (sdb_transport_t){h, esp_get};
}
