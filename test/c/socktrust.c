/*
 * The socket trust check (preload/core/client/socktrust.c) on its own, for
 * test/unit/socket-trust.test.ts to hold against src/socket-trust.ts:
 *   socktrust PATH [connect]
 * prints "absent", "untrusted WHY" or "trusted OWNER VOUCHED ANYPEER";
 * with connect, a trusted socket is connected to and its listener checked.
 */
#include "../../preload/core/client/socktrust.c"

#include <sys/un.h>

static int peer(const char *path, const struct bia_socktrust *t, char *why)
{
    struct sockaddr_un sun = {.sun_family = AF_UNIX};
    int fd = socket(AF_UNIX, SOCK_STREAM, 0), rc;

    snprintf(sun.sun_path, sizeof sun.sun_path, "%s", path);
    if (connect(fd, (struct sockaddr *)&sun, sizeof sun) < 0) {
        perror("connect");
        exit(2);
    }
    rc = bia_socktrust_peer(fd, path, t, why, BIA_TRUST_WHY_SIZE);
    close(fd);
    return rc;
}

int main(int argc, char **argv)
{
    struct bia_socktrust t;
    char why[BIA_TRUST_WHY_SIZE];
    int rc;

    if (argc < 2)
        return 2;
    rc = bia_socktrust_path(argv[1], &t, why, sizeof why);
    if (rc == BIA_TRUST_OK && argc > 2)
        rc = peer(argv[1], &t, why);
    if (rc == BIA_TRUST_ABSENT)
        printf("absent\n");
    else if (rc == BIA_TRUST_REFUSED)
        printf("untrusted %s\n", why);
    else
        printf("trusted %u %d %d\n", (unsigned)t.owner, t.vouched, t.any_peer);
    return 0;
}
