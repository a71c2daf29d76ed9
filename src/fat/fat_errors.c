/* Scaffold: replaced by the layer's real error table. */
#include <stddef.h>
#include "sdboot/error.h"

const char *sdb_fat_strerror(int err)
{
    (void)err;
    return NULL;
}
