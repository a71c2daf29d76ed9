/* LM3S6965 evaluation board: console, SD bus, halt and semihosting (board.h). */
#include <stdarg.h>
#include <string.h>
#include "board.h"
#include "lm3s6965.h"

/* ---- console ---- */

static void uart_putc(char c)
{
    while (UART0_FR & UART_FR_TXFF)
        ;
    UART0_DR = (uint32_t)(unsigned char)c;
}

void board_puts(const char *s)
{
    while (*s)
        uart_putc(*s++);
}

static void put_number(unsigned long v, unsigned base, unsigned width)
{
    char digits[11]; /* 32 bits in decimal */
    unsigned n = 0;
    do {
        digits[n++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v);
    for (; width > n; width--)
        uart_putc('0');
    while (n)
        uart_putc(digits[--n]);
}

/* Straight to the UART, no line buffer: the conversions the port prints
 * (%s %d %u %x, long with l, a zero-padded width as in %08lx). */
void board_vprintf(const char *fmt, va_list ap)
{
    for (const char *p = fmt; *p; p++) {
        if (*p != '%') {
            uart_putc(*p);
            continue;
        }
        unsigned width = 0;
        while (*++p >= '0' && *p <= '9')
            width = width * 10 + (unsigned)(*p - '0');
        bool is_long = *p == 'l';
        p += is_long;
        if (*p == 's') {
            board_puts(va_arg(ap, const char *));
            continue;
        }
        unsigned long v = is_long     ? va_arg(ap, unsigned long)
                          : *p == 'd' ? (unsigned long)(long)va_arg(ap, int)
                                      : va_arg(ap, unsigned);
        if (*p == 'd' && (long)v < 0) {
            uart_putc('-');
            v = 0ul - v;
        }
        put_number(v, *p == 'x' ? 16 : 10, width);
    }
}

void board_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    board_vprintf(fmt, ap);
    va_end(ap);
}

/* ---- SSI0: SPI mode 0, 8-bit frames, master ---- */

static void sd_select(void *ctx, bool selected)
{
    (void)ctx;
    while (SSI0_SR & SSI_SR_BSY)
        ;
    GPIO_DATA(GPIOD_BASE, SD_CS_PIN) = selected ? 0 : SD_CS_PIN;
}

/* Keep up to a FIFO's depth of bytes in flight: the receive FIFO is as deep
 * as the transmit one, so it never overflows. */
static void sd_xfer(void *ctx, const uint8_t *tx, uint8_t *rx, size_t n)
{
    (void)ctx;
    size_t sent = 0, got = 0;
    while (got < n) {
        while (sent < n && sent - got < SSI_FIFO_DEPTH && (SSI0_SR & SSI_SR_TNF))
            SSI0_DR = tx ? tx[sent++] : (sent++, 0xFFu);
        while (got < sent && (SSI0_SR & SSI_SR_RNE)) {
            uint8_t b = (uint8_t)SSI0_DR;
            if (rx)
                rx[got] = b;
            got++;
        }
    }
}

const struct sdb_spi_bus board_sd_bus = {.select = sd_select, .xfer = sd_xfer, .ctx = NULL};

void board_init(void)
{
    SYSCTL_RCGC1 |= (1u << 0) | (1u << 4); /* UART0, SSI0 */
    SYSCTL_RCGC2 |= (1u << 0) | (1u << 3); /* GPIO A, D */
    /* UART0 115200 8N1 from the 12 MHz oscillator (QEMU ignores the rate). */
    UART0_CTL = 0;
    UART0_IBRD = 6;
    UART0_FBRD = 33;
    UART0_LCRH = 0x60;
    UART0_CTL = 0x301; /* enable, transmit, receive */
    /* Card chip select: PD0 output, high (deselected). */
    GPIO_DEN(GPIOD_BASE) |= SD_CS_PIN;
    GPIO_DIR(GPIOD_BASE) |= SD_CS_PIN;
    GPIO_DATA(GPIOD_BASE, SD_CS_PIN) = SD_CS_PIN;
    GPIO_AFSEL(GPIOA_BASE) |= SSI0_PINS;
    GPIO_DEN(GPIOA_BASE) |= SSI0_PINS;
    /* SSI0: Freescale SPI, mode 0, 8 data bits; 400 kHz from 12 MHz for
     * bring-up (prescale 30). */
    SSI0_CR1 = 0;
    SSI0_CPSR = 30;
    SSI0_CR0 = 0x07;
    SSI0_CR1 = SSI_CR1_SSE;
}

/* ---- semihosting (ARM "Angel" interface, BKPT 0xAB on M-profile) ---- */

#define SEMI_SYS_GET_CMDLINE 0x15
#define SEMI_SYS_EXIT_EXTENDED 0x20
#define SEMI_APPLICATION_EXIT 0x20026

static int semihost(int op, void *arg)
{
    register int r0 __asm__("r0") = op;
    register void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

/* Semihosting traps with a debug event; without a debugger or QEMU's
 * semihosting that is a hard fault, so it is used only when QEMU says so:
 * tests build with SDB_QEMU. */
#ifdef SDB_QEMU
#define HAVE_SEMIHOSTING 1
#else
#define HAVE_SEMIHOSTING 0
#endif

void board_halt(int code)
{
    if (HAVE_SEMIHOSTING) {
        uint32_t block[2] = {SEMI_APPLICATION_EXIT, (uint32_t)code};
        semihost(SEMI_SYS_EXIT_EXTENDED, block);
    }
    for (;;)
        __asm__ volatile("wfi");
}

void board_reset(void)
{
    SCB_AIRCR = AIRCR_SYSRESET;
    for (;;)
        ;
}

static char cmdline[128];
static bool cmdline_read;

const char *board_cmdline(void)
{
    if (!cmdline_read && HAVE_SEMIHOSTING) {
        uint32_t block[2] = {(uint32_t)(uintptr_t)cmdline, sizeof cmdline - 1};
        if (semihost(SEMI_SYS_GET_CMDLINE, block) != 0)
            cmdline[0] = '\0';
    }
    cmdline_read = true;
    return cmdline;
}

static uint32_t decimal(const char *p)
{
    uint32_t v = 0;
    while (*p >= '0' && *p <= '9')
        v = v * 10 + (uint32_t)(*p++ - '0');
    return v;
}

uint32_t board_arg(const char *key, uint32_t dflt)
{
    size_t klen = strlen(key);
    for (const char *p = board_cmdline(); *p;) {
        while (*p == ' ')
            p++;
        if (strncmp(p, key, klen) == 0 && p[klen] == '=')
            return decimal(p + klen + 1);
        while (*p && *p != ' ')
            p++;
    }
    return dflt;
}
