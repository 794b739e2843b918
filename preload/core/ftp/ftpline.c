/*
 * Each rewrite reads one whole line and writes its replacement into a
 * small buffer; the line loop copies either into the output, which may be
 * the input itself when no replacement is longer than its line.
 */
#include "ftp/ftpline.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define LINE_CAP 96

/* A line's replacement into out (cap bytes): its length, or 0 to keep it. */
typedef size_t line_fn(const char *line, size_t len, char *out, size_t cap, void *arg);

/* Reads a decimal number of at most max at *p; false if there is none. */
static bool number(const char **p, const char *end, unsigned long max, unsigned long *out)
{
    const char *s = *p;
    unsigned long v = 0;

    while (s < end && *s >= '0' && *s <= '9' && s - *p < 6)
        v = v * 10 + (unsigned long)(*s++ - '0');
    if (s == *p || s - *p > 5 || v > max)
        return false;
    *p = s;
    *out = v;
    return true;
}

/* "h1,h2,h3,h4,p1,p2" at *p. */
static bool six_numbers(const char **p, const char *end, unsigned char out[6])
{
    unsigned long v;

    for (int i = 0; i < 6; i++) {
        if (i && (*p >= end || *(*p)++ != ','))
            return false;
        if (!number(p, end, 255, &v))
            return false;
        out[i] = (unsigned char)v;
    }
    return true;
}

/* Whether [p, end) is blanks then the line's end ("\r\n" or "\n"). */
static bool at_eol(const char *p, const char *end)
{
    while (p < end && *p == ' ')
        p++;
    return (end - p == 2 && p[0] == '\r') || end - p == 1;
}

/* `EPRT <d><af><d><addr><d><port><d>` (RFC 2428): the address's text
 * into addr (cap bytes) and the port. */
static bool eprt(const char *p, const char *end, char af, char *addr, size_t cap,
                 unsigned long *port)
{
    const char *a;
    char d;

    if (end - p < 5 || strncasecmp(p, "EPRT ", 5))
        return false;
    p += 5;
    if (end - p < 3 || (d = p[0]) < 33 || d > 126 || p[1] != af || p[2] != d)
        return false;
    a = p += 3;
    while (p < end && *p != d)
        p++;
    if (p >= end || (size_t)(p - a) >= cap || p == a)
        return false;
    memcpy(addr, a, (size_t)(p - a));
    addr[p - a] = '\0';
    p++;
    if (!number(&p, end, 65535, port) || p >= end || *p++ != d)
        return false;
    return at_eol(p, end);
}

/* The port of a `PORT` or `EPRT |1|` line, or -1. */
static long v4_port_command(const char *line, const char *end)
{
    unsigned char six[6];
    char addr[INET_ADDRSTRLEN];
    struct in_addr unused;
    unsigned long port;
    const char *p = line;

    if (end - p > 5 && !strncasecmp(p, "PORT ", 5)) {
        p += 5;
        while (p < end && *p == ' ')
            p++;
        if (!six_numbers(&p, end, six) || !at_eol(p, end))
            return -1;
        return six[4] * 256L + six[5];
    }
    if (!eprt(p, end, '1', addr, sizeof addr, &port) || inet_pton(AF_INET, addr, &unused) != 1)
        return -1;
    return (long)port;
}

static size_t command_out(const char *line, size_t len, char *out, size_t cap, void *arg)
{
    char text[INET6_ADDRSTRLEN];
    long port = v4_port_command(line, line + len);
    int w;

    if (port < 0 || !inet_ntop(AF_INET6, arg, text, sizeof text))
        return 0;
    w = snprintf(out, cap, "EPRT |2|%s|%ld|\r\n", text, port);
    return w > 0 && (size_t)w < cap ? (size_t)w : 0;
}

/* Grows out's rlen bytes to len by inserting fill at offset at: a
 * received line keeps its length, so a program that peeks (MSG_PEEK) and
 * then reads as many bytes as the peek showed finds the same line. */
static size_t pad(char *out, size_t rlen, size_t len, size_t cap, size_t at, char fill)
{
    if (rlen > len || len > cap)
        return 0;
    memmove(out + at + (len - rlen), out + at, rlen - at);
    memset(out + at, fill, len - rlen);
    return len;
}

