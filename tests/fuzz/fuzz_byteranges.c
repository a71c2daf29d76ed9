/* Fuzz: the multipart/byteranges parser of delta downloads. The first line of
 * the input is the Content-Type, the rest the body, fed in two chunks. */
#include <stdint.h>
#include <string.h>
#include "../../src/ota/byteranges.h"

static int on_part(void *ctx, uint64_t first, uint64_t last)
{
    (void)ctx;
    return last - first > (1u << 20) ? -1 : 0; /* as the client: a part it did not ask for stops */
}

static int on_data(void *ctx, const uint8_t *buf, size_t len)
{
    uint64_t *sum = ctx;
    for (size_t i = 0; i < len; i++)
        *sum += buf[i];
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nl = memchr(data, '\n', size);
    if (!nl || nl - data >= 128)
        return 0;
    char ct[128];
    memcpy(ct, data, (size_t)(nl - data));
    ct[nl - data] = '\0';
    const uint8_t *body = nl + 1;
    size_t len = size - (size_t)(body - data), split = len ? body[0] % (len + 1) : 0;
    struct byteranges b;
    uint64_t sum = 0;
    struct byteranges_ops ops = {on_part, on_data, &sum};
    if (byteranges_init(&b, ct))
        return 0;
    if (!byteranges_feed(&b, body, split, &ops) &&
        !byteranges_feed(&b, body + split, len - split, &ops))
        byteranges_finish(&b);
    return 0;
}
