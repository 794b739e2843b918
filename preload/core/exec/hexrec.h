/*
 * The text form of the records bia hands a new program in its environment
 * (BIA_TRANSLATED, BIA_V6PROG): each record is the fixed-width hex of a
 * packed struct's bytes (the exec'd program runs on the same machine, so
 * native byte order is fine, and fixed-width hex is trivial to check),
 * records separated by commas. No allocation: usable in a vfork child.
 */
#ifndef BIA_HEXREC_H
#define BIA_HEXREC_H

#include <stdbool.h>
#include <stddef.h>

/* Writes the 2*size hex digits of rec at p; returns the end. */
char *bia_hexrec_encode(char *p, const void *rec, size_t size);

/* Calls fn on each well-formed record (size bytes) of value until it
 * returns true; returns whether one did. Malformed records are skipped. */
bool bia_hexrec_each(const char *value, size_t size, bool (*fn)(const void *rec, void *arg), void *arg);

#endif
