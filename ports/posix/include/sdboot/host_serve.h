/* A static release server on libmicrohttpd (host): GET/HEAD of the files of
 * one directory, with a single byte Range, strong ETags, If-None-Match and
 * If-Range. For development and the demo; production is any web server. */
#ifndef SDBOOT_HOST_SERVE_H
#define SDBOOT_HOST_SERVE_H

#include <stdbool.h>
#include <stdint.h>

struct sdb_serve_opts {
    const char *dir;
    const char *bind;     /* IPv4 address, default 127.0.0.1 */
    uint16_t port;        /* 0 = any free port */
    const char *tls_cert; /* PEM files for https, or NULL */
    const char *tls_key;
    bool quiet; /* no line per request */
};

struct sdb_serve;

/* Start serving in background threads; *port gets the port in use. NULL on failure. */
struct sdb_serve *sdb_serve_start(const struct sdb_serve_opts *opts, uint16_t *port);
void sdb_serve_stop(struct sdb_serve *s);
/* Bytes of file bodies sent so far (tests count what a resume saved). */
uint64_t sdb_serve_bytes_sent(const struct sdb_serve *s);

#endif
