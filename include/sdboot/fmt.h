/*
 * A small string formatter for log lines and paths, so that a bootloader
 * needs no printf from its libc (newlib-nano's vsnprintf pulls ~3 KiB of code
 * and its allocator with it).
 *
 * Conversions: %s %c %d %u %x and %%, the length modifier l (%lu, %ld, %lx),
 * and a width for numbers, space- or zero-padded (%4u, %08lx). Anything else is copied as it
 * stands. Like snprintf: the output is always NUL-terminated when cap > 0 and
 * the return value is the length the whole output needs, so `>= cap` means
 * it was cut.
 *
 * RAM: none. Stack: a few words (no buffer of its own).
 */
#ifndef SDBOOT_FMT_H
#define SDBOOT_FMT_H

#include <stdarg.h>
#include <stddef.h>

#if defined(__GNUC__)
#define SDB_FMT_CHECK(f, a) __attribute__((format(printf, f, a)))
#else
#define SDB_FMT_CHECK(f, a)
#endif

int sdb_vfmt(char *out, size_t cap, const char *fmt, va_list ap);
int sdb_fmt(char *out, size_t cap, const char *fmt, ...) SDB_FMT_CHECK(3, 4);

#endif
