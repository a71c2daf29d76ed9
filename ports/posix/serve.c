/*
 * Static release server on libmicrohttpd (see host_serve.h).
 *
 * Connections are served by one epoll thread (as an nginx worker), so thousands
 * of idle or half-sent requests cost a file descriptor each, not a thread; each
 * connection is closed after `timeout_s` without progress, and at most
 * `max_connections` are accepted at once (the soft file limit is raised to
 * fit). Files are plain names directly inside DIR; a name whose real path
 * (links resolved) leaves DIR is answered 404.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include "sdboot/host_serve.h"
#include "serve_range.h"

#if MHD_VERSION < 0x00097002
typedef int mhd_result;
#else
typedef enum MHD_Result mhd_result;
#endif

#define DEFAULT_TIMEOUT_S 30
#define DEFAULT_MAX_CONNECTIONS 4096
#define FDS_SPARE 64 /* descriptors kept for files being served, logs, the listener */

struct sdb_serve {
    struct MHD_Daemon *daemon;
    struct sdb_serve_opts opts;
    char root[PATH_MAX]; /* DIR with every link resolved */
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

/* Open DIR/name read-only when it is a regular file whose real path is inside DIR. */
static int open_inside(const struct sdb_serve *srv, const char *url, struct stat *st)
{
    char path[PATH_MAX + 256], real[PATH_MAX];
    snprintf(path, sizeof path, "%s%s", srv->opts.dir, url);
    size_t n = strlen(srv->root);
    if (!realpath(path, real) || strncmp(real, srv->root, n) || real[n] != '/')
        return -1;
    int fd = open(real, O_RDONLY | O_NOFOLLOW);
    if (fd >= 0 && (fstat(fd, st) != 0 || !S_ISREG(st->st_mode))) {
        close(fd);
        fd = -1;
    }
    return fd;
}

struct body {
    int fd;
    struct serve_layout layout;
    struct sdb_serve *srv;
};

static ssize_t read_body(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct body *b = cls;
    if (pos >= b->layout.length)
        return MHD_CONTENT_READER_END_OF_STREAM;
    const struct serve_piece *p = &b->layout.pieces[serve_layout_find(&b->layout, pos)];
    uint64_t in = pos - p->at, left = p->len - in;
    size_t n = left < max ? (size_t)left : max;
    if (p->text) {
        memcpy(buf, p->text + in, n);
        return (ssize_t)n;
    }
    ssize_t got = pread(b->fd, buf, n, (off_t)(p->file + in));
    if (got <= 0)
        return MHD_CONTENT_READER_END_WITH_ERROR; /* the file shrank under us */
    atomic_fetch_add(&b->srv->sent, (uint64_t)got);
    return got;
}

static void free_body(void *cls)
{
    struct body *b = cls;
    close(b->fd);
    serve_layout_free(&b->layout);
    free(b);
}

static mhd_result not_modified(struct MHD_Connection *c, const char *etag)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    MHD_add_response_header(r, "ETag", etag);
    mhd_result ret = MHD_queue_response(c, MHD_HTTP_NOT_MODIFIED, r);
    MHD_destroy_response(r);
    return ret;
}

static mhd_result unsatisfiable(struct MHD_Connection *c, uint64_t size)
{
    static const char text[] = "range not satisfiable\n";
    struct MHD_Response *r =
        MHD_create_response_from_buffer(sizeof text - 1, (void *)text, MHD_RESPMEM_PERSISTENT);
    char cr[48];
    snprintf(cr, sizeof cr, "bytes */%" PRIu64, size);
    MHD_add_response_header(r, "Content-Range", cr);
    mhd_result ret = MHD_queue_response(c, MHD_HTTP_RANGE_NOT_SATISFIABLE, r);
    MHD_destroy_response(r);
    return ret;
}

