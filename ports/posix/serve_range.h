/*
 * Range requests for the release server (serve.c): parse a Range header into
 * the ranges a file of `size` bytes can satisfy, and lay out the body of the
 * answer (the bytes of one range, or a multipart/byteranges body of several).
 *
 * Rules, as nginx applies them (RFC 9110 section 14):
 *   "bytes=a-b"  a..min(b, size-1);  "bytes=a-"  a..size-1;
 *   "bytes=-n"   the last n bytes (the whole file when n >= size);
 *   several ranges separated by commas, each answered in order as given;
 *   a range starting at or past the end is dropped; none left is 416;
 *   a malformed header, or more than SERVE_RANGES_MAX ranges, is ignored
 *   (the whole file is sent with 200, which every client must accept).
 * Host only; the layout is heap-allocated by the caller of serve_layout_*.
 */
#ifndef SDBOOT_SERVE_RANGE_H
#define SDBOOT_SERVE_RANGE_H

#include <stddef.h>
#include <stdint.h>

#define SERVE_RANGES_MAX 256

struct serve_range {
    uint64_t first, last; /* inclusive */
};

enum serve_range_result {
    SERVE_RANGE_NONE = 0,          /* no usable Range: send the whole file (200) */
    SERVE_RANGE_OK = 1,            /* *count >= 1 satisfiable ranges (206) */
    SERVE_RANGE_UNSATISFIABLE = 2, /* 416 */
};

enum serve_range_result serve_range_parse(const char *header, uint64_t size,
                                          struct serve_range *out, unsigned *count);

/* One piece of an answer body: text of the multipart framing, or file bytes. */
struct serve_piece {
    uint64_t at;      /* offset of the piece in the body */
    uint64_t len;     /* its length */
    uint64_t file;    /* file offset (file pieces) */
    const char *text; /* framing text, or NULL for file bytes */
};

struct serve_layout {
    struct serve_piece *pieces;
    unsigned count;
    uint64_t length; /* Content-Length of the body */
    char *text;      /* storage of every framing string */
};

/* The body for `n` ranges: one file piece when n == 1, multipart framing
 * (boundary, Content-Type and Content-Range per part, closing delimiter)
 * around each range otherwise. 0, or -1 when out of memory. */
int serve_layout_make(struct serve_layout *l, const struct serve_range *r, unsigned n,
                      uint64_t size, const char *boundary);
void serve_layout_free(struct serve_layout *l);
/* Index of the piece holding body offset `pos` (pos < l->length). */
unsigned serve_layout_find(const struct serve_layout *l, uint64_t pos);

#endif
