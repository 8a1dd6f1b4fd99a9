#include "tools/gguf_summary.h"

#include <algorithm>
#include <map>

#include "base/str_cat.h"
#include "create/model_info.h"
#include <nlohmann/json.hpp>

namespace olla::tools {

std::string FileTypeName(uint32_t file_type) {
  static const std::map<uint32_t, const char*> kNames = {
      {0, "F32"},      {1, "F16"},      {2, "Q4_0"},       {3, "Q4_1"},    {7, "Q8_0"},
      {8, "Q5_0"},     {9, "Q5_1"},     {10, "Q2_K"},      {11, "Q3_K_S"}, {12, "Q3_K_M"},
      {13, "Q3_K_L"},  {14, "Q4_K_S"},  {15, "Q4_K_M"},    {16, "Q5_K_S"}, {17, "Q5_K_M"},
      {18, "Q6_K"},    {19, "IQ2_XXS"}, {20, "IQ2_XS"},    {21, "Q2_K_S"}, {22, "IQ3_XS"},
      {23, "IQ3_XXS"}, {24, "IQ1_S"},   {25, "IQ4_NL"},    {26, "IQ3_S"},  {27, "IQ3_M"},
      {28, "IQ2_S"},   {29, "IQ2_M"},   {30, "IQ4_XS"},    {31, "IQ1_M"},  {32, "BF16"},
      {36, "TQ1_0"},   {37, "TQ2_0"},   {38, "MXFP4_MOE"}, {39, "NVFP4"},  {40, "Q1_0"}};
  auto it = kNames.find(file_type);
  return it == kNames.end() ? "unknown" : it->second;
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
