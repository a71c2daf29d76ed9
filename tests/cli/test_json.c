/* The CLI's JSON writer (tools/sdboot/json.c): exact bytes for nesting, commas,
 * every escape, invalid UTF-8 replaced, numbers at their limits, too deep. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "json.h"

static char *buf;
static size_t len;
static FILE *out;

static struct json start(void)
{
    out = open_memstream(&buf, &len);
    struct json j;
    json_begin(&j, out);
    return j;
}

static void expect(struct json *j, int rc, const char *want)
{
    assert_int_equal(json_end(j), rc);
    fclose(out);
    assert_string_equal(buf, want);
    free(buf);
}

static void test_nesting_and_commas(void **state)
{
    (void)state;
    struct json j = start();
    json_string(&j, "a", "x");
    json_array(&j, "list");
    json_uint(&j, NULL, 1);
    json_object(&j, NULL);
    json_bool(&j, "t", true);
    json_null(&j, "n");
    json_close(&j);
    json_array(&j, NULL);
    json_close(&j);
    json_close(&j);
    json_object(&j, "empty");
    json_close(&j);
    json_string(&j, "none", NULL);
    expect(&j, 0,
           "{\"a\":\"x\",\"list\":[1,{\"t\":true,\"n\":null},[]],\"empty\":{},\"none\":null}\n");
}

static void test_escapes(void **state)
{
    (void)state;
    struct json j = start();
    json_string(&j, "q\"k", "a\"b\\c/d\n\t\r\b\x01\x1f\x7f");
    expect(&j, 0, "{\"q\\\"k\":\"a\\\"b\\\\c/d\\n\\t\\r\\u0008\\u0001\\u001f\x7f\"}\n");
}

static void test_utf8(void **state)
{
    (void)state;
    struct json j = start();
    /* valid: é, €, U+1F600 kept as they are */
    json_string(&j, "ok", "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
    /* invalid: lone continuation, overlong '/', truncated 3-byte, surrogate, > U+10FFFF, 0xFF */
    json_string(&j, "bad", "\x80|\xc0\xaf|\xe2\x82|\xed\xa0\x80|\xf4\x90\x80\x80|\xff");
    expect(&j, 0,
           "{\"ok\":\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\",\"bad\":\"\\ufffd|\\ufffd\\ufffd|"
           "\\ufffd\\ufffd|\\ufffd\\ufffd\\ufffd|\\ufffd\\ufffd\\ufffd\\ufffd|\\ufffd\"}\n");
}

static void test_numbers_and_errors(void **state)
{
    (void)state;
    struct json j = start();
    json_uint(&j, "max", UINT64_MAX);
    json_int(&j, "min", INT64_MIN);
    json_error(&j, "e", -34, "no such file or directory");
    json_error(&j, "os", 0, "Permission denied");
    expect(&j, 0,
           "{\"max\":18446744073709551615,\"min\":-9223372036854775808,"
           "\"e\":{\"code\":-34,\"message\":\"no such file or directory\"},"
           "\"os\":{\"code\":null,\"message\":\"Permission denied\"}}\n");
}

static void test_end_closes_and_depth_limit(void **state)
{
    (void)state;
    struct json j = start();
    json_array(&j, "a");
    json_object(&j, NULL);
    expect(&j, 0, "{\"a\":[{}]}\n"); /* json_end closes what is open */
    j = start();
    for (int i = 0; i < JSON_MAX_DEPTH + 2; i++)
        json_array(&j, i == 0 ? "deep" : NULL);
    /* too deep: the extra levels are not written, and json_end reports it */
    expect(&j, -1, "{\"deep\":[[[[[[[]]]]]]]}\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nesting_and_commas),
        cmocka_unit_test(test_escapes),
        cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_numbers_and_errors),
        cmocka_unit_test(test_end_closes_and_depth_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
