/*
 * Records about sockets carried across exec in an environment variable
 * (BIA_TRANSLATED, BIA_V6PROG): what fdinherit.h and v6inherit.h share.
 * Every record starts with the socket's device and inode (struct
 * bia_envrec_key), which is how a record names its socket; the rest is the
 * module's own. The text form is hexrec.h's.
 *
 * Reading: the variable is looked up once per process, and a record is
 * believed only for the very socket it names (and what the module's match
 * function checks). Writing: this process's sockets first, once each even
 * when several descriptors share one, then the carried records for other
 * sockets, at most BIA_ENVREC_MAX in all; on the stack, no allocation, so
 * async-signal-safe and fine in a vfork child.
 */
#ifndef BIA_ENVREC_H
#define BIA_ENVREC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BIA_ENVREC_MAX 32   /* records carried at most */

/* The first member of every record. */
struct bia_envrec_key {
    uint64_t dev, ino;
} __attribute__((packed));

/* One variable; a static object per variable, {.name = ...}. */
struct bia_envrec_var {
    const char *name;
    const char *value;   /* set once looked */
    bool looked;
};

/* The inherited value (NULL: none, the usual case): one getenv per process. */
const char *bia_envrec_inherited(struct bia_envrec_var *var);

/*
 * The inherited record of size bytes for the socket on fd: calls match
 * with each record naming that socket's device and inode until it returns
 * true (having filled out); returns that record's index in the variable,
 * or -1 when none matched. Leaves errno alone.
 */
int bia_envrec_find(struct bia_envrec_var *var, int fd, size_t size,
                     bool (*match)(const void *rec, int fd, void *out), void *out);

struct bia_envrec_writer {
    char *p;
    size_t size;
    int count, owned;
    struct bia_envrec_key own[BIA_ENVREC_MAX];   /* this process's sockets */
};

/* Starts "NAME=" at text for records of size bytes. */
void bia_envrec_begin(struct bia_envrec_writer *w, char *text, const char *name, size_t size);

/* Adds one of this process's records (skipped if its socket is already
 * there); returns whether there is room for more. */
bool bia_envrec_add_own(struct bia_envrec_writer *w, const void *rec);

/* Adds the records of carried (may be NULL) for sockets not already there
 * and ends the text; returns false, the text unusable, when no record of
 * this process's was added. */
bool bia_envrec_finish(struct bia_envrec_writer *w, const char *carried);

#endif
