// The one list of supported architectures (CONVENTIONS.md C4): one row per engine/arch/<name>.cc.

#include "base/str_cat.h"
#include "engine/arch/arch.h"

namespace olla::engine {

extern const ArchSpec kLlamaArch, kQwen2Arch, kQwen3Arch, kGemmaArch, kGemma2Arch, kGemma3Arch,
    kPhi3Arch, kBertArch;
extern const ArchSpec kGraniteArch, kOlmo2Arch, kNomicBertArch, kGemmaEmbeddingArch, kQwen3MoeArch,
    kGptOssArch;
// foreign_archs.cc: architectures olla does not run.
const ArchTraits& ForeignArchTraits(std::string_view gguf_name);

namespace {
const ArchSpec* const kArchs[] = {
    &kLlamaArch,
    &kQwen2Arch,
    &kQwen3Arch,
    &kGemmaArch,
    &kGemma2Arch,
    &kGemma3Arch,
    &kPhi3Arch,
    &kBertArch,
    // Second set (issue #15).
    &kGraniteArch,
    &kOlmo2Arch,
    &kNomicBertArch,
    &kGemmaEmbeddingArch,
    &kQwen3MoeArch,
    &kGptOssArch,
};
}  // namespace

Result<const ArchSpec*> FindArch(std::string_view name) {
  for (const ArchSpec* a : kArchs)
    if (a->gguf_name == name) return a;
  return Status::Unsupported(
      StrCat("unsupported model architecture '", name, "' (supported: ", SupportedArchList(), ")"));
}

const ArchTraits& ArchTraitsFor(std::string_view gguf_name) {
  for (const ArchSpec* a : kArchs)
    if (a->gguf_name == gguf_name) return a->traits;
  return ForeignArchTraits(gguf_name);
}

std::string SupportedArchList() {
  std::string out;
  for (const ArchSpec* a : kArchs) StrAppend(out, out.empty() ? "" : ", ", a->gguf_name);
  return out;
}

}  // namespace olla::engine
