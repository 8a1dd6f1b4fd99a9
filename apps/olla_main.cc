// The olla executable: the commands live in src/cli (API client and serve) and src/tools (bench,
// debug, run FILE.gguf).
#include "cli/cli.h"

int main(int argc, char** argv) { return olla::cli::Main(argc, argv); }
