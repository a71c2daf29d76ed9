/*
 * A deliberately misbehaving HTTP server for the OTA tests. Loopback only, one
 * connection at a time, and it exits by itself after 60 s or 200 requests.
 *
 *   badserver DIR MODE PORTFILE
 *
 * Serves DIR's files (GET, Range: the first range asked only, as a plain 206)
 * but breaks the release file (the one not named versions*) or the manifest in
 * the way MODE says: ok, reset_once, stall, shortlen, longlen, 404, 500, loop,
 * endless, bigger, wronghash, badsig, norange_reset, norange (Range ignored),
 * wrongbytes (one byte of every range answer flipped). Writes its port to PORTFILE; on exit prints
 * the body bytes it sent in total ("sent N").
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *dir, *mode;
static unsigned long long sent;
static int release_requests;

static void on_term(int sig)
{
    (void)sig;
    printf("sent %llu\n", sent);
    fflush(stdout);
    _exit(0);
}

static void say(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(int fd, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (write(fd, buf, (size_t)n) < 0)
        return;
}

static void body(int fd, const unsigned char *data, size_t len)
{
    if (len && write(fd, data, len) == (ssize_t)len)
        sent += len;
}

static unsigned char *load(const char *name, size_t *len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    unsigned char *buf = malloc(1 << 24);
    *len = fread(buf, 1, 1 << 24, f);
    fclose(f);
    return buf;
}

static void serve(int fd)
{
    char req[4096] = {0};
    ssize_t n = read(fd, req, sizeof req - 1);
    if (n <= 0)
        return;
    char name[512] = "";
    if (sscanf(req, "GET /%511s", name) != 1)
        return;
    unsigned long long from = 0, to = ~0ull;
    const char *range = strstr(req, "Range: bytes=");
    if (range) { /* the first range only: several asked get one answered */
        char *end;
        from = strtoull(range + 13, &end, 10);
        if (*end == '-' && end[1] >= '0' && end[1] <= '9')
            to = strtoull(end + 1, NULL, 10);
    }
    bool manifest = !strcmp(name, "versions"), sig = !strcmp(name, "versions.sig");
    size_t name_len = strlen(name);
    bool index = name_len > 4 && !strcmp(name + name_len - 4, ".idx"); /* always served as is */
    bool release = !manifest && !sig && !index;
    if (!strcmp(mode, "404") || (!strcmp(mode, "500") && release)) {
        say(fd, "HTTP/1.1 %s\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            !strcmp(mode, "404") ? "404 Not Found" : "500 Internal Server Error");
        return;
    }
    if (!strcmp(mode, "loop")) {
        say(fd, "HTTP/1.1 302 Found\r\nLocation: /%s\r\nContent-Length: 0\r\n\r\n", name);
        return;
    }
    if (!strcmp(mode, "endless") && manifest) {
        say(fd, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n");
        char junk[4096];
        memset(junk, '#', sizeof junk);
        for (int i = 0; i < 4096; i++) /* 16 MiB at most, then give up */
            if (write(fd, junk, sizeof junk) < 0)
                return;
        return;
    }
    size_t len;
    unsigned char *data = load(name, &len);
    if (!data) {
        say(fd, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
        return;
    }
    if (sig && !strcmp(mode, "badsig"))
        data[len / 2] ^= 0x01;
    if (release) {
        release_requests++;
        if (!strcmp(mode, "wronghash"))
            data[len / 2] ^= 0x01;
        if (!strcmp(mode, "bigger"))
            len += 4096; /* the buffer is large; extra bytes are whatever is there */
    }
    bool honour =
        range && !(release && (!strcmp(mode, "norange_reset") || !strcmp(mode, "norange")));
    size_t start = honour && from < len ? (size_t)from : 0;
    size_t stop = honour && to < len - 1 ? (size_t)to + 1 : len;
    size_t count = stop - start;
    if (release && honour && !strcmp(mode, "wrongbytes"))
        data[start + count / 2] ^= 0x01; /* a range's bytes, not the whole file's */
    size_t claim = count;
    if (release && !strcmp(mode, "shortlen"))
        claim = count / 2;
    if (release && !strcmp(mode, "longlen"))
        claim = count + 1000;
    if (honour)
        say(fd,
            "HTTP/1.1 206 Partial Content\r\nETag: \"v1\"\r\nContent-Range: bytes "
            "%zu-%zu/%zu\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
            start, stop - 1, len, claim);
    else
        say(fd,
            "HTTP/1.1 200 OK\r\nETag: \"v1\"\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
            claim);
    if (release && !strcmp(mode, "stall")) {
        body(fd, data + start, count / 4);
        sleep(30);
        free(data);
        return;
    }
    bool cut = release && release_requests == 1 &&
               (!strcmp(mode, "reset_once") || !strcmp(mode, "norange_reset"));
    size_t out = cut ? count / 2 : (claim < count ? claim : count);
    unsigned long long before = sent;
    body(fd, data + start, out);
    if (release)
        printf("request %d from %zu sent %llu\n", release_requests, start, sent - before);
    fflush(stdout);
    if (cut) { /* reset: RST instead of FIN */
        struct linger lg = {1, 0};
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    }
    free(data);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: badserver DIR MODE PORTFILE\n");
        return 2;
    }
    dir = argv[1];
    mode = argv[2];
    signal(SIGTERM, on_term);
    signal(SIGALRM, on_term);
    signal(SIGPIPE, SIG_IGN);
    alarm(60);
    int s = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof a;
    if (bind(s, (struct sockaddr *)&a, sizeof a) || listen(s, 8) ||
        getsockname(s, (struct sockaddr *)&a, &alen))
        return 1;
    FILE *pf = fopen(argv[3], "w");
    fprintf(pf, "%u\n", ntohs(a.sin_port));
    fclose(pf);
    for (int i = 0; i < 200; i++) {
        int c = accept(s, NULL, NULL);
        if (c < 0)
            break;
        serve(c);
        close(c);
    }
    on_term(0);
}