/* The 200 or 206 answer for the ranges asked (n == 0: the whole file). */
static mhd_result send_file(struct sdb_serve *srv, struct MHD_Connection *c, int fd, uint64_t size,
                            const char *etag, const struct serve_range *ranges, unsigned n,
                            const char *log_method, const char *url)
{
    struct serve_range whole = {0, size ? size - 1 : 0};
    char boundary[40];
    snprintf(boundary, sizeof boundary, "sdboot-%.24s", etag + 1);
    for (char *p = boundary; *p; p++)
        if (*p == '"' || *p == '-')
            *p = 'x';
    struct body *b = calloc(1, sizeof *b);
    if (!b || serve_layout_make(&b->layout, n ? ranges : &whole, n ? n : 1, size, boundary)) {
        free(b);
        close(fd);
        return reply(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n");
    }
    b->fd = fd;
    b->srv = srv;
    uint64_t len = size ? b->layout.length : 0;
    struct MHD_Response *r =
        MHD_create_response_from_callback(len, 64 * 1024, read_body, b, free_body);
    MHD_add_response_header(r, "ETag", etag);
    MHD_add_response_header(r, "Accept-Ranges", "bytes");
    if (n == 1) {
        char cr[96];
        snprintf(cr, sizeof cr, "bytes %" PRIu64 "-%" PRIu64 "/%" PRIu64, ranges[0].first,
                 ranges[0].last, size);
        MHD_add_response_header(r, "Content-Range", cr);
    } else if (n > 1) {
        char ct[80];
        snprintf(ct, sizeof ct, "multipart/byteranges; boundary=%s", boundary);
        MHD_add_response_header(r, "Content-Type", ct);
    }
    unsigned status = n ? MHD_HTTP_PARTIAL_CONTENT : MHD_HTTP_OK;
    if (!srv->opts.quiet)
        fprintf(stderr, "serve: %s %s -> %u (%u ranges, %" PRIu64 " bytes)\n", log_method, url,
                status, n, len);
    mhd_result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
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
    struct stat st;
    int fd = safe_name(url) ? open_inside(srv, url, &st) : -1;
    if (fd < 0)
        return reply(c, MHD_HTTP_NOT_FOUND, "not found\n");
    char etag[80];
    snprintf(etag, sizeof etag, "\"%" PRIx64 "-%" PRIx64 "-%lx\"", (uint64_t)st.st_size,
             (uint64_t)st.st_mtime, (unsigned long)st.st_ino);
    uint64_t size = (uint64_t)st.st_size;
    const char *inm = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "If-None-Match");
    const char *range = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Range");
    const char *if_range = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "If-Range");
    if (inm && !strcmp(inm, etag)) {
        close(fd);
        return not_modified(c, etag);
    }
    static _Thread_local struct serve_range ranges[SERVE_RANGES_MAX];
    unsigned n = 0;
    if (range && (!if_range || !strcmp(if_range, etag))) {
        if (serve_range_parse(range, size, ranges, &n) == SERVE_RANGE_UNSATISFIABLE) {
            close(fd);
            return unsatisfiable(c, size);
        }
    }
    return send_file(srv, c, fd, size, etag, ranges, n, method, url);
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

/* Raise the soft descriptor limit so `want` connections fit; returns how many do. */
static unsigned fit_connections(unsigned want)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return want;
    rlim_t need = (rlim_t)want + FDS_SPARE;
    if (rl.rlim_cur < need) {
        rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= need ? need : rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
        getrlimit(RLIMIT_NOFILE, &rl);
    }
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need)
        return rl.rlim_cur > 2 * FDS_SPARE ? (unsigned)(rl.rlim_cur - FDS_SPARE) : FDS_SPARE;
    return want;
}

struct sdb_serve *sdb_serve_start(const struct sdb_serve_opts *opts, uint16_t *port)
{
    struct sdb_serve *s = calloc(1, sizeof *s);
    s->opts = *opts;
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(opts->port)};
    if (!realpath(opts->dir, s->root) ||
        inet_pton(AF_INET, opts->bind ? opts->bind : "127.0.0.1", &addr.sin_addr) != 1) {
        free(s);
        return NULL;
    }
    unsigned timeout = opts->timeout_s ? opts->timeout_s : DEFAULT_TIMEOUT_S;
    unsigned limit =
        fit_connections(opts->max_connections ? opts->max_connections : DEFAULT_MAX_CONNECTIONS);
    s->opts.timeout_s = timeout;
    s->opts.max_connections = limit;
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG;
    struct MHD_OptionItem tls[3] = {{MHD_OPTION_END, 0, NULL}};
    if (opts->tls_cert) {
        s->cert = slurp(opts->tls_cert);
        s->key = slurp(opts->tls_key);
        if (!s->cert || !s->key) {
            free(s->cert), free(s->key), free(s);
            return NULL;
        }
        flags |= MHD_USE_TLS;
        tls[0] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0, s->cert};
        tls[1] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, s->key};
        tls[2] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
    }
    s->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, handle, s, MHD_OPTION_SOCK_ADDR, &addr, MHD_OPTION_CONNECTION_TIMEOUT,
        timeout, MHD_OPTION_CONNECTION_LIMIT, limit, MHD_OPTION_ARRAY, tls, MHD_OPTION_END);
    if (!s->daemon) {
        free(s->cert), free(s->key), free(s);
        return NULL;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    *port = info ? info->port : opts->port;
    return s;
}

void sdb_serve_limits(const struct sdb_serve *s, unsigned *timeout_s, unsigned *max_connections)
{
    *timeout_s = s->opts.timeout_s;
    *max_connections = s->opts.max_connections;
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
