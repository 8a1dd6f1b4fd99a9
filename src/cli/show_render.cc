#include "cli/show_render.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>

#include "base/str_cat.h"
#include "cli/human.h"
#include "cli/table.h"

namespace olla::cli {

using nlohmann::json;

namespace {

// A model_info value as `ollama show --verbose` prints it: bools true/false, floats %g, arrays
// abbreviated to about ten columns "[a b ...+N more]".
std::string Display(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_number_float()) return StrFormat("%g", v.get<double>());
  if (v.is_number()) return v.dump();
  if (v.is_array()) {
    std::string out = "[";
    size_t shown = 0, width = 0;
    for (const auto& item : v) {
      std::string s =
          item.is_string() ? StrCat("\"", item.get<std::string>(), "\"") : Display(item);
      if (shown > 0 && width + s.size() > 10) break;
      out += (shown ? " " : "") + s;
      width += s.size() + 1;
      ++shown;
    }
    if (shown < v.size()) StrAppend(out, shown ? " " : "", "...+", v.size() - shown, " more");
    return out + "]";
  }
  return v.dump();
}

std::string FirstLines(const std::string& text) {
  std::istringstream in(text);
  std::string line, out;
  int n = 0;
  bool more = false;
  while (std::getline(in, line)) {
    size_t b = line.find_first_not_of(" \t\r"), e = line.find_last_not_of(" \t\r");
    if (b == std::string::npos) continue;
    if (n == 2) {
      more = true;
      break;
    }
    out += (n ? "\n" : "") + line.substr(b, e - b + 1);
    ++n;
  }
  return more ? out + "\n..." : out;
}

}  // namespace

std::string RenderShowResponse(const json& show, bool verbose) {
  const json info = show.value("model_info", json::object());
  const json details = show.value("details", json::object());
  const std::string arch = info.contains("general.architecture")
                               ? info["general.architecture"].get<std::string>()
                               : details.value("family", "");
  Section model{"Model", {}};
  model.rows.push_back({"architecture", arch});
  std::string params = details.value("parameter_size", "");
  if (params.empty() && info.contains("general.parameter_count"))
    params = HumanNumber(info["general.parameter_count"].get<uint64_t>());
  model.rows.push_back({"parameters", params});
  if (info.contains(arch + ".context_length"))
    model.rows.push_back({"context length", Display(info[arch + ".context_length"])});
  if (info.contains(arch + ".embedding_length"))
    model.rows.push_back({"embedding length", Display(info[arch + ".embedding_length"])});
  model.rows.push_back({"quantization", details.value("quantization_level", "")});
  std::string out = RenderSection(model);

  if (show.contains("capabilities") && !show["capabilities"].empty()) {
    Section caps{"Capabilities", {}};
    for (const auto& c : show["capabilities"]) caps.rows.push_back({c.get<std::string>()});
    out += RenderSection(caps);
  }
  if (show.contains("parameters")) {
    Section p{"Parameters", {}};
    std::istringstream in(show["parameters"].get<std::string>());
    std::string line;
    while (std::getline(in, line)) {
      std::istringstream cells(line);
      std::vector<std::string> row;
      std::string cell;
      while (cells >> cell) row.push_back(cell);
      if (!row.empty()) p.rows.push_back(row);
    }
    out += RenderSection(p);
  }
  if (show.contains("system") && !show["system"].get<std::string>().empty())
    out += RenderSection({"System", {{FirstLines(show["system"].get<std::string>())}}});
  if (show.contains("license") && !show["license"].get<std::string>().empty())
    out += RenderSection({"License", {{FirstLines(show["license"].get<std::string>())}}});
  if (!verbose) return out;

  Section meta{"Metadata", {}};
  std::vector<std::string> keys;
  for (auto it = info.begin(); it != info.end(); ++it) keys.push_back(it.key());
  std::sort(keys.begin(), keys.end());
  for (const auto& k : keys) meta.rows.push_back({k, Display(info[k])});
  out += RenderSection(meta);
  if (show.contains("tensors")) {
    Section tensors{"Tensors", {}};
    for (const auto& t : show["tensors"]) {
      std::string shape = "[";
      bool first = true;
      for (const auto& d : t["shape"]) {
        shape += (first ? "" : " ") + d.dump();
        first = false;
      }
      tensors.rows.push_back({t.value("name", ""), t.value("type", ""), shape + "]"});
    }
    out += RenderSection(tensors);
  }
  return out;
}

}  // namespace olla::cli
