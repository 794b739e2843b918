/*
 * The published table's reader (preload/core/client/maptable.c) compiled into a
 * test program on its own: the library's settings and log, which it
 * reads, are stubbed; `config.socket_path` says where the table is.
 */
#ifndef BIA_TEST_MAPTABLE_STUBS_H
#define BIA_TEST_MAPTABLE_STUBS_H

#include "../../preload/core/client/maptable.c"
#include "../../preload/core/client/maptable_file.c"
#include "../../preload/core/client/protocol.c"

static struct bia_config config;

const struct bia_config *bia_config(void)
{
    return &config;
}

void bia_log(int level, const char *fmt, ...)
{
    (void)level, (void)fmt;
}

#endif
