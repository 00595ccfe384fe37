#include <stdio.h>

int main(int argc, char **argv) {
    printf("greetings from %s\n", argc > 1 ? argv[1] : "nowhere");
    return 0;
}
