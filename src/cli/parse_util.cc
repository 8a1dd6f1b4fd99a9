#include "cli/parse_util.h"

#include <iostream>

namespace olla::cli {

int ReportStatus(const Status& status) {
  if (status.ok()) return 0;
  std::cerr << "Error: " << status.message() << "\n";
  return 1;
}

}  // namespace olla::cli
