/* CRC-32 (IEEE 802.3, the zlib/PNG polynomial), bitwise: no table, 0 bytes of RAM. */
#ifndef SDBOOT_CRC32_H
#define SDBOOT_CRC32_H

#include <stddef.h>
#include <stdint.h>

/* Start with crc = 0; feed chunks by passing the previous result back in. */
uint32_t sdb_crc32(uint32_t crc, const void *data, size_t len);

#endif
