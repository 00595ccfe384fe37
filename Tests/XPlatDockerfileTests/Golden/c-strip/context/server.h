#define GREETING "hello from a static server"
