#pragma once
// Ollama's template catalogue (spec §9.3): named Go templates with their default stop words, and
// auto-detection of one from a GGUF/safetensors `tokenizer.chat_template` on import.
//
// Detection compares the chat template with every known Jinja variant (37 of them) by Levenshtein
// distance over Unicode code points; the closest variant (the first one on a tie) selects its Go
// template if the distance is < 100. The data (catalog_data.cc) is generated from templates/ (the
// same files as upstream's template/ directory) by templates/gen_catalog.py.

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "base/status.h"

namespace olla::chat {

struct NamedTemplate {
  std::string_view name;                   // "chatml", "llama3-instruct", ...
  std::string_view go_template;            // the .gotmpl text
  std::span<const std::string_view> stop;  // default PARAMETER stop values (may be empty)
};

// All named templates, sorted by name.
std::span<const NamedTemplate> NamedTemplates();

// The template called `name`, or nullptr.
const NamedTemplate* FindNamedTemplate(std::string_view name);

struct DetectedTemplate {
  const NamedTemplate* tmpl = nullptr;
  size_t distance = 0;  // Levenshtein distance to the closest known Jinja variant
};

// Closest catalogue entry for a Jinja chat template; NotFound ("no matching template found") if
// no variant is within distance 99.
Result<DetectedTemplate> DetectNamedTemplate(std::string_view chat_template);

// The params layer Ollama writes for a detected template: {"stop":[...]} (compact, Go encoding),
// or "" when the template has no stop words.
std::string NamedTemplateParamsJson(const NamedTemplate& t);

// Levenshtein distance between the code points of `a` and `b` (invalid UTF-8 bytes count as
// U+FFFD, as Go's []rune conversion does). Returns `limit` if the distance is >= `limit`.
size_t LevenshteinDistance(std::string_view a, std::string_view b, size_t limit);

namespace internal {
struct JinjaVariant {
  std::string_view name;
  std::string_view jinja;
};
extern const NamedTemplate kNamedTemplates[];
extern const size_t kNumNamedTemplates;
extern const JinjaVariant kJinjaVariants[];
extern const size_t kNumJinjaVariants;
}  // namespace internal

}  // namespace olla::chat
