/*
 * Run under qemu-user by test/unit/prebuild-cross.test.ts, cross-compiled
 * for the prebuilt binaries' architecture: the preload library (in
 * LD_PRELOAD) must load and answer a name from the helper (BIA_SOCKET,
 * test/c/fake_helper.py), and the addon given as argv[1] must load as a
 * shared object (its N-API symbols come from node, so lazily: none is
 * called here) and export its module entry point.
 *
 *   cross_load ADDON NAME EXPECTED_IPV4
 */
#include <arpa/inet.h>
#include <dlfcn.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

static int check_addon(const char *path)
{
    void *addon = dlopen(path, RTLD_LAZY | RTLD_LOCAL);

    if (!addon) {
        printf("addon: %s\n", dlerror());
        return 1;
    }
    if (!dlsym(addon, "napi_register_module_v1")) {
        printf("addon: no napi_register_module_v1\n");
        return 1;
    }
    printf("addon: loaded\n");
    return 0;
}

static int check_resolve(const char *name, const char *expected)
{
    struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM}, *ai;
    char text[INET_ADDRSTRLEN];
    int rc = getaddrinfo(name, "80", &hints, &ai);

    if (rc) {
        printf("resolve: %s\n", gai_strerror(rc));
        return 1;
    }
    inet_ntop(AF_INET, &((struct sockaddr_in *)ai->ai_addr)->sin_addr, text, sizeof text);
    freeaddrinfo(ai);
    printf("resolve: %s %s\n", name, text);
    return strcmp(text, expected) != 0;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: cross_load ADDON NAME EXPECTED_IPV4\n");
        return 2;
    }
    return check_addon(argv[1]) | check_resolve(argv[2], argv[3]);
}
