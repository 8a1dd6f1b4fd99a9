// End to end: for a table of schemas, "generate" with a random model over a real vocabulary
// (every allowed token equally likely: the worst a random-weight model can do) and require
// every output to parse and validate. After a budget of random steps the walk steers to the
// end by taking the token that leaves the fewest bytes to complete (MinCompletionBytes), so it
// terminates; the steering only picks among allowed tokens, so it proves nothing the mask
// would not also allow.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>

#include "grammar/json_schema.h"
#include "grammar/json_validator.h"
#include "grammar/matcher.h"
#include "grammar/test_vocab.h"
#include "support/testdata.h"

namespace olla::grammar {
namespace {

using testing::TestVocab;

struct WalkResult {
  std::string text;
  bool ended = false;  // picked end-of-generation
  size_t steps = 0;
};

WalkResult RandomWalk(const std::shared_ptr<const Grammar>& g, const TestVocab& vocab,
                      const TokenTrie& trie, std::mt19937& rng, size_t random_steps,
                      size_t max_steps = 4000) {
  Matcher m(g);
  WalkResult r;
  std::vector<uint8_t> allowed;
  std::vector<int32_t> choices;
  for (; r.steps < max_steps; ++r.steps) {
    m.ComputeMask(trie, allowed);
    choices.clear();
    for (size_t t = 0; t < allowed.size(); ++t) {
      if (allowed[t] && static_cast<int32_t>(t) != vocab.eog)
        choices.push_back(static_cast<int32_t>(t));
    }
    const bool can_end = allowed[vocab.eog] != 0;
    EXPECT_EQ(can_end, m.IsComplete());
    if (can_end && (r.steps >= random_steps || choices.empty() || rng() % 4 == 0)) {
      r.ended = true;
      break;
    }
    if (choices.empty()) {
      ADD_FAILURE() << "no token allowed and the grammar is not complete after: " << r.text;
      break;
    }
    int32_t pick = choices[rng() % choices.size()];
    if (r.steps >= random_steps) {  // steer: fewest bytes left to a complete sentence
      size_t best = Matcher::kNoCompletion;
      std::vector<int32_t> best_tokens;
      for (int32_t t : choices) {
        const size_t left = m.MinCompletionBytes(vocab.pieces[t]);
        if (left < best) {
          best = left;
          best_tokens.clear();
        }
        if (left == best) best_tokens.push_back(t);
      }
      pick = best_tokens[rng() % best_tokens.size()];
    }
    if (!m.Accept(vocab.pieces[pick])) {
      ADD_FAILURE() << "an allowed token was refused: \"" << vocab.pieces[pick] << "\" after "
                    << r.text;
      break;
    }
    r.text += vocab.pieces[pick];
  }
  return r;
}

// Schemas a client would send: nested objects, optional fields, enums, refs, formats, ranges.
const char* kSchemas[] = {
    R"({"type": "object"})",
    R"({"type": "object", "properties": {
        "name": {"type": "string", "maxLength": 20},
        "age": {"type": "integer", "minimum": 0, "maximum": 150},
        "tags": {"type": "array", "items": {"type": "string", "maxLength": 8}, "maxItems": 3},
        "address": {"type": "object", "properties": {
            "street": {"type": "string", "maxLength": 30},
            "zip": {"type": "string", "pattern": "^\\d{5}$"}}, "required": ["zip"]}},
       "required": ["name", "age"]})",
    R"({"type": "object", "properties": {"color": {"enum": ["red", "green", "blue"]}, "kind": {"const": "fruit"},
        "count": {"type": "integer", "exclusiveMinimum": 0, "exclusiveMaximum": 10}},
       "required": ["color", "kind", "count"], "additionalProperties": false})",
    R"({"anyOf": [{"type": "string", "maxLength": 5}, {"type": "integer", "minimum": 0}, {"type": "null"}]})",
    R"({"oneOf": [
        {"type": "object", "properties": {"pet": {"const": "cat"}, "lives": {"type": "integer", "minimum": 1, "maximum": 9}}, "required": ["pet", "lives"]},
        {"type": "object", "properties": {"pet": {"const": "dog"}, "good": {"type": "boolean"}}, "required": ["pet"]}]})",
    R"({"$defs": {"node": {"type": "object", "properties": {
          "value": {"type": "integer"},
          "children": {"type": "array", "items": {"$ref": "#/$defs/node"}, "maxItems": 2}},
        "required": ["value"]}},
       "$ref": "#/$defs/node"})",
    R"({"type": "array", "items": {"type": "number", "minimum": -10, "maximum": 10}, "minItems": 2, "maxItems": 4})",
    R"({"type": "object", "properties": {"d": {"type": "string", "format": "date"},
        "t": {"type": "string", "format": "date-time"}, "id": {"type": "string", "format": "uuid"},
        "ip": {"type": "string", "format": "ipv4"}}, "required": ["d", "t", "id", "ip"]})",
    R"({"type": "object", "properties": {"id": {"type": "integer"}}, "required": ["id"],
       "additionalProperties": {"type": "boolean"}})",
    R"({"type": "object", "additionalProperties": {"type": "integer", "maximum": 99}})",
    R"({"type": "string", "pattern": "^[a-z]+(-[a-z]+)*$"})",
    R"({"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1})",
    R"({"type": "array", "prefixItems": [{"type": "string"}, {"type": "boolean"}], "items": false})",
    R"({"type": ["integer", "string", "null"]})",
    R"({"type": "object", "properties": {"title": {"type": "string", "minLength": 3, "maxLength": 10},
        "score": {"type": "number"}, "done": {"type": "boolean"}, "note": {"type": ["string", "null"]}},
       "required": ["done"]})",
    R"({"type": "object", "properties": {"steps": {"type": "array", "items": {"type": "object",
        "properties": {"explanation": {"type": "string"}, "output": {"type": "string"}},
        "required": ["explanation", "output"], "additionalProperties": false}},
        "final_answer": {"type": "string"}}, "required": ["steps", "final_answer"], "additionalProperties": false})",
    R"({"type": "object", "properties": {"ok": {"type": "boolean"}, "extra": {}}, "required": ["ok", "missing"]})",
    "{}",
};

