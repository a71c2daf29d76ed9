/*
 * The LM3S6965 evaluation board as the bare-metal port sees it: the UART0
 * console, the SSI0 bus to the SD card, halting, and (under QEMU) the
 * semihosting channel that tests use to pass arguments and collect an exit
 * code. Everything here is polled; no interrupt is enabled.
 *
 * RAM: a few bytes of static state; stack: a few words (the console prints
 * as it formats, with no line buffer).
 */
#ifndef SDB_BOARD_H
#define SDB_BOARD_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "sd_spi.h"

void board_init(void);

/* Console (UART0). */
void board_puts(const char *s);
/* %s %d %u %x only (l for long, a zero-padded width); the core's sdb_fmt
 * stays out of the link. */
void board_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void board_vprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/* The SD card's SPI bus (SSI0, chip select on PD0). */
extern const struct sdb_spi_bus board_sd_bus;

/* Power off. Under QEMU with semihosting the emulator exits with `code`;
 * on hardware the core sleeps until reset. */
__attribute__((noreturn)) void board_halt(int code);
/* Start again from the reset vector (SYSRESETREQ). */
__attribute__((noreturn)) void board_reset(void);

/* Semihosting command line ("" without semihosting); tests use it to choose
 * what a boot does (e.g. "cut=120" for a power cut after 120 sectors). */
const char *board_cmdline(void);
/* Value of "key=N" (decimal) in the command line, or `dflt`. */
uint32_t board_arg(const char *key, uint32_t dflt);

/* Stack use: bytes of the painted stack ever touched (startup.c paints it). */
uint32_t board_stack_used(void);
uint32_t board_stack_size(void);

#endif
