#include <stdio.h>
#include "server.h"

int main(void) {
    puts(GREETING);
    return 0;
}
