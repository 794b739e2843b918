#include "exec/hexrec.h"

#include <string.h>

/* The largest record bia writes, with room to spare. */
#define MAX_RECORD 128

static const char hex[] = "0123456789abcdef";

static int digit(char c)
{
    const char *p = c ? strchr(hex, c) : NULL;

    return p ? (int)(p - hex) : -1;
}

/* Decodes the record at text; false if it is not one. */
static bool decode(const char *text, unsigned char *bytes, size_t size)
{
    for (size_t i = 0; i < size; i++) {
        int hi = digit(text[2 * i]), lo = digit(text[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return false;
        bytes[i] = (unsigned char)(hi << 4 | lo);
    }
    return text[2 * size] == ',' || text[2 * size] == '\0';
}

char *bia_hexrec_encode(char *p, const void *rec, size_t size)
{
    const unsigned char *bytes = rec;

    for (size_t i = 0; i < size; i++) {
        *p++ = hex[bytes[i] >> 4];
        *p++ = hex[bytes[i] & 15];
    }
    return p;
}

bool bia_hexrec_each(const char *value, size_t size, bool (*fn)(const void *rec, void *arg), void *arg)
{
    /* Aligned for any record type fn casts it to. */
    _Alignas(max_align_t) unsigned char rec[MAX_RECORD];

    if (size > sizeof rec)
        return false;
    while (value && strlen(value) >= 2 * size) {
        if (decode(value, rec, size) && fn(rec, arg))
            return true;
        value = strchr(value, ',');
        value = value ? value + 1 : NULL;
    }
    return false;
}
