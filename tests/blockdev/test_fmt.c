/*
 * sdb_fmt (the core's formatter, fmt.h) against the C library's snprintf for
 * every conversion it supports: the same bytes, the same return value, at
 * every output capacity (cut lines stay NUL-terminated), and what it does
 * with a conversion it does not know.
 */
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "sdboot/fmt.h"

/* Both formatters at capacities 0..len+2; the outputs must agree. */
static void same(const char *fmt, ...)
{
    char want[256], got[256];
    va_list ap, aq;
    va_start(ap, fmt);
    va_copy(aq, ap);
    int n = vsnprintf(want, sizeof want, fmt, ap);
    va_end(ap);
    for (size_t cap = 0; cap <= (size_t)n + 2; cap++) {
        va_list a2;
        va_copy(a2, aq);
        memset(got, 0x55, sizeof got);
        int m = sdb_vfmt(got, cap, fmt, a2);
        va_end(a2);
        assert_int_equal(m, n);
        if (cap == 0) {
            assert_int_equal((unsigned char)got[0], 0x55); /* nothing written */
            continue;
        }
        size_t keep = (size_t)n < cap ? (size_t)n : cap - 1;
        if (memcmp(got, want, keep) || got[keep] != '\0')
            fail_msg("'%s' at cap %zu: got '%s', want '%.*s'", fmt, cap, got, (int)keep, want);
    }
    va_end(aq);
}

static void conversions(void **state)
{
    (void)state;
    same("plain text");
    same("");
    same("%s and %s", "one", "");
    same("%c%c%c", 'a', 'b', 'c');
    same("100%% sure");
    same("%d %d %d %d", 0, -1, INT_MAX, INT_MIN);
    same("%u %u", 0u, UINT_MAX);
    same("%x %x", 0u, 0xdeadbeefu);
    same("%ld %ld %lu %lx", LONG_MAX, LONG_MIN, ULONG_MAX, 0x1234abcdul);
    same("%02x%02x %08lx %08lx", 0x5u, 0xaau, 0x1ul, 0xfedcba98ul);
    same("%4u|%03d|%03d|%5d", 7u, -5, 12345, -42);
    same("sdboot: %s: spi_commands=%lu sectors_read=%lu (%d%%)", "install", 53659ul, 44002ul, 99);
}

static void random_numbers(void **state)
{
    (void)state;
    srand(1);
    for (int i = 0; i < 20000; i++) {
        unsigned long v = ((unsigned long)rand() << 16) ^ (unsigned long)rand();
        int w = rand() % 12;
        char fmt[32];
        snprintf(fmt, sizeof fmt, "[%%0%dlx|%%%dlu|%%0%dd|%%%dd]", w, w, w, w);
        same(fmt, v, v, (int)v, -(int)(v % 1000));
    }
}

static void unknown_conversion(void **state)
{
    (void)state;
    char out[32];
    /* shown as written, arguments not consumed (formats the compiler cannot see) */
    const char *unknown = "a%qb%s", *cut = "end%";
    assert_int_equal(sdb_fmt(out, sizeof out, unknown, "x"), 5);
    assert_string_equal(out, "a%qbx");
    assert_int_equal(sdb_fmt(out, sizeof out, cut), 4);
    assert_string_equal(out, "end%");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(conversions),
        cmocka_unit_test(random_numbers),
        cmocka_unit_test(unknown_conversion),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
