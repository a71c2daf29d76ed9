/*
 * The string and memory functions the bootloader calls, written for size:
 * newlib-nano's are unrolled for speed (strcmp alone is 442 bytes) and the
 * bootloader's time goes to the SPI bus, not to these loops. Linked before
 * libc, so libc's versions are never pulled in (1.7 KiB of flash).
 *
 * Built with -fno-builtin and without loop-pattern distribution, so that the
 * compiler does not turn these loops back into calls to themselves. The host
 * test (tests/port/test_libc_small.c) builds them with SDB_SMALL_PREFIX to
 * compare them with the host's libc.
 * RAM: none. Stack: a few words.
 */
#include <stddef.h>

#ifdef SDB_SMALL_PREFIX
#define NAME(f) sdb_small_##f
#else
#define NAME(f) f
#endif

void *NAME(memmove)(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    if (d < s) {
        while (n--)
            *d++ = *s++;
    } else {
        while (n--)
            d[n] = s[n];
    }
    return dst;
}

/* memmove copies forwards whenever that is safe, which is all memcpy does. */
#define STR(x) #x
#define ALIAS(f) __attribute__((alias(STR(f))))
void *NAME(memcpy)(void *restrict dst, const void *restrict src, size_t n) ALIAS(NAME(memmove));

void *NAME(memset)(void *dst, int c, size_t n)
{
    unsigned char *d = dst;
    while (n--)
        *d++ = (unsigned char)c;
    return dst;
}

int NAME(memcmp)(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;
    for (; n; n--, x++, y++)
        if (*x != *y)
            return *x - *y;
    return 0;
}

void *NAME(memchr)(const void *s, int c, size_t n)
{
    for (const unsigned char *p = s; n; n--, p++)
        if (*p == (unsigned char)c)
            return (void *)p;
    return NULL;
}

size_t NAME(strlen)(const char *s)
{
    const char *p = s;
    while (*p)
        p++;
    return (size_t)(p - s);
}

int NAME(strncmp)(const char *a, const char *b, size_t n)
{
    for (; n; n--, a++, b++) {
        unsigned char x = (unsigned char)*a, y = (unsigned char)*b;
        if (x != y || !x)
            return x - y;
    }
    return 0;
}

int NAME(strcmp)(const char *a, const char *b)
{
    return NAME(strncmp)(a, b, (size_t)-1);
}

char *NAME(strcpy)(char *restrict dst, const char *restrict src)
{
    char *d = dst;
    while ((*d++ = *src++))
        ;
    return dst;
}

char *NAME(strchr)(const char *s, int c)
{
    for (;; s++) {
        if (*s == (char)c)
            return (char *)s;
        if (!*s)
            return NULL;
    }
}

char *NAME(strrchr)(const char *s, int c)
{
    const char *last = NULL;
    for (;; s++) {
        if (*s == (char)c)
            last = s;
        if (!*s)
            return (char *)last;
    }
}
