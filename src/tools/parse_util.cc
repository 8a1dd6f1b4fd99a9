#include "tools/parse_util.h"

#include <charconv>

#include "base/str_cat.h"

namespace olla::tools {

Result<std::vector<int32_t>> ParseIdList(const std::string& text) {
  std::vector<int32_t> out;
  std::string s = text;
  if (!s.empty() && s.front() == '[') s.erase(0, 1);
  if (!s.empty() && s.back() == ']') s.pop_back();
  size_t pos = 0;
  while (pos < s.size()) {
    size_t comma = s.find(',', pos);
    if (comma == std::string::npos) comma = s.size();
    std::string item = s.substr(pos, comma - pos);
    size_t b = item.find_first_not_of(" \t\n"), e = item.find_last_not_of(" \t\n");
    if (b == std::string::npos)
      return Status::InvalidArgument(StrCat("empty token id in '", text, "'"));
    item = item.substr(b, e - b + 1);
    int32_t v = 0;
    auto res = std::from_chars(item.data(), item.data() + item.size(), v);
    if (res.ec != std::errc() || res.ptr != item.data() + item.size())
      return Status::InvalidArgument(StrCat("invalid token id '", item, "'"));
    out.push_back(v);
    pos = comma + 1;
  }
  return out;
}

Result<tensor::DType> ParseKvType(const std::string& text) {
  auto t = tensor::ParseDType(text);
  if (!t || (*t != tensor::DType::kF16 && *t != tensor::DType::kF32 && *t != tensor::DType::kQ8_0))
    return Status::InvalidArgument(
        StrCat("unsupported KV cache type '", text, "' (use f16, q8_0 or f32)"));
  return *t;
}

}  // namespace olla::tools
