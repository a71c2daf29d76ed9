/* Messages for the OTA client's and transports' error codes. */
#include <stddef.h>
#include "sdboot/ota.h"

const char *sdb_ota_strerror(int err)
{
    switch (err) {
    case SDB_OTA_EHTTP:
        return "server answered with an unexpected HTTP status";
    case SDB_OTA_ETOOBIG:
        return "versions file too large";
    case SDB_OTA_ESIZE:
        return "release is larger than its signed size";
    case SDB_OTA_ENOSIZE:
        return "release size unknown";
    case SDB_OTA_EURL:
        return "URL too long or malformed";
    case SDB_OTA_ERETRIES:
        return "every retry failed";
    case SDB_OTA_ENOTSTAGED:
        return "stage called without a successful check";
    case SDB_NET_ETIMEOUT:
        return "network timeout (or slower than the minimum throughput)";
    case SDB_NET_ERESET:
        return "connection reset before the answer ended";
    case SDB_NET_ETLS:
        return "TLS handshake or certificate verification failed";
    case SDB_NET_EREDIRECTS:
        return "too many redirects";
    case SDB_OTA_ENOSPACE:
        return "release does not fit in the card's free space";
    case SDB_OTA_ENODELTA:
        return "no delta possible here: whole download";
    case SDB_OTA_ERANGE:
        return "server answered other bytes than the range asked";
    case SDB_OTA_EMULTIPART:
        return "malformed multipart/byteranges answer";
    case SDB_OTA_EMULTI:
        return "server answered several ranges unlike asked";
    case SDB_OTA_ENORANGE:
        return "server ignored Range";
    case SDB_OTA_EREFUSED:
        return "the bootloader refused this release: not downloaded again until a newer one is "
               "published";
    case SDB_NET_ECONNECT:
        return "cannot connect to the server";
    case SDB_NET_ELENGTH:
        return "answer shorter than its Content-Length";
    case SDB_NET_EPROTO:
        return "malformed HTTP answer";
    default:
        return NULL;
    }
}
