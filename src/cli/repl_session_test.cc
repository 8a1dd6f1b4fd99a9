#include "cli/repl_session.h"

#include <gtest/gtest.h>

namespace olla::cli {
namespace {

using nlohmann::json;
using Action = ReplStep::Action;

ReplSession NewSession() {
  ReplSession::Settings s;
  s.model = "stories";
  return ReplSession(s);
}

TEST(ReplSessionTest, SlashCommandsPrintOllamasMessages) {
  struct Case {
    std::string line, out;
    Action action;
  };
  const Case cases[] = {
      {"/set verbose", "Set 'verbose' mode.\n", Action::kNone},
      {"/set quiet", "Set 'quiet' mode.\n", Action::kNone},
      {"/set wordwrap", "Set 'wordwrap' mode.\n", Action::kNone},
      {"/set nowordwrap", "Set 'nowordwrap' mode.\n", Action::kNone},
      {"/set format json", "Set format to 'json' mode.\n", Action::kNone},
      {"/set format yaml", "Invalid or missing format. For 'json' mode use '/set format json'\n",
       Action::kNone},
      {"/set noformat", "Disabled format.\n", Action::kNone},
      {"/set nohistory", "", Action::kNone},
      {"/set bogus", "Unknown command '/set bogus'. Type /? for help\n", Action::kNone},
      {"/set parameter temperature 0.6", "Set parameter 'temperature' to '0.6'\n", Action::kNone},
      {"/set parameter stop a b", "Set parameter 'stop' to 'a, b'\n", Action::kNone},
      {"/set parameter top_k x", "Couldn't set parameter: \"invalid int value [x]\"\n",
       Action::kNone},
      {"/set parameter nope 1", "Couldn't set parameter: \"unknown parameter 'nope'\"\n",
       Action::kNone},
      {"/clear", "Cleared session context\n", Action::kNone},
      {"/load", "Usage:\n  /load <modelname>\n", Action::kNone},
      {"/load other", "Loading model 'other'\n", Action::kLoad},
      {"/save", "Usage:\n  /save <modelname>\n", Action::kNone},
      {"/save mine", "", Action::kSave},
      {"/show parameters", "", Action::kShow},
      {"/list", "", Action::kList},
      {"/bye", "", Action::kExit},
      {"/exit", "", Action::kExit},
      {"/unknown thing", "Unknown command '/unknown'. Type /? for help\n", Action::kNone},
      {"", "", Action::kNone},
      {"Once upon a time", "", Action::kChat},
  };
  ReplSession s = NewSession();
  for (const Case& c : cases) {
    ReplStep step = s.Feed(c.line);
    EXPECT_EQ(step.out, c.out) << c.line;
    EXPECT_EQ(step.action, c.action) << c.line;
  }
  EXPECT_TRUE(s.settings().wordwrap == false);
  EXPECT_FALSE(s.settings().history);
  EXPECT_EQ(s.settings().format, "");
  EXPECT_FALSE(s.settings().verbose);
}

TEST(ReplSessionTest, HelpGoesToStderr) {
  ReplSession s = NewSession();
  EXPECT_EQ(s.Feed("/?").err, ReplUsage());
  EXPECT_EQ(s.Feed("/help").err, ReplUsage());
  EXPECT_EQ(s.Feed("/? set").err, ReplUsageSet());
  EXPECT_EQ(s.Feed("/? show").err, ReplUsageShow());
  EXPECT_EQ(s.Feed("/? shortcuts").err, ReplUsageShortcuts());
  EXPECT_EQ(s.Feed("/set").err, ReplUsageSet());
  EXPECT_EQ(s.Feed("/show").err, ReplUsageShow());
  EXPECT_EQ(s.Feed("/set parameter seed").err, ReplUsageParameters());
  EXPECT_EQ(ReplUsage().rfind("Available Commands:\n  /set            Set session variables\n", 0),
            0u);
}

TEST(ReplSessionTest, ConversationAndOptionsGoToChat) {
  ReplSession s = NewSession();
  s.Feed("/set parameter temperature 0.6");
  s.Feed("/set parameter num_predict 8");
  s.Feed("/set format json");
  EXPECT_EQ(s.Feed("hello").action, Action::kChat);
  s.AddReply("hi there");
  EXPECT_EQ(s.Feed("again").action, Action::kChat);
  const json req = s.ChatRequest();
  EXPECT_EQ(req["model"], "stories");
  EXPECT_EQ(req["format"], "json");
  EXPECT_EQ(req["options"].dump(), R"({"num_predict":8,"temperature":0.6})");
  EXPECT_EQ(req["messages"].dump(),
            R"([{"content":"hello","role":"user"},{"content":"hi there","role":"assistant"},)"
            R"({"content":"again","role":"user"}])");
  EXPECT_FALSE(req.contains("think"));
  EXPECT_FALSE(req.contains("keep_alive"));
  // /clear forgets the conversation.
  s.Feed("/clear");
  EXPECT_TRUE(s.messages().empty());
}

TEST(ReplSessionTest, MultiLineMessages) {
  ReplSession s = NewSession();
  EXPECT_EQ(s.Feed(R"("""first)").action, Action::kNone);
  EXPECT_TRUE(s.continuation());
  EXPECT_EQ(s.Feed("second").action, Action::kNone);
  EXPECT_EQ(s.Feed(R"(third""")").action, Action::kChat);
  EXPECT_FALSE(s.continuation());
  EXPECT_EQ(s.messages().back(), (ReplMessage{"user", "first\nsecond\nthird"}));
  // """text""" on one line is a single-line message.
  EXPECT_EQ(s.Feed(R"("""one line""")").action, Action::kChat);
  EXPECT_EQ(s.messages().back().content, "one line");
  // Ctrl-C drops a pending multi-line message.
  s.Feed(R"("""abandoned)");
  EXPECT_EQ(s.Interrupt().out, "\nUse Ctrl + d or /bye to exit.\n");
  EXPECT_FALSE(s.continuation());
  EXPECT_EQ(s.Feed("fresh").action, Action::kChat);
  EXPECT_EQ(s.messages().back().content, "fresh");
  // Pasted lines accumulate until the last line arrives.
  EXPECT_EQ(s.Feed("line one", /*pasted=*/true).action, Action::kNone);
  EXPECT_TRUE(s.continuation());
  EXPECT_EQ(s.Feed("line two").action, Action::kChat);
  EXPECT_EQ(s.messages().back().content, "line one\nline two");
}

TEST(ReplSessionTest, SystemMessages) {
  ReplSession s = NewSession();
  EXPECT_EQ(s.Feed("/set system You are   terse.").out, "Set system message.\n");
  EXPECT_EQ(s.system(), "You are terse.");  // words re-joined with single spaces, as Ollama
  EXPECT_EQ(s.Feed("/set system Be kind.").out, "Set system message.\n");
  ASSERT_EQ(s.messages().size(), 1u);  // replaces the trailing system message
  EXPECT_EQ(s.messages()[0], (ReplMessage{"system", "Be kind."}));
  // Multi-line system prompt.
  EXPECT_EQ(s.Feed(R"(/set system """Line one)").out, "");
  EXPECT_TRUE(s.continuation());
  EXPECT_EQ(s.Feed(R"(line two""")").out, "Set system message.\n");
  EXPECT_EQ(s.system(), "Line one\nline two");
  // /clear keeps the system message.
  s.Feed("/clear");
  ASSERT_EQ(s.messages().size(), 1u);
  EXPECT_EQ(s.messages()[0], (ReplMessage{"system", "Line one\nline two"}));
}

TEST(ReplSessionTest, ShowRendering) {
  ReplSession s = NewSession();
  const json show = {
      {"parameters", "num_predict                    24\nstop                           \"x\""},
      {"template", "{{ .Prompt }}"},
      {"system", "model system"}};
  EXPECT_EQ(s.RenderShow("parameters", show).out,
            "Model defined parameters:\n  num_predict                    24\n"
            "  stop                           \"x\"\n\n");
  s.Feed("/set parameter temperature 0.5");
  s.Feed("/set parameter stop a b");
  EXPECT_EQ(
      s.RenderShow("parameters", json::object()).out,
      "Model defined parameters:\n  No additional parameters were specified for this model.\n\n"
      "User defined parameters:\n"
      "  stop                           [a b]\n"
      "  temperature                    0.5\n\n");
  EXPECT_EQ(s.RenderShow("template", show).out, "{{ .Prompt }}\n");
  EXPECT_EQ(s.RenderShow("template", json::object()).out,
            "No prompt template was specified for this model.\n");
  EXPECT_EQ(s.RenderShow("license", json::object()).out,
            "No license was specified for this model.\n");
  EXPECT_EQ(s.RenderShow("system", show).out, "model system\n\n");
  EXPECT_EQ(s.RenderShow("system", json::object()).out,
            "No system message was specified for this model.\n");
  s.Feed("/set system mine");
  EXPECT_EQ(s.RenderShow("system", show).out, "mine\n\n");
  EXPECT_EQ(s.RenderShow("nope", show).out, "Unknown command '/show nope'. Type /? for help\n");
  EXPECT_EQ(
      s.ShowRequest().dump(),
      R"({"model":"stories","options":{"stop":["a","b"],"temperature":0.5},"system":"mine"})");
}

TEST(ReplSessionTest, LoadSaveAndThink) {
  ReplSession s = NewSession();
  s.Feed("hello");
  s.AddReply("hi");
  s.Feed("/set parameter seed 42");
  EXPECT_EQ(s.SaveRequest("mine", "").dump(),
            R"({"from":"stories","messages":[{"content":"hello","role":"user"},)"
            R"({"content":"hi","role":"assistant"}],"model":"mine","parameters":{"seed":42}})");
  EXPECT_EQ(s.SaveRequest("mine", "base:latest")["from"], "base:latest");
  s.SwitchModel("other");
  EXPECT_TRUE(s.messages().empty());
  EXPECT_EQ(s.ChatRequest()["model"], "other");

  s.set_capabilities({"completion"});
  ReplStep think = s.Feed("/set think");
  EXPECT_EQ(think.out, "Set 'think' mode.\n");
  EXPECT_EQ(think.err, "warning: model \"other\" does not support thinking output\n");
  EXPECT_EQ(s.ChatRequest()["think"], true);
  EXPECT_EQ(s.Feed("/set think high").out, "Set 'think' mode to 'high'.\n");
  EXPECT_EQ(s.ChatRequest()["think"], "high");
  s.set_capabilities({"completion", "thinking"});
  ReplStep nothink = s.Feed("/set nothink");
  EXPECT_EQ(nothink.out, "Set 'nothink' mode.\n");
  EXPECT_EQ(nothink.err, "");
  EXPECT_EQ(s.ChatRequest()["think"], false);
}

}  // namespace
}  // namespace olla::cli
