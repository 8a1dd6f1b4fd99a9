#pragma once
// Renders an /api/show response the way `ollama show` prints it (spec §1.13): Model,
// Capabilities, Parameters, System, License sections, plus Metadata and Tensors with --verbose.

#include <nlohmann/json_fwd.hpp>
#include <string>

namespace olla::cli {

std::string RenderShowResponse(const nlohmann::json& show, bool verbose);

}  // namespace olla::cli
