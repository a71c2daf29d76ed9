/* Log lines go to the port's callback (UART, stdout); nothing is kept. */
#include <stdarg.h>
#include "boot_internal.h"
#include "sdboot/fmt.h"

#if SDBOOT_LOG

void boot_log(struct sdboot *b, const char *fmt, ...)
{
    if (!b->cfg.log)
        return;
    char line[256]; /* the longest message (a damaged card, with its reason) fits */
    va_list ap;
    va_start(ap, fmt);
    sdb_vfmt(line, sizeof line, fmt, ap);
    va_end(ap);
    b->cfg.log(b->cfg.log_ctx, line);
}
#endif
