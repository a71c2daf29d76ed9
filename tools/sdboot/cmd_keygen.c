/* sdboot keygen: an ECDSA P-256 key pair for signing `versions`. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "cli.h"
#include "sdboot/sig.h"

int cmd_keygen(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        printf("usage: sdboot keygen PRIVATE.pem PUBLIC.pem\n\n"
               "Make an ECDSA P-256 key pair. Sign releases with the private key (keep it\n"
               "offline); put the public key on the devices. Existing files are never\n"
               "overwritten.\n");
        return CLI_EXIT_OK;
    }
    if (argc != 3)
        return cli_usage_error("keygen", "needs PRIVATE.pem and PUBLIC.pem");
    struct stat st;
    for (int i = 1; i < 3; i++)
        if (stat(argv[i], &st) == 0)
            return cli_fail("keygen", "%s exists already: not overwriting a key", argv[i]);
    char priv[2048], pub[1024];
    int err = sdb_sig_keygen(priv, sizeof priv, pub, sizeof pub);
    if (err)
        return cli_fail("keygen", "%s", sdb_strerror(err));
    if (cli_write_file(argv[1], priv, strlen(priv), 0600))
        return cli_fail("keygen", "%s: %s", argv[1], strerror(errno));
    if (cli_write_file(argv[2], pub, strlen(pub), 0644)) {
        int saved = errno;
        remove(argv[1]);
        return cli_fail("keygen", "%s: %s", argv[2], strerror(saved));
    }
    printf("wrote %s (private, keep it secret) and %s (public, for devices)\n", argv[1], argv[2]);
    return CLI_EXIT_OK;
}
