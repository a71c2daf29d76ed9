/* Fuzz: SemVer parsing and precedence must agree with itself. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "sdboot/semver.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *split = memchr(data, '\n', size);
    if (!split)
        return 0;
    char a[80], b[80];
    size_t la = (size_t)(split - data), lb = size - la - 1;
    if (la >= sizeof a || lb >= sizeof b)
        return 0;
    memcpy(a, data, la), a[la] = 0;
    memcpy(b, split + 1, lb), b[lb] = 0;
    struct sdb_semver x, y;
    if (sdb_semver_parse(a, 0, &x) || sdb_semver_parse(b, 0, &y))
        return 0;
    int xy = sdb_semver_compare(&x, &y), yx = sdb_semver_compare(&y, &x);
    if ((xy > 0) != (yx < 0) || (xy == 0) != (yx == 0))
        abort(); /* antisymmetry */
    return 0;
}
