/*
 * A small streaming JSON writer for the CLI's --json output (docs/cli-json.md).
 * Members are written as they come, so a command can stream an array (boot log
 * lines, tar entries) while it works. Strings are escaped here and nowhere
 * else: quote, backslash and control characters, and any byte sequence that is
 * not valid UTF-8 becomes U+FFFD, so the output always parses. Nesting is at
 * most JSON_MAX_DEPTH levels (a deeper open is ignored and marks the writer
 * failed). State: a few bytes in struct json, owned by the caller; no malloc.
 */
#ifndef SDBOOT_CLI_JSON_H
#define SDBOOT_CLI_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 8

struct json {
    FILE *out;
    unsigned depth;
    bool failed;
    bool has_members[JSON_MAX_DEPTH]; /* a comma is due before the next member */
    char closer[JSON_MAX_DEPTH];      /* '}' or ']' for each open level (0: the top) */
};

/* Start the top-level object on out. */
void json_begin(struct json *j, FILE *out);
/* Close every open array/object, end the line; 0, or -1 when writing failed. */
int json_end(struct json *j);

/* Members: key names the member inside an object; pass NULL inside an array. */
void json_object(struct json *j, const char *key);
void json_array(struct json *j, const char *key);
void json_close(struct json *j); /* the innermost open object or array */
void json_string(struct json *j, const char *key, const char *value); /* NULL: null */
void json_uint(struct json *j, const char *key, uint64_t value);
void json_int(struct json *j, const char *key, int64_t value);
void json_bool(struct json *j, const char *key, bool value);
void json_null(struct json *j, const char *key);

/* {"code": code, "message": message} (code 0 is written as null). */
void json_error(struct json *j, const char *key, int code, const char *message);

#endif
