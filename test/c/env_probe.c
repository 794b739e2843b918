/*
 * What a program sees of bia: whether it runs in secure-execution mode,
 * whether libbia.so is mapped into it, and what gethostbyname answers for
 * each name given. Used by test/e2e/secure-and-env.test.ts, set-uid and not.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>

static int library_mapped(void)
{
    char line[4096];
    int found = 0;
    FILE *maps = fopen("/proc/self/maps", "r");

    while (maps && fgets(line, sizeof line, maps))
        found |= strstr(line, "/libbia.so") != NULL;
    if (maps)
        fclose(maps);
    return found;
}

int main(int argc, char **argv)
{
    printf("secure %lu\nmapped %d\n", getauxval(AT_SECURE), library_mapped());
    for (int i = 1; i < argc; i++) {
        struct hostent *h = gethostbyname(argv[i]);
        char text[INET_ADDRSTRLEN];

        if (h && h->h_addrtype == AF_INET)
            printf("%s %s\n", argv[i], inet_ntop(AF_INET, h->h_addr_list[0], text, sizeof text));
        else
            printf("%s h_errno %d\n", argv[i], h_errno);
    }
    return 0;
}