void RunSchemaTable(const TestVocab& vocab, int walks_per_schema, size_t random_steps) {
  const TokenTrie trie = vocab.Trie();
  std::mt19937 rng(42);
  for (const char* schema : kSchemas) {
    auto g = GrammarForFormat(schema);
    ASSERT_TRUE(g.ok()) << schema << ": " << g.status().ToString();
    for (int walk = 0; walk < walks_per_schema; ++walk) {
      const WalkResult r = RandomWalk(*g, vocab, trie, rng, random_steps);
      ASSERT_TRUE(r.ended) << schema << "\nno end after " << r.steps << " steps: " << r.text;
      nlohmann::json parsed = nlohmann::json::parse(r.text, nullptr, false);
      ASSERT_FALSE(parsed.is_discarded()) << schema << "\nnot JSON: " << r.text;
      const Status valid = ValidateJson(r.text, schema);
      ASSERT_TRUE(valid.ok()) << schema << "\n" << r.text << "\n" << valid.ToString();
    }
  }
}

TEST(SchemaGenerationTest, RandomWalksOverStories260KVocabValidate) {
  auto vocab = testing::LoadGgufVocab(olla::testing::TestdataPath("models/stories260K.gguf"));
  ASSERT_TRUE(vocab.ok()) << vocab.status().ToString();
  ASSERT_EQ(vocab->pieces.size(), 512u);
  ASSERT_GE(vocab->eog, 0);
  RunSchemaTable(*vocab, 8, 60);
}

TEST(SchemaGenerationTest, RandomWalksOverSyntheticVocabValidate) {
  RunSchemaTable(testing::SyntheticVocab(), 8, 80);
}

TEST(SchemaGenerationTest, RandomWalksOverLlamaVocabValidate) {
  // 32000 tokens of up to 16 bytes: tokens span many grammar symbols at once.
  auto vocab =
      testing::LoadGgufVocab(olla::testing::TestdataPath("tokenizer/ggml-vocab-llama-spm.gguf"));
  ASSERT_TRUE(vocab.ok()) << vocab.status().ToString();
  ASSERT_EQ(vocab->pieces.size(), 32000u);
  RunSchemaTable(*vocab, 2, 30);
}

TEST(SchemaGenerationTest, FormatJsonGivesObjects) {
  auto g = GrammarForFormat("\"json\"");
  ASSERT_TRUE(g.ok());
  const TestVocab vocab = testing::SyntheticVocab();
  const TokenTrie trie = vocab.Trie();
  std::mt19937 rng(7);
  for (int walk = 0; walk < 20; ++walk) {
    const WalkResult r = RandomWalk(*g, vocab, trie, rng, 100);
    ASSERT_TRUE(r.ended);
    nlohmann::json parsed = nlohmann::json::parse(r.text, nullptr, false);
    ASSERT_TRUE(parsed.is_object()) << r.text;
  }
}

}  // namespace
}  // namespace olla::grammar
