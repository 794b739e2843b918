/* Executes its arguments (execvp): built with musl-gcc, a musl program
 * that starts another program, for the musl preload's exec hooks. */
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    execvp(argv[1], argv + 1);
    perror(argv[1]);
    return 127;
}
