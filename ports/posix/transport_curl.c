/* sdb_transport_t on libcurl (host). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <curl/curl.h>
#include "sdboot/transport_curl.h"

struct call {
    sdb_http_sink sink;
    void *sink_ctx;
    struct sdb_http_response *resp;
    int sink_err;
    uint64_t offset;
    bool status_seen;
};

/* The value of a header line [v, end) without its leading blanks and trailing
 * CR LF, into out[cap]; left unchanged when it does not fit. */
static void copy_header_value(const char *v, const char *end, char *out, size_t cap)
{
    while (v < end && *v == ' ')
        v++;
    size_t vlen = (size_t)(end - v);
    while (vlen && (v[vlen - 1] == '\r' || v[vlen - 1] == '\n' || v[vlen - 1] == ' '))
        vlen--;
    if (vlen < cap) {
        memcpy(out, v, vlen);
        out[vlen] = '\0';
    }
}

static size_t on_header(char *buf, size_t size, size_t n, void *vcall)
{
    struct call *c = vcall;
    size_t len = size * n;
    if (len > 5 && !strncasecmp(buf, "HTTP/", 5)) { /* a new answer (after a redirect) */
        const char *sp = memchr(buf, ' ', len);
        c->resp->status = sp ? atoi(sp + 1) : 0; /* known before the body: sinks use it */
        c->resp->etag[0] = '\0';
        c->resp->range_honoured = false;
        c->resp->length_known = false;
        c->resp->has_content_range = false;
        c->resp->content_type[0] = '\0';
    } else if (len > 5 && !strncasecmp(buf, "ETag:", 5)) {
        copy_header_value(buf + 5, buf + len, c->resp->etag, SDB_ETAG_MAX);
    } else if (len > 15 && !strncasecmp(buf, "Content-Length:", 15)) {
        c->resp->length_known = true;
        c->resp->length = strtoull(buf + 15, NULL, 10);
    } else if (len > 14 && !strncasecmp(buf, "Content-Range:", 14)) {
        unsigned long long first, last;
        if (sscanf(buf + 14, " bytes %llu-%llu", &first, &last) == 2 && last >= first) {
            c->resp->has_content_range = true;
            c->resp->range_first = first;
            c->resp->range_last = last;
            c->resp->range_honoured = first == c->offset;
        }
    } else if (len > 13 && !strncasecmp(buf, "Content-Type:", 13)) {
        copy_header_value(buf + 13, buf + len, c->resp->content_type, SDB_CONTENT_TYPE_MAX);
    }
    return len;
}

static size_t on_body(char *buf, size_t size, size_t n, void *vcall)
{
    struct call *c = vcall;
    size_t len = size * n;
    int err = c->sink(c->sink_ctx, (const uint8_t *)buf, len);
    if (err) {
        c->sink_err = err;
        return 0; /* stops the transfer */
    }
    c->resp->received += len;
    return len;
}

static int map_curl(CURLcode rc)
{
    switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
        return SDB_NET_ETIMEOUT;
    case CURLE_TOO_MANY_REDIRECTS:
        return SDB_NET_EREDIRECTS;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_CERTPROBLEM:
        return SDB_NET_ETLS;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_FILE_COULDNT_READ_FILE:
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
        return SDB_NET_ECONNECT;
    case CURLE_PARTIAL_FILE:
        return SDB_NET_ELENGTH;
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_SEND_ERROR:
        return SDB_NET_ERESET;
    default:
        return SDB_NET_EPROTO;
    }
}

static int curl_get(void *ctx, const struct sdb_http_request *req, sdb_http_sink sink,
                    void *sink_ctx, struct sdb_http_response *resp)
{
    struct sdb_curl *t = ctx;
    memset(resp, 0, sizeof *resp);
    CURL *h = curl_easy_init();
    if (!h)
        return SDB_NET_EPROTO;
    struct call call = {.sink = sink, .sink_ctx = sink_ctx, .resp = resp, .offset = req->offset};
    struct curl_slist *headers = NULL;
    char line[SDB_ETAG_MAX + 32], range[48];
    if (req->if_none_match && req->if_none_match[0]) {
        snprintf(line, sizeof line, "If-None-Match: %s", req->if_none_match);
        headers = curl_slist_append(headers, line);
    }
    if (req->offset && req->if_range && req->if_range[0]) {
        snprintf(line, sizeof line, "If-Range: %s", req->if_range);
        headers = curl_slist_append(headers, line);
    }
    curl_easy_setopt(h, CURLOPT_URL, req->url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    bool is_file = !strncmp(req->url, "file:", 5);
    if (req->ranges && req->ranges[0] && !is_file) { /* file:// has no multi-range: a 200 */
        curl_easy_setopt(h, CURLOPT_RANGE, req->ranges);
    } else if (req->offset) {
        snprintf(range, sizeof range, "%llu-", (unsigned long long)req->offset);
        curl_easy_setopt(h, CURLOPT_RANGE, range);
    }
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(h, CURLOPT_MAXREDIRS, t->opts.max_redirects);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, t->opts.connect_timeout_s);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, t->opts.stall_timeout_s);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, t->opts.min_bytes_per_s);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https,file");
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    if (t->opts.ca_file)
        curl_easy_setopt(h, CURLOPT_CAINFO, t->opts.ca_file);
    if (t->opts.pinned_key)
        curl_easy_setopt(h, CURLOPT_PINNEDPUBLICKEY, t->opts.pinned_key);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &call);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &call);
    CURLcode rc = curl_easy_perform(h);
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    bool file_range = is_file && req->offset && !(req->ranges && req->ranges[0]);
    resp->status = is_file && rc == CURLE_OK ? (file_range ? 206 : 200) : (int)status;
    if (file_range)
        resp->range_honoured = true;
    curl_slist_free_all(headers);
    curl_easy_cleanup(h);
    if (call.sink_err)
        return call.sink_err;
    return rc == CURLE_OK ? SDB_OK : map_curl(rc);
}

void sdb_curl_init(struct sdb_curl *c, const struct sdb_curl_opts *opts)
{
    static bool global_done;
    if (!global_done) {
        curl_global_init(CURL_GLOBAL_DEFAULT);
        global_done = true;
    }
    memset(c, 0, sizeof *c);
    if (opts)
        c->opts = *opts;
    if (!c->opts.connect_timeout_s)
        c->opts.connect_timeout_s = 10;
    if (!c->opts.stall_timeout_s)
        c->opts.stall_timeout_s = 15;
    if (!c->opts.min_bytes_per_s)
        c->opts.min_bytes_per_s = 1;
    if (!c->opts.max_redirects)
        c->opts.max_redirects = 5;
    c->transport = (sdb_transport_t){c, curl_get};
}
