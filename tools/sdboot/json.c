/* Streaming JSON writer with one escaping routine (see json.h for the contract). */
#include <inttypes.h>
#include <string.h>
#include "json.h"

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when it is not one. */
static size_t utf8_length(const unsigned char *s)
{
    unsigned c = s[0];
    size_t n = c < 0x80             ? 1
               : (c & 0xE0) == 0xC0 ? 2
               : (c & 0xF0) == 0xE0 ? 3
               : (c & 0xF8) == 0xF0 ? 4
                                    : 0;
    if (n == 0 || (n == 2 && c < 0xC2) || (n == 4 && c > 0xF4))
        return 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    if (n == 3 && ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] >= 0xA0)))
        return 0; /* overlong, or a UTF-16 surrogate */
    if (n == 4 && ((c == 0xF0 && s[1] < 0x90) || (c == 0xF4 && s[1] >= 0x90)))
        return 0; /* overlong, or above U+10FFFF */
    return n;
}

static void put_escaped(FILE *out, const char *text)
{
    const unsigned char *s = (const unsigned char *)text;
    fputc('"', out);
    while (*s) {
        size_t n = utf8_length(s);
        if (n == 0) {
            fputs("\\ufffd", out);
            s++;
            continue;
        }
        unsigned c = *s;
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c == '\n')
            fputs("\\n", out);
        else if (c == '\t')
            fputs("\\t", out);
        else if (c == '\r')
            fputs("\\r", out);
        else if (c < 0x20)
            fprintf(out, "\\u%04x", c);
        else
            fwrite(s, 1, n, out);
        s += n;
    }
    fputc('"', out);
}

/* The comma and key before a member. */
static void member(struct json *j, const char *key)
{
    if (j->has_members[j->depth])
        fputc(',', j->out);
    j->has_members[j->depth] = true;
    if (key) {
        put_escaped(j->out, key);
        fputc(':', j->out);
    }
}

static void open_nested(struct json *j, const char *key, char bracket)
{
    if (j->depth + 1 >= JSON_MAX_DEPTH) {
        j->failed = true;
        return;
    }
    member(j, key);
    fputc(bracket, j->out);
    j->depth++;
    j->has_members[j->depth] = false;
}

void json_begin(struct json *j, FILE *out)
{
    memset(j, 0, sizeof *j);
    j->out = out;
    fputc('{', out);
    j->closer[0] = '}';
}

void json_object(struct json *j, const char *key)
{
    open_nested(j, key, '{');
    if (!j->failed)
        j->closer[j->depth] = '}';
}

void json_array(struct json *j, const char *key)
{
    open_nested(j, key, '[');
    if (!j->failed)
        j->closer[j->depth] = ']';
}

void json_close(struct json *j)
{
    if (j->depth == 0)
        return;
    fputc(j->closer[j->depth], j->out);
    j->depth--;
}

int json_end(struct json *j)
{
    while (j->depth > 0)
        json_close(j);
    fputs("}\n", j->out);
    return fflush(j->out) || ferror(j->out) || j->failed ? -1 : 0;
}

void json_string(struct json *j, const char *key, const char *value)
{
    member(j, key);
    if (value)
        put_escaped(j->out, value);
    else
        fputs("null", j->out);
}

void json_uint(struct json *j, const char *key, uint64_t value)
{
    member(j, key);
    fprintf(j->out, "%" PRIu64, value);
}

void json_int(struct json *j, const char *key, int64_t value)
{
    member(j, key);
    fprintf(j->out, "%" PRId64, value);
}

void json_bool(struct json *j, const char *key, bool value)
{
    member(j, key);
    fputs(value ? "true" : "false", j->out);
}

void json_null(struct json *j, const char *key)
{
    member(j, key);
    fputs("null", j->out);
}

void json_error(struct json *j, const char *key, int code, const char *message)
{
    json_object(j, key);
    if (code)
        json_int(j, "code", code);
    else
        json_null(j, "code");
    json_string(j, "message", message);
    json_close(j);
}
