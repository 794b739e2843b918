/*
 * A read-modify-write of the record: the translation is one part of it,
 * and the others (the socket's history, an IPV6_V6ONLY bia lifted) stay
 * as they were for the same socket.
 */
#include "fd/fdtable.h"

#include "fd/fdinherit.h"

bool bia_fdtable_get_id(int fd, struct bia_fdinfo *out, struct bia_fdid *id)
{
    struct bia_sockrec rec;

    id->known = false;
    if (bia_sockrec_get(fd, BIA_REC_TRANSLATED, &rec)) {
        *id = (struct bia_fdid){.known = true, .dev = rec.dev, .ino = rec.ino};
        *out = rec.tr;
        return true;
    }
    if (!bia_fdinherit_find(fd, out))
        return false;
    bia_fdtable_set(fd, out);   /* a cache: fine if it cannot */
    return true;
}

bool bia_fdtable_get(int fd, struct bia_fdinfo *out)
{
    struct bia_fdid id;

    return bia_fdtable_get_id(fd, out, &id);
}

/* Stores info in rec, which names fd's socket. */
static bool store(int fd, struct bia_sockrec *rec, const struct bia_fdinfo *info)
{
    bia_sockrec_fill(fd, rec);
    if (info->v4local.s_addr == 0 && (rec->parts & BIA_REC_TRANSLATED)) {
        struct in_addr local = rec->tr.v4local;
        rec->tr = *info;
        rec->tr.v4local = local;
    } else {
        rec->tr = *info;
    }
    rec->parts |= BIA_REC_TRANSLATED;
    return bia_sockrec_put(fd, rec);
}

bool bia_fdtable_set(int fd, const struct bia_fdinfo *info)
{
    struct bia_sockrec rec;

    return bia_sockrec_identify(fd, &rec) && store(fd, &rec, info);
}

bool bia_fdtable_set_id(int fd, const struct bia_fdid *id, const struct bia_fdinfo *info)
{
    if (!id->known)
        return bia_fdtable_set(fd, info);
    return store(fd, &(struct bia_sockrec){.dev = id->dev, .ino = id->ino}, info);
}

struct each {
    bia_fdtable_fn *fn;
    void *arg;
};

static bool each_translated(int fd, const struct bia_sockrec *rec, void *arg)
{
    struct each *e = arg;

    return e->fn(fd, rec->dev, rec->ino, &rec->tr, e->arg);
}

void bia_fdtable_each(bia_fdtable_fn *fn, void *arg)
{
    bia_sockrec_each(BIA_REC_TRANSLATED, each_translated, &(struct each){fn, arg});
}

bool bia_fdtable_held_elsewhere(unsigned long dev, unsigned long ino, unsigned first, unsigned last)
{
    return bia_sockrec_held_elsewhere(dev, ino, BIA_REC_TRANSLATED, first, last);
}
