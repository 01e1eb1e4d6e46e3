// A WASI command made into a component with the preview 1 command adapter (build-adapted.sh):
// prints a greeting to stdout and exits 0 when the environment variable WHO is "component",
// 1 otherwise or when writing stdout fails -- so a test sees environment, stdout and exit all
// travel through the adapter's wasi:cli / wasi:io imports.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void) {
    const char *who = getenv("WHO");
    if (printf("hello from a component, %s\n", who ? who : "stranger") < 0 || fflush(stdout) != 0) {
        return 1;
    }
    return who != NULL && strcmp(who, "component") == 0 ? 0 : 1;
}
