// The one list of supported architectures.

#include "base/str_cat.h"
#include "engine/arch/arch.h"

namespace olla::engine {

extern const ArchSpec kLlamaArch;

namespace {
const ArchSpec* const kArchs[] = {&kLlamaArch};
}  // namespace

Result<const ArchSpec*> FindArch(std::string_view name) {
  for (const ArchSpec* a : kArchs)
    if (a->gguf_name == name) return a;
  return Status::Unsupported(StrCat("unsupported model architecture '", name, "' (supported: ", SupportedArchList(), ")"));
}

std::string SupportedArchList() {
  std::string out;
  for (const ArchSpec* a : kArchs) StrAppend(out, out.empty() ? "" : ", ", a->gguf_name);
  return out;
}

}  // namespace olla::engine
