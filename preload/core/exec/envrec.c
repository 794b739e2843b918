#include "exec/envrec.h"

#include "exec/hexrec.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

const char *bia_envrec_inherited(struct bia_envrec_var *var)
{
    if (!__atomic_load_n(&var->looked, __ATOMIC_ACQUIRE)) {
        __atomic_store_n(&var->value, getenv(var->name), __ATOMIC_RELAXED);
        __atomic_store_n(&var->looked, true, __ATOMIC_RELEASE);
    }
    return __atomic_load_n(&var->value, __ATOMIC_RELAXED);
}

struct search {
    int fd;
    struct stat st;
    bool (*match)(const void *rec, int fd, void *out);
    void *out;
    int index;   /* of the record being looked at */
};

static bool same_socket(const void *rec, void *arg)
{
    const struct bia_envrec_key *key = rec;
    struct search *s = arg;

    s->index++;
    return key->dev == (uint64_t)s->st.st_dev && key->ino == (uint64_t)s->st.st_ino &&
           s->match(rec, s->fd, s->out);
}

int bia_envrec_find(struct bia_envrec_var *var, int fd, size_t size,
                    bool (*match)(const void *rec, int fd, void *out), void *out)
{
    struct search s = {.fd = fd, .match = match, .out = out};
    const char *value = bia_envrec_inherited(var);
    int saved = errno;
    bool found;

    if (!value)
        return -1;
    found = fstat(fd, &s.st) == 0 && S_ISSOCK(s.st.st_mode) && bia_hexrec_each(value, size, same_socket, &s);
    errno = saved;
    return found ? s.index - 1 : -1;
}

void bia_envrec_begin(struct bia_envrec_writer *w, char *text, const char *name, size_t size)
{
    size_t len = strlen(name);

    memcpy(text, name, len);
    text[len] = '=';
    *w = (struct bia_envrec_writer){.p = text + len + 1, .size = size};
}

static bool owned(const struct bia_envrec_writer *w, const struct bia_envrec_key *key)
{
    for (int i = 0; i < w->owned; i++)
        if (w->own[i].dev == key->dev && w->own[i].ino == key->ino)
            return true;
    return false;
}

static void append(struct bia_envrec_writer *w, const void *rec)
{
    if (w->count++)
        *w->p++ = ',';
    w->p = bia_hexrec_encode(w->p, rec, w->size);
}

bool bia_envrec_add_own(struct bia_envrec_writer *w, const void *rec)
{
    const struct bia_envrec_key *key = rec;

    if (owned(w, key))
        return true;                  /* the same socket on another descriptor */
    if (w->count == BIA_ENVREC_MAX)
        return false;
    w->own[w->owned++] = *key;
    append(w, rec);
    return w->count < BIA_ENVREC_MAX;
}

static bool append_carried(const void *rec, void *arg)
{
    struct bia_envrec_writer *w = arg;

    if (!owned(w, rec))
        append(w, rec);
    return w->count == BIA_ENVREC_MAX;
}

bool bia_envrec_finish(struct bia_envrec_writer *w, const char *carried)
{
    if (!w->owned)
        return false;
    if (w->count < BIA_ENVREC_MAX)
        bia_hexrec_each(carried, w->size, append_carried, w);
    *w->p = '\0';
    return true;
}