static size_t command_out4(const char *line, size_t len, char *out, size_t cap, void *arg)
{
    char text[INET6_ADDRSTRLEN], local[INET_ADDRSTRLEN];
    struct in6_addr unused;
    unsigned long port;
    int w;

    if (!eprt(line, line + len, '2', text, sizeof text, &port) ||
        inet_pton(AF_INET6, text, &unused) != 1 || !inet_ntop(AF_INET, arg, local, sizeof local))
        return 0;
    w = snprintf(out, cap, "EPRT |1|%s|%lu|\r\n", local, port);
    return w > 0 && (size_t)w < cap ? (size_t)w : 0;
}

static size_t reply_in(const char *line, size_t len, char *out, size_t cap, void *arg)
{
    const struct in_addr *standin = arg;
    const unsigned char *a = (const unsigned char *)&standin->s_addr;
    const char *p = line + 4, *end = line + len;
    unsigned char six[6];
    int w;

    if (len < 4 || memcmp(line, "227 ", 4))
        return 0;
    while (p < end && (*p < '0' || *p > '9'))     /* RFC 1123 4.1.2.6: scan for the digits */
        p++;
    if (!six_numbers(&p, end, six))
        return 0;
    w = snprintf(out, cap, "227 (%u,%u,%u,%u,%u,%u)\r\n", a[0], a[1], a[2], a[3], six[4], six[5]);
    return w > 0 && (size_t)w < cap ? pad(out, (size_t)w, len, cap, (size_t)w - 2, ' ') : 0;
}

struct map_arg {
    bia_ftpline_map_fn *map;
    void *arg;
};

static size_t command_in(const char *line, size_t len, char *out, size_t cap, void *arg)
{
    const struct map_arg *m = arg;
    char text[INET6_ADDRSTRLEN];
    struct in6_addr v6;
    struct in_addr v4;
    unsigned long port;
    const unsigned char *a = (const unsigned char *)&v4.s_addr;
    int w;

    if (!eprt(line, line + len, '2', text, sizeof text, &port) ||
        inet_pton(AF_INET6, text, &v6) != 1 || !m->map(&v6, &v4, m->arg))
        return 0;
    w = snprintf(out, cap, "PORT %u,%u,%u,%u,%lu,%lu\r\n", a[0], a[1], a[2], a[3], port >> 8,
                 port & 255);
    /* Leading zeros: RFC 959's numbers are decimal, and parsers take them. */
    return w > 0 && (size_t)w < cap ? pad(out, (size_t)w, len, cap, 5, '0') : 0;
}

/*
 * Copies in to out line by line, each whole line through fn. Returns the
 * output's length, or 0 when no line changed or out is too small. out may
 * be in when fn never grows a line.
 */
static size_t each_line(const char *in, size_t n, char *out, size_t cap, line_fn *fn, void *arg)
{
    char repl[LINE_CAP];
    size_t r = 0, w = 0, len, rlen;
    const char *nl;
    bool changed = false;

    if (n > BIA_FTPLINE_MAX_IN)
        return 0;
    while (r < n) {
        nl = memchr(in + r, '\n', n - r);
        len = nl ? (size_t)(nl - (in + r)) + 1 : n - r;
        rlen = nl ? fn(in + r, len, repl, sizeof repl, arg) : 0;
        if (w + (rlen ? rlen : len) > cap)
            return 0;
        if (rlen)
            memcpy(out + w, repl, rlen);
        else
            memmove(out + w, in + r, len);
        changed |= rlen != 0;
        w += rlen ? rlen : len;
        r += len;
    }
    return changed ? w : 0;
}

size_t bia_ftpline_commands_out(const char *in, size_t n, char *out, size_t cap,
                                const struct in6_addr *local6)
{
    return each_line(in, n, out, cap, command_out, (void *)local6);
}

size_t bia_ftpline_commands_out4(const char *in, size_t n, char *out, size_t cap,
                                 struct in_addr local4)
{
    return each_line(in, n, out, cap, command_out4, &local4);
}

size_t bia_ftpline_replies_in(char *buf, size_t n, struct in_addr standin)
{
    size_t w = each_line(buf, n, buf, n, reply_in, &standin);

    return w ? w : n;
}

size_t bia_ftpline_commands_in(char *buf, size_t n, bia_ftpline_map_fn *map, void *arg)
{
    size_t w = each_line(buf, n, buf, n, command_in, &(struct map_arg){map, arg});

    return w ? w : n;
}
