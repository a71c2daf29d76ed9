/* A static release server on libmicrohttpd (host): GET/HEAD of the files of
 * one directory, with byte ranges as nginx answers them (one range as a plain
 * 206, several as multipart/byteranges, suffix ranges, 416 with the size),
 * strong ETags, If-None-Match and If-Range; HEAD carries the true
 * Content-Length. Robust like a production server: idle connections are closed
 * after a timeout, connections are capped, thousands of idle ones cost no
 * thread, and a link leading out of the directory is never followed.
 * For development, tests and the demo; production is any web server. */
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
    bool quiet;               /* no line per request */
    unsigned timeout_s;       /* close a connection idle this long (0 = 30 s) */
    unsigned max_connections; /* accepted at once (0 = 4096; capped by the file limit) */
};

struct sdb_serve;

/* Start serving in background threads; *port gets the port in use. NULL on failure. */
struct sdb_serve *sdb_serve_start(const struct sdb_serve_opts *opts, uint16_t *port);
/* The timeout and connection limit in force (after defaults and the file limit). */
void sdb_serve_limits(const struct sdb_serve *s, unsigned *timeout_s, unsigned *max_connections);
void sdb_serve_stop(struct sdb_serve *s);
/* Bytes of file bodies sent so far (tests count what a resume saved). */
uint64_t sdb_serve_bytes_sent(const struct sdb_serve *s);

#endif
