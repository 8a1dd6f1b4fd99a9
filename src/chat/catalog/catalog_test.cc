// Template catalogue: every named template parses, every known Jinja variant maps back to its
// name, real chat templates are recognised (or not) as Ollama would, and Levenshtein limits.

#include "chat/catalog/catalog.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "chat/go/go_template.h"

namespace olla::chat {
namespace {

std::string ReadTestdata(const std::string& rel) {
  std::ifstream in(std::string(OLLA_CHAT_TESTDATA) + "/" + rel, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(CatalogTest, NamedTemplatesParse) {
  EXPECT_EQ(NamedTemplates().size(), 21u);
  for (const NamedTemplate& t : NamedTemplates()) {
    auto parsed = GoTemplate::Parse(t.go_template);
    EXPECT_TRUE(parsed.ok()) << t.name << ": " << parsed.status().ToString();
    EXPECT_EQ(FindNamedTemplate(t.name), &t);
  }
  EXPECT_EQ(FindNamedTemplate("nope"), nullptr);
  ASSERT_NE(FindNamedTemplate("chatml"), nullptr);
  EXPECT_EQ(NamedTemplateParamsJson(*FindNamedTemplate("chatml")),
            R"({"stop":["\u003c|im_start|\u003e","\u003c|im_end|\u003e"]})");
  EXPECT_EQ(
      NamedTemplateParamsJson(*FindNamedTemplate("llama3-instruct")),
      R"({"stop":["\u003c|start_header_id|\u003e","\u003c|end_header_id|\u003e","\u003c|eot_id|\u003e"]})");
  EXPECT_EQ(NamedTemplateParamsJson(*FindNamedTemplate("mistral-instruct")), "");
}

TEST(CatalogTest, EveryJinjaVariantDetectsItsTemplate) {
  ASSERT_EQ(internal::kNumJinjaVariants, 37u);
  for (size_t i = 0; i < internal::kNumJinjaVariants; ++i) {
    const auto& v = internal::kJinjaVariants[i];
    auto d = DetectNamedTemplate(v.jinja);
    ASSERT_TRUE(d.ok()) << v.name;
    EXPECT_EQ(d->tmpl->name, v.name) << "variant " << i;
    EXPECT_EQ(d->distance, 0u) << "variant " << i;
  }
}

TEST(CatalogTest, DetectsRealChatTemplates) {
  const struct {
    const char* file;
    const char* want;  // "" = no match (the model keeps its Jinja template)
  } cases[] = {
      {"jinja/gemma2.jinja", "gemma-instruct"},
      {"jinja/llama3.1.jinja", "llama3-instruct"},
      {"jinja/phi3-mini.jinja", "phi-3"},
      {"jinja/mistral-v0.1.jinja", "mistral-instruct"},
      {"jinja/command-r.jinja", "command-r"},
      {"jinja/command-r7b.jinja", "cohere2"},
      {"jinja/qwen2.5.jinja", ""},
      {"jinja/gemma3.jinja", ""},
      {"jinja/mistral-v0.3.jinja", ""},
  };
  for (const auto& c : cases) {
    std::string text = ReadTestdata(c.file);
    ASSERT_FALSE(text.empty()) << c.file;
    auto d = DetectNamedTemplate(text);
    if (*c.want == '\0') {
      EXPECT_FALSE(d.ok()) << c.file << " matched " << (d.ok() ? d->tmpl->name : "");
      if (!d.ok()) {
        EXPECT_EQ(d.status().message(), "no matching template found");
      }
    } else {
      ASSERT_TRUE(d.ok()) << c.file;
      EXPECT_EQ(d->tmpl->name, c.want) << c.file;
    }
  }
  // Small edits still match; the distance is reported.
  std::string chatml = std::string(internal::kJinjaVariants[6].jinja);
  auto d = DetectNamedTemplate(chatml + "{# a comment #}");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->tmpl->name, "chatml");
  EXPECT_EQ(d->distance, 15u);
  EXPECT_FALSE(DetectNamedTemplate("").ok());
  EXPECT_FALSE(DetectNamedTemplate("{{ messages }}").ok());
}

// catalog_data.cc is generated; this fails if it was not regenerated after editing catalog/.
TEST(CatalogTest, GeneratedDataMatchesCatalogFiles) {
  for (const NamedTemplate& t : NamedTemplates()) {
    std::ifstream in(std::string(OLLA_CHAT_CATALOG_DIR) + "/" + std::string(t.name) + ".gotmpl",
                     std::ios::binary);
    ASSERT_TRUE(in) << t.name;
    std::ostringstream ss;
    ss << in.rdbuf();
    EXPECT_EQ(ss.str(), t.go_template)
        << t.name << ": run src/chat/catalog/templates/gen_catalog.py";
  }
}

TEST(CatalogTest, Levenshtein) {
  EXPECT_EQ(LevenshteinDistance("kitten", "sitting", 100), 3u);
  EXPECT_EQ(LevenshteinDistance("", "abc", 100), 3u);
  EXPECT_EQ(LevenshteinDistance("abc", "abc", 100), 0u);
  EXPECT_EQ(LevenshteinDistance("héllo", "hello", 100), 1u);  // code points, not bytes
  EXPECT_EQ(LevenshteinDistance("abcdef", "ghijkl", 3), 3u);  // capped at the limit
  EXPECT_EQ(LevenshteinDistance(std::string(500, 'a'), std::string(400, 'a'), 100), 100u);
  EXPECT_EQ(LevenshteinDistance(std::string(500, 'a'), std::string(450, 'a') + "bb", 100), 50u);
}

}  // namespace
}  // namespace olla::chat
