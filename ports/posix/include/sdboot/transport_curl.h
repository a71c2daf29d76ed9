/* The host transport on libcurl: http, https (CA file or pinned key), file://. */
#ifndef SDBOOT_TRANSPORT_CURL_H
#define SDBOOT_TRANSPORT_CURL_H

#include "sdboot/transport.h"

struct sdb_curl_opts {
    const char *ca_file;    /* PEM bundle for https; NULL = system default */
    const char *pinned_key; /* "sha256//BASE64" or a PEM public key file; NULL = none */
    long connect_timeout_s; /* 0 = 10 */
    long stall_timeout_s;   /* abort when slower than min_bytes_per_s for this long (0 = 15) */
    long min_bytes_per_s;   /* 0 = 1 */
    long max_redirects;     /* 0 = 5 */
};

struct sdb_curl {
    struct sdb_curl_opts opts;
    sdb_transport_t transport;
};

void sdb_curl_init(struct sdb_curl *c, const struct sdb_curl_opts *opts);

#endif
