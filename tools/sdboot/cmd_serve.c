/* sdboot serve: serve a release directory for development and the demo. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cli.h"
#include "sdboot/host_serve.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

int cmd_serve(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        printf("usage: sdboot serve DIR [--port N] [--bind ADDR] [--tls-cert C --tls-key K]\n"
               "                    [--timeout SECONDS] [--max-connections N] [--quiet]\n\n"
               "Serve the files of a release directory over HTTP (or HTTPS with a certificate)\n"
               "until SIGINT/SIGTERM: GET and HEAD, byte ranges (several in one request as\n"
               "multipart/byteranges, suffix ranges), ETag, If-None-Match and If-Range.\n"
               "Only plain files directly in DIR are served; a link leading out of DIR is\n"
               "not followed. A connection idle for --timeout seconds (default 30) is closed;\n"
               "at most --max-connections (default 4096) are open at once. --port 0 (the\n"
               "default) picks a free port; the first line printed names the URL.\n");
        return CLI_EXIT_OK;
    }
    struct sdb_serve_opts o = {.bind = "127.0.0.1"};
    for (int i = 1; i < argc; i++) {
        uint64_t v;
        if (!strcmp(argv[i], "--port") && i + 1 < argc) {
            if (!cli_parse_u64(argv[++i], &v) || v > 65535)
                return cli_usage_error("serve", "bad --port");
            o.port = (uint16_t)v;
        } else if (!strcmp(argv[i], "--bind") && i + 1 < argc) {
            o.bind = argv[++i];
        } else if (!strcmp(argv[i], "--tls-cert") && i + 1 < argc) {
            o.tls_cert = argv[++i];
        } else if (!strcmp(argv[i], "--tls-key") && i + 1 < argc) {
            o.tls_key = argv[++i];
        } else if (!strcmp(argv[i], "--timeout") && i + 1 < argc) {
            if (!cli_parse_u64(argv[++i], &v) || !v || v > 86400)
                return cli_usage_error("serve", "bad --timeout (1..86400 seconds)");
            o.timeout_s = (unsigned)v;
        } else if (!strcmp(argv[i], "--max-connections") && i + 1 < argc) {
            if (!cli_parse_u64(argv[++i], &v) || !v || v > 65536)
                return cli_usage_error("serve", "bad --max-connections (1..65536)");
            o.max_connections = (unsigned)v;
        } else if (!strcmp(argv[i], "--quiet")) {
            o.quiet = true;
        } else if (argv[i][0] != '-' && !o.dir) {
            o.dir = argv[i];
        } else {
            return cli_usage_error("serve", "unexpected argument '%s'", argv[i]);
        }
    }
    struct stat st;
    if (!o.dir)
        return cli_usage_error("serve", "needs a directory");
    if (stat(o.dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return cli_fail("serve", "%s is not a directory", o.dir);
    if (!o.tls_cert != !o.tls_key)
        return cli_usage_error("serve", "--tls-cert and --tls-key go together");
    uint16_t port;
    struct sdb_serve *s = sdb_serve_start(&o, &port);
    if (!s)
        return cli_fail("serve", "cannot listen on %s:%u%s", o.bind, o.port,
                        o.tls_cert ? " (or the certificate/key is unreadable)" : "");
    unsigned timeout, limit;
    sdb_serve_limits(s, &timeout, &limit);
    printf("serving %s on %s://%s:%u/ (timeout %u s, at most %u connections)\n", o.dir,
           o.tls_cert ? "https" : "http", o.bind, port, timeout, limit);
    fflush(stdout);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    while (!stop)
        pause();
    sdb_serve_stop(s);
    fprintf(stderr, "serve: stopped\n");
    return CLI_EXIT_OK;
}
