/*
 * multipart/byteranges bodies (RFC 9110 section 14.6), as the answer to a
 * request for several byte ranges: a push parser that finds each part's
 * Content-Range and hands its bytes on. A part's end is known from its
 * Content-Range alone, so a boundary string inside the data cannot confuse it.
 * RAM: sizeof(struct byteranges) (~300 B), no allocation.
 */
#ifndef SDBOOT_BYTERANGES_H
#define SDBOOT_BYTERANGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct byteranges_ops {
    int (*part)(void *ctx, uint64_t first, uint64_t last); /* a part starts */
    int (*data)(void *ctx, const uint8_t *buf, size_t len);
    void *ctx;
};

struct byteranges {
    char boundary[72];
    uint32_t boundary_len;
    int state;
    char line[200];
    uint32_t line_len;
    bool line_long;
    bool have_range;
    uint64_t first, last, left;
};

/* From the Content-Type; SDB_OTA_EMULTIPART when it is not multipart/byteranges. */
int byteranges_init(struct byteranges *b, const char *content_type);
int byteranges_feed(struct byteranges *b, const uint8_t *data, size_t len,
                    const struct byteranges_ops *ops);
/* SDB_OTA_EMULTIPART unless the closing delimiter was seen. */
int byteranges_finish(const struct byteranges *b);

#endif
