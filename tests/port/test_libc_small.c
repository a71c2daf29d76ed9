/*
 * The bare-metal bootloader's own string and memory functions
 * (ports/baremetal/libc_small.c, built here as sdb_small_*) against the host's
 * libc: the same results (sign of comparisons, returned pointers, bytes
 * written) on random buffers and strings of every length 0..300, overlapping
 * moves both ways, and the edge cases (empty strings, NUL searched, bytes
 * above 0x7f compared as unsigned).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

void *sdb_small_memcpy(void *restrict dst, const void *restrict src, size_t n);
void *sdb_small_memmove(void *dst, const void *src, size_t n);
void *sdb_small_memset(void *dst, int c, size_t n);
int sdb_small_memcmp(const void *a, const void *b, size_t n);
void *sdb_small_memchr(const void *s, int c, size_t n);
size_t sdb_small_strlen(const char *s);
int sdb_small_strncmp(const char *a, const char *b, size_t n);
int sdb_small_strcmp(const char *a, const char *b);
char *sdb_small_strcpy(char *restrict dst, const char *restrict src);
char *sdb_small_strchr(const char *s, int c);
char *sdb_small_strrchr(const char *s, int c);

static int sign(int v)
{
    return (v > 0) - (v < 0);
}

static void fill(unsigned char *b, size_t n, int alphabet)
{
    for (size_t i = 0; i < n; i++)
        b[i] = (unsigned char)(alphabet ? 1 + rand() % alphabet : rand());
}

static void memory(void **state)
{
    (void)state;
    unsigned char a[400], b[400], want[400], got[400];
    for (size_t n = 0; n <= 300; n++) {
        fill(a, n, 0);
        memcpy(b, a, n);
        if (n)
            b[rand() % n] ^= (unsigned char)(1 + rand() % 255);
        assert_int_equal(sign(sdb_small_memcmp(a, b, n)), sign(memcmp(a, b, n)));
        assert_int_equal(sdb_small_memcmp(a, a, n), 0);
        int c = n ? a[rand() % n] : 0x80;
        assert_ptr_equal(sdb_small_memchr(a, c, n), memchr(a, c, n));
        assert_ptr_equal(sdb_small_memchr(a, c + 256, n), memchr(a, c + 256, n));
        memset(got, 0x55, sizeof got);
        memset(want, 0x55, sizeof want);
        assert_ptr_equal(sdb_small_memcpy(got + 1, a, n), got + 1);
        memcpy(want + 1, a, n);
        assert_memory_equal(got, want, sizeof got);
        assert_ptr_equal(sdb_small_memset(got, 0x1a5, n), got);
        memset(want, 0x1a5, n);
        assert_memory_equal(got, want, sizeof got);
        /* overlapping moves, forwards and backwards */
        for (int shift = -3; shift <= 3; shift++) {
            fill(got, sizeof got, 0);
            memcpy(want, got, sizeof got);
            assert_ptr_equal(sdb_small_memmove(got + 50 + shift, got + 50, n), got + 50 + shift);
            memmove(want + 50 + shift, want + 50, n);
            assert_memory_equal(got, want, sizeof got);
        }
    }
}

static void strings(void **state)
{
    (void)state;
    char a[320], b[320], got[320], want[320];
    for (size_t n = 0; n <= 300; n++) {
        for (int round = 0; round < 4; round++) {
            fill((unsigned char *)a, n,
                 round < 2 ? 3 : 255); /* few letters: long common prefixes */
            a[n] = '\0';
            memcpy(b, a, n + 1);
            if (round & 1 && n)
                b[rand() % n] = (char)(1 + rand() % 255);
            if (round == 3)
                b[n / 2] = '\0';
            assert_int_equal(sdb_small_strlen(a), strlen(a));
            assert_int_equal(sign(sdb_small_strcmp(a, b)), sign(strcmp(a, b)));
            assert_int_equal(sign(sdb_small_strcmp(b, a)), sign(strcmp(b, a)));
            size_t k = (size_t)rand() % (n + 2);
            assert_int_equal(sign(sdb_small_strncmp(a, b, k)), sign(strncmp(a, b, k)));
            int c = n ? (unsigned char)a[rand() % n] : 'x';
            assert_ptr_equal(sdb_small_strchr(a, c), strchr(a, c));
            assert_ptr_equal(sdb_small_strrchr(a, c), strrchr(a, c));
            assert_ptr_equal(sdb_small_strchr(a, 0), strchr(a, 0));
            assert_ptr_equal(sdb_small_strrchr(a, 0), strrchr(a, 0));
            memset(got, 0x55, sizeof got);
            memset(want, 0x55, sizeof want);
            assert_ptr_equal(sdb_small_strcpy(got, a), got);
            strcpy(want, a);
            assert_memory_equal(got, want, sizeof got);
        }
    }
    assert_true(sdb_small_strcmp("\x80", "\x7f") > 0); /* unsigned, as libc */
    assert_true(sdb_small_strncmp("ab\x90", "ab\x10", 3) > 0);
    assert_int_equal(sdb_small_strcmp("", ""), 0);
    assert_null(sdb_small_strchr("abc", 'z'));
}

int main(void)
{
    srand(7);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(memory),
        cmocka_unit_test(strings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
