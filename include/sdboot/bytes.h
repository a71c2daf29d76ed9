/* Little-endian field access for on-card structures (FAT, records).
 *
 * On a little-endian target a field is one memcpy of its bytes, which the
 * compiler turns into a single (unaligned) load or store where the CPU has
 * one (Cortex-M3/M4, x86) and into byte accesses where it has not (Cortex-M0):
 * smaller than composing the value byte by byte, which GCC does not always
 * merge (0.2 KiB of the core on Cortex-M4). Other targets compose the bytes. */
#ifndef SDBOOT_BYTES_H
#define SDBOOT_BYTES_H

#include <stdint.h>
#include <string.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define SDB_LE_CPU 1
#else
#define SDB_LE_CPU 0
#endif

static inline uint16_t sdb_get_le16(const uint8_t *p)
{
#if SDB_LE_CPU
    uint16_t v;
    memcpy(&v, p, sizeof v);
    return v;
#else
    return (uint16_t)(p[0] | (p[1] << 8));
#endif
}

static inline uint32_t sdb_get_le32(const uint8_t *p)
{
#if SDB_LE_CPU
    uint32_t v;
    memcpy(&v, p, sizeof v);
    return v;
#else
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
#endif
}

static inline void sdb_put_le16(uint8_t *p, uint16_t v)
{
#if SDB_LE_CPU
    memcpy(p, &v, sizeof v);
#else
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
#endif
}

static inline void sdb_put_le32(uint8_t *p, uint32_t v)
{
#if SDB_LE_CPU
    memcpy(p, &v, sizeof v);
#else
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
#endif
}

#endif
