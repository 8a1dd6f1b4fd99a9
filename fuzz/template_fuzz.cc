// libFuzzer target for the chat template engines (CONVENTIONS.md C12): a Modelfile TEMPLATE, a
// request's `template` and a GGUF's tokenizer.chat_template are untrusted. Parsing and rendering
// them with a small fixed conversation must fail with a Status or succeed, never crash, hang or
// exhaust memory: rendering is bounded by the engines' step and output limits (a smaller step
// budget here keeps each input fast). A rendered prompt must be consistent: its pieces are
// non-empty, alternate in allow_special and join to its text.
// Input: byte 0 odd ('g'): the rest is a Go template; even ('j'): a Jinja template.
// Build and run: scripts/fuzz.sh SECONDS.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/check.h"
#include "chat/go/go_template.h"
#include "chat/jinja/jinja_template.h"
#include "chat/prompt.h"
#include "chat/tool_call_parser.h"

namespace olla::chat {
namespace {

constexpr int64_t kSteps = 20000;

const char kTools[] =
    R"([{"type":"function","function":{"name":"get_weather","description":"d",)"
    R"("parameters":{"type":"object","required":["city"],"properties":{"city":{"type":"string"}}}}}])";

std::vector<Message> Conversation() {
  Message call{.role = "assistant"};
  call.tool_calls.push_back(ToolCall{
      .id = "call_1abcdefg", .name = "get_weather", .arguments_json = R"({"city":"Paris"})"});
  return {Message{.role = "system", .content = "sys"},
          Message{.role = "user", .content = "hi <|im_end|>", .images = {"aW1n"}},
          Message{.role = "assistant", .content = "yo", .thinking = "hm"},
          call,
          Message{.role = "tool",
                  .content = "22",
                  .tool_name = "get_weather",
                  .tool_call_id = "call_1abcdefg"},
          Message{.role = "user", .content = "bye"}};
}

void Check(const Result<RenderedPrompt>& r) {
  if (!r.ok()) return;
  std::string joined;
  for (size_t i = 0; i < r->pieces.size(); ++i) {
    OLLA_CHECK(!r->pieces[i].text.empty());
    if (i > 0) OLLA_CHECK(r->pieces[i].allow_special != r->pieces[i - 1].allow_special);
    joined += r->pieces[i].text;
  }
  OLLA_CHECK(joined == r->text);
}

}  // namespace
}  // namespace olla::chat

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace olla::chat;
  if (size < 1) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  static const std::vector<Message> conversation = Conversation();
  const ThinkSetting think{.is_set = true, .enabled = true, .level = "high"};
  if (data[0] & 1) {
    auto t = GoTemplate::Parse(text);
    if (!t.ok()) return 0;
    GoExecOptions opts{.now_unix = 0, .max_steps = kSteps};
    Check(RenderGoChat(*t, GoChatInput{conversation, kTools, think}, opts));
    Check(RenderGoGenerate(*t, GenerateInput{.prompt = "p", .suffix = "s"}, opts));
    Check(RenderGoGenerate(
        *t, GenerateInput{.prompt = "p", .system = "s", .model_messages = conversation}, opts));
    (void)t->InferThinkingTags();
    (void)ToolCallFormatForGo(*t);
    (void)GoTemplateCaps(*t);
  } else {
    auto t = JinjaTemplate::Parse(text);
    if (!t.ok()) return 0;
    JinjaRenderOptions opts{.now_unix = 0, .max_steps = kSteps};
    Check(RenderJinjaChat(*t, JinjaChatInput{conversation, kTools, think, "<s>", "</s>", true},
                          opts));
    Check(RenderJinjaChat(*t, JinjaChatInput{{conversation[1]}, "", {}, "", "", false}, opts));
    (void)ToolCallFormatForJinja(text);
    (void)JinjaTemplateCaps(text);
  }
  return 0;
}
