#include "v6text.h"

#include <stdio.h>

/* Where the first longest run of two or more zero groups starts (-1: none) and its length. */
static int zero_run(const unsigned groups[8], int *run_len)
{
    int best = -1, best_len = 1;

    for (int i = 0; i < 8; ) {
        int j = i;
        while (j < 8 && !groups[j])
            j++;
        if (j - i > best_len) {
            best = i;
            best_len = j - i;
        }
        i = j > i ? j : i + 1;
    }
    *run_len = best_len;
    return best;
}

void v6text(const struct in6_addr *a, char out[V6TEXT_SIZE])
{
    unsigned groups[8];
    int run_len, run, n = 0;

    for (int i = 0; i < 8; i++)
        groups[i] = (unsigned)a->s6_addr[2 * i] << 8 | a->s6_addr[2 * i + 1];
    run = zero_run(groups, &run_len);
    for (int i = 0; i < 8; i++) {
        if (i == run) {
            n += snprintf(out + n, V6TEXT_SIZE - n, "::");
            i += run_len - 1;
            continue;
        }
        n += snprintf(out + n, V6TEXT_SIZE - n, "%s%x", n && out[n - 1] != ':' ? ":" : "", groups[i]);
    }
}
