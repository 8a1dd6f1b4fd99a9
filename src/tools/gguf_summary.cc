#include "tools/gguf_summary.h"

#include <algorithm>
#include <map>

#include "base/str_cat.h"
#include "create/model_info.h"
#include "store/config.h"
#include <nlohmann/json.hpp>

namespace olla::tools {

std::string FileTypeName(uint32_t file_type) {
  return std::string(store::FileTypeLabel(file_type));
}

std::string QuantizationLabel(const gguf::File& file) {
  if (auto ft = file.metadata().GetUint("general.file_type"); ft.ok())
    return FileTypeName(static_cast<uint32_t>(*ft));
  std::map<tensor::DType, uint64_t> elems;
  for (const auto& t : file.tensors())
    if (t.ne.size() >= 2) elems[t.type] += t.n_elems;
  if (elems.empty()) return "unknown";
  auto best = std::max_element(elems.begin(), elems.end(),
                               [](const auto& a, const auto& b) { return a.second < b.second; });
  return std::string(tensor::Name(best->first));
}

Result<nlohmann::json> ShowJsonForFile(const std::string& path) {
  OLLA_ASSIGN_OR_RETURN(gguf::File file, gguf::File::Open(path));
  nlohmann::json details = {{"quantization_level", QuantizationLabel(file)}};
  return nlohmann::json{{"model_info", create::ModelInfoJson(file, true)},
                        {"tensors", create::TensorsJson(file)},
                        {"details", details}};
}

}  // namespace olla::tools
