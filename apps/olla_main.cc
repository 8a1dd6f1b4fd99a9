// The olla executable: every command lives in src/cli.
#include "cli/cli.h"

int main(int argc, char** argv) { return olla::cli::Main(argc, argv); }
