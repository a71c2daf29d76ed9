/* Static release server on libmicrohttpd (see host_serve.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include "sdboot/host_serve.h"

#if MHD_VERSION < 0x00097002
typedef int mhd_result;
#else
typedef enum MHD_Result mhd_result;
#endif

struct sdb_serve {
    struct MHD_Daemon *daemon;
    struct sdb_serve_opts opts;
    char *cert, *key;
    _Atomic uint64_t sent;
};

static mhd_result reply(struct MHD_Connection *c, unsigned status, const char *text)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_MUST_COPY);
    mhd_result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

/* Only plain names inside the directory: no '/', no "..", no hidden files. */
static bool safe_name(const char *url)
{
    if (url[0] != '/' || !url[1] || url[1] == '.')
        return false;
    for (const char *p = url + 1; *p; p++)
        if (*p == '/' || *p == '\\')
            return false;
    return true;
}

struct body {
    int fd;
    uint64_t start;
    struct sdb_serve *srv;
};

static ssize_t read_body(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct body *b = cls;
    ssize_t n = pread(b->fd, buf, max, (off_t)(b->start + pos));
    if (n <= 0)
        return MHD_CONTENT_READER_END_OF_STREAM;
    atomic_fetch_add(&b->srv->sent, (uint64_t)n);
    return n;
}

static void free_body(void *cls)
{
    struct body *b = cls;
    close(b->fd);
    free(b);
}

/* "bytes=N-" or "bytes=N-M" (one range). */
static bool parse_range(const char *h, uint64_t size, uint64_t *first, uint64_t *last)
{
    unsigned long long a, b;
    char dash;
    if (sscanf(h, "bytes=%llu%c", &a, &dash) != 2 || dash != '-')
        return false;
    const char *after = strchr(h, '-') + 1;
    *first = a;
    *last = size ? size - 1 : 0;
    if (*after) {
        if (sscanf(after, "%llu", &b) != 1 || b < a)
            return false;
        if (b < *last)
            *last = b;
    }
    return true;
}

static mhd_result handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                         const char *version, const char *upload, size_t *upload_len, void **state)
{
    (void)version, (void)upload, (void)upload_len;
    struct sdb_serve *srv = cls;
    if (!*state) { /* first call: headers only */
        *state = srv;
        return MHD_YES;
    }
    bool head = !strcmp(method, "HEAD");
    if (strcmp(method, "GET") && !head)
        return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed\n");
    if (!safe_name(url))
        return reply(c, MHD_HTTP_NOT_FOUND, "not found\n");
    char path[4096];
    snprintf(path, sizeof path, "%s%s", srv->opts.dir, url);
    int fd = open(path, O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        if (fd >= 0)
            close(fd);
        return reply(c, MHD_HTTP_NOT_FOUND, "not found\n");
    }
    char etag[80];
    snprintf(etag, sizeof etag, "\"%" PRIx64 "-%" PRIx64 "-%lx\"", (uint64_t)st.st_size,
             (uint64_t)st.st_mtime, (unsigned long)st.st_ino);
    uint64_t size = (uint64_t)st.st_size, first = 0, last = size ? size - 1 : 0;
    unsigned status = MHD_HTTP_OK;
    const char *inm = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "If-None-Match");
    const char *range = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Range");
    const char *if_range = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "If-Range");
    if (inm && !strcmp(inm, etag)) {
        close(fd);
        struct MHD_Response *r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
        MHD_add_response_header(r, "ETag", etag);
        mhd_result ret = MHD_queue_response(c, MHD_HTTP_NOT_MODIFIED, r);
        MHD_destroy_response(r);
        return ret;
    }
    if (range && (!if_range || !strcmp(if_range, etag))) {
        if (!parse_range(range, size, &first, &last) || first >= size) {
            close(fd);
            return reply(c, MHD_HTTP_RANGE_NOT_SATISFIABLE, "range not satisfiable\n");
        }
        status = MHD_HTTP_PARTIAL_CONTENT;
    }
    uint64_t len = size ? last - first + 1 : 0;
    struct body *b = malloc(sizeof *b);
    *b = (struct body){fd, first, srv};
    struct MHD_Response *r =
        MHD_create_response_from_callback(head ? 0 : len, 64 * 1024, read_body, b, free_body);
    MHD_add_response_header(r, "ETag", etag);
    MHD_add_response_header(r, "Accept-Ranges", "bytes");
    if (status == MHD_HTTP_PARTIAL_CONTENT) {
        char cr[96];
        snprintf(cr, sizeof cr, "bytes %" PRIu64 "-%" PRIu64 "/%" PRIu64, first, last, size);
        MHD_add_response_header(r, "Content-Range", cr);
    }
    if (!srv->opts.quiet)
        fprintf(stderr, "serve: %s %s -> %u (%" PRIu64 " bytes)\n", method, url, status, len);
    mhd_result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = calloc(1, 65536);
    size_t n = buf ? fread(buf, 1, 65535, f) : 0;
    fclose(f);
    if (!n) {
        free(buf);
        return NULL;
    }
    return buf;
}

struct sdb_serve *sdb_serve_start(const struct sdb_serve_opts *opts, uint16_t *port)
{
    struct sdb_serve *s = calloc(1, sizeof *s);
    s->opts = *opts;
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(opts->port)};
    if (inet_pton(AF_INET, opts->bind ? opts->bind : "127.0.0.1", &addr.sin_addr) != 1) {
        free(s);
        return NULL;
    }
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION;
    if (opts->tls_cert) {
        s->cert = slurp(opts->tls_cert);
        s->key = slurp(opts->tls_key);
        if (!s->cert || !s->key) {
            free(s->cert), free(s->key), free(s);
            return NULL;
        }
        flags |= MHD_USE_TLS;
        s->daemon = MHD_start_daemon(flags, 0, NULL, NULL, handle, s, MHD_OPTION_SOCK_ADDR, &addr,
                                     MHD_OPTION_HTTPS_MEM_CERT, s->cert, MHD_OPTION_HTTPS_MEM_KEY,
                                     s->key, MHD_OPTION_END);
    } else {
        s->daemon = MHD_start_daemon(flags, 0, NULL, NULL, handle, s, MHD_OPTION_SOCK_ADDR, &addr,
                                     MHD_OPTION_END);
    }
    if (!s->daemon) {
        free(s->cert), free(s->key), free(s);
        return NULL;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    *port = info ? info->port : opts->port;
    return s;
}

void sdb_serve_stop(struct sdb_serve *s)
{
    if (!s)
        return;
    MHD_stop_daemon(s->daemon);
    free(s->cert);
    free(s->key);
    free(s);
}

uint64_t sdb_serve_bytes_sent(const struct sdb_serve *s)
{
    return atomic_load(&((struct sdb_serve *)s)->sent);
}
