// Golden prompts: every catalogue Go template, a few extra Go templates (tools, thinking,
// legacy, fill-in-the-middle) and real-world Jinja chat templates, each rendered for a set of
// conversations and compared byte for byte with tests/testdata/chat/. OLLA_UPDATE_GOLDEN=1
// rewrites the files (review the diff by eye against the template's semantics).

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "chat/catalog/catalog.h"
#include "chat/prompt.h"

namespace olla::chat {
namespace {

namespace fs = std::filesystem;

const std::string kTestdata = OLLA_CHAT_TESTDATA;

const char kTools[] = R"([{"type": "function", "function": {"name": "get_weather",
  "description": "Get the current weather for a city",
  "parameters": {"type": "object", "required": ["city"], "properties": {
    "city": {"type": "string", "description": "The city name"},
    "unit": {"type": ["string", "null"], "description": "Temperature unit", "enum": ["celsius", "fahrenheit"]}}}}}])";

struct Conversation {
  std::string name;
  std::vector<Message> messages;
  std::string tools_json;
  ThinkSetting think;
};

std::vector<Conversation> Conversations() {
  Message sys{.role = "system", .content = "You are a helpful assistant."};
  Message u1{.role = "user", .content = "Hello, how are you?"};
  Message a1{.role = "assistant", .content = "I'm doing great. How can I help you today?"};
  Message u2{.role = "user", .content = "I'd like to show off how chat templating works!"};
  Message ask{.role = "user", .content = "What is the weather in Paris?"};
  Message call{.role = "assistant"};
  call.tool_calls.push_back(ToolCall{.id = "call1abcd",
                                     .index = 0,
                                     .name = "get_weather",
                                     .arguments_json = R"({"city": "Paris", "unit": "celsius"})"});
  Message result{.role = "tool",
                 .content = "22 degrees and sunny",
                 .tool_name = "get_weather",
                 .tool_call_id = "call1abcd"};
  Message thought{.role = "assistant", .content = "Hi!", .thinking = "The user greets me."};
  ThinkSetting think_on{.is_set = true, .enabled = true};
  return {
      {"user", {u1}, "", {}},
      {"system-user", {sys, u1}, "", {}},
      {"user-assistant-user", {u1, a1, u2}, "", {}},
      {"system-user-assistant-user", {sys, u1, a1, u2}, "", {}},
      {"tools", {ask, call, result}, kTools, {}},
      {"thinking", {u1, thought, u2}, "", think_on},
  };
}

std::string ReadFile(const fs::path& p, bool* ok) {
  std::ifstream in(p, std::ios::binary);
  *ok = static_cast<bool>(in);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void CheckGolden(const std::string& rel, const std::string& got) {
  fs::path path = fs::path(kTestdata) / rel;
  const char* update = std::getenv("OLLA_UPDATE_GOLDEN");
  if (update && std::string(update) == "1") {
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << got;
    return;
  }
  bool ok = false;
  std::string want = ReadFile(path, &ok);
  ASSERT_TRUE(ok) << "missing golden " << path << " (run with OLLA_UPDATE_GOLDEN=1)";
  EXPECT_EQ(got, want) << "golden " << rel;
}

template <typename T>
std::string TextOrError(const Result<T>& r) {
  return r.ok() ? r->text : "ERROR: " + r.status().message();
}

GoExecOptions FixedClock() {
  GoExecOptions o;
  o.now_unix = 1700000000;
  return o;
}

TEST(ChatGoldenTest, CatalogueTemplates) {
  for (const NamedTemplate& nt : NamedTemplates()) {
    Result<GoTemplate> t = GoTemplate::Parse(nt.go_template);
    ASSERT_TRUE(t.ok()) << nt.name << ": " << t.status().ToString();
    for (const Conversation& c : Conversations()) {
      auto r = RenderGoChat(*t, GoChatInput{c.messages, c.tools_json, c.think}, FixedClock());
      CheckGolden("go/" + std::string(nt.name) + "/" + c.name + ".txt", TextOrError(r));
    }
  }
}

TEST(ChatGoldenTest, ExtraGoTemplates) {
  for (const auto& entry : fs::directory_iterator(fs::path(kTestdata) / "go_extra")) {
    if (entry.path().extension() != ".gotmpl") continue;
    bool ok = false;
    std::string text = ReadFile(entry.path(), &ok);
    ASSERT_TRUE(ok);
    std::string stem = entry.path().stem().string();
    Result<GoTemplate> t = GoTemplate::Parse(text);
    ASSERT_TRUE(t.ok()) << stem << ": " << t.status().ToString();
    for (const Conversation& c : Conversations()) {
      auto r = RenderGoChat(*t, GoChatInput{c.messages, c.tools_json, c.think}, FixedClock());
      CheckGolden("go/" + stem + "/" + c.name + ".txt", TextOrError(r));
    }
    // /api/generate: system + prompt, and fill-in-the-middle.
    GenerateInput gen{.prompt = "Why is the sky blue?", .system = "Be brief."};
    CheckGolden("go/" + stem + "/generate.txt",
                TextOrError(RenderGoGenerate(*t, gen, FixedClock())));
    GenerateInput fim{.prompt = "def add(a, b):\n    ", .suffix = "\n    return c"};
    CheckGolden("go/" + stem + "/fim.txt", TextOrError(RenderGoGenerate(*t, fim, FixedClock())));
  }
}

TEST(ChatGoldenTest, JinjaTemplates) {
  // Special tokens of each model family (what the vocabulary would supply).
  const std::map<std::string, std::pair<std::string, std::string>> tokens = {
      {"command-r", {"<BOS_TOKEN>", "<|END_OF_TURN_TOKEN|>"}},
      {"command-r7b", {"<BOS_TOKEN>", "<|END_OF_TURN_TOKEN|>"}},
      {"deepseek-coder", {"<｜begin▁of▁sentence｜>", "<|EOT|>"}},
      {"gemma2", {"<bos>", "<eos>"}},
      {"gemma3", {"<bos>", "<eos>"}},
      {"llama3.1", {"<|begin_of_text|>", "<|eot_id|>"}},
      {"mistral-v0.1", {"<s>", "</s>"}},
      {"mistral-v0.3", {"<s>", "</s>"}},
      {"phi3-mini", {"<s>", "<|endoftext|>"}},
      {"phi3.5-mini", {"<s>", "<|endoftext|>"}},
      {"qwen2.5", {"", "<|im_end|>"}},
  };
  int rendered = 0;
  for (const auto& entry : fs::directory_iterator(fs::path(kTestdata) / "jinja")) {
    if (entry.path().extension() != ".jinja") continue;
    bool ok = false;
    std::string text = ReadFile(entry.path(), &ok);
    ASSERT_TRUE(ok);
    std::string stem = entry.path().stem().string();
    auto tok = tokens.find(stem);
    ASSERT_NE(tok, tokens.end()) << "no special tokens listed for " << stem;
    Result<JinjaTemplate> t = JinjaTemplate::Parse(text);
    ASSERT_TRUE(t.ok()) << stem << ": " << t.status().ToString();
    for (const Conversation& c : Conversations()) {
      JinjaChatInput in{c.messages,        c.tools_json,       c.think,
                        tok->second.first, tok->second.second, true};
      JinjaRenderOptions opts;
      opts.now_unix = 1700000000;
      CheckGolden("jinja/" + stem + "/" + c.name + ".txt",
                  TextOrError(RenderJinjaChat(*t, in, opts)));
      ++rendered;
    }
  }
  EXPECT_GE(rendered, 60);
}

}  // namespace
}  // namespace olla::chat
