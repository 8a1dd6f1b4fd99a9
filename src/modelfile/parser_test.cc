#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "modelfile/modelfile.h"

namespace olla::modelfile {
namespace {

using I = Instruction;

Command Cmd(Instruction i, std::string args, std::string name = "") {
  Command c;
  c.instruction = i;
  c.name = std::move(name);
  c.args = std::move(args);
  return c;
}

TEST(ParserTest, ParsesInstructions) {
  const struct {
    std::string in;
    std::vector<Command> want;
  } cases[] = {
      {"FROM foo\nADAPTER adapter1\nLICENSE MIT\nPARAMETER param1 value1\nPARAMETER param2 "
       "value2\nTEMPLATE template1\nMESSAGE system You are a file parser. Always parse things.\n"
       "MESSAGE user Hey there!\nMESSAGE assistant Hello, I want to parse all the things!\n",
       {Cmd(I::kFrom, "foo"), Cmd(I::kAdapter, "adapter1"), Cmd(I::kLicense, "MIT"),
        Cmd(I::kParameter, "value1", "param1"), Cmd(I::kParameter, "value2", "param2"),
        Cmd(I::kTemplate, "template1"),
        Cmd(I::kMessage, "You are a file parser. Always parse things.", "system"),
        Cmd(I::kMessage, "Hey there!", "user"),
        Cmd(I::kMessage, "Hello, I want to parse all the things!", "assistant")}},
      // §8.2 reproduction cases.
      {"FROM \"     model 1\"", {Cmd(I::kFrom, "     model 1")}},
      {"FROM     FOOO BAR    ", {Cmd(I::kFrom, "FOOO BAR")}},
      {"PARAMETER what the \nFROM lemons make lemonade ",
       {Cmd(I::kParameter, "the", "what"), Cmd(I::kFrom, "lemons make lemonade")}},
      {"FROM foo\nPARAMETER stop \"### User: \"",
       {Cmd(I::kFrom, "foo"), Cmd(I::kParameter, "### User: ", "stop")}},
      {"FROM foo\nPARAMETER stop ### User: ",
       {Cmd(I::kFrom, "foo"), Cmd(I::kParameter, "### User:", "stop")}},
      {"FROM foo\nPARAMETER stop \"\"\"### User:\n\"\"\"",
       {Cmd(I::kFrom, "foo"), Cmd(I::kParameter, "### User:\n", "stop")}},
      {"FROM foo\nMESSAGE system \"\"\"\nYou are a multiline file parser. Always parse "
       "things.\n\"\"\"",
       {Cmd(I::kFrom, "foo"),
        Cmd(I::kMessage, "\nYou are a multiline file parser. Always parse things.\n", "system")}},
      // Keywords are case-insensitive; parameter names keep their case.
      {"from foo\nFrom bar\nfRoM baz\nparameter Top_K 1",
       {Cmd(I::kFrom, "foo"), Cmd(I::kFrom, "bar"), Cmd(I::kFrom, "baz"),
        Cmd(I::kParameter, "1", "Top_K")}},
      // Comments only where an instruction starts.
      {"# a comment\n  # another\nFROM foo # not a comment\n#end",
       {Cmd(I::kFrom, "foo # not a comment")}},
      // Empty quoted values.
      {"FROM foo\nSYSTEM \"\"\nTEMPLATE \"\"\"\"\"\"",
       {Cmd(I::kFrom, "foo"), Cmd(I::kSystem, ""), Cmd(I::kTemplate, "")}},
      // Quotes inside triple quotes; leading/trailing spaces and newlines inside kept.
      {"FROM foo\nLICENSE \"\"\"\nMIT \"License\"\n  indented\n\"\"\"\n",
       {Cmd(I::kFrom, "foo"), Cmd(I::kLicense, "\nMIT \"License\"\n  indented\n")}},
      {"FROM foo\nSYSTEM \"\"\"  spaced  \"\"\"",
       {Cmd(I::kFrom, "foo"), Cmd(I::kSystem, "  spaced  ")}},
      // A single-quoted value may span lines too.
      {"FROM foo\nSYSTEM \"line 1\nline 2\"",
       {Cmd(I::kFrom, "foo"), Cmd(I::kSystem, "line 1\nline 2")}},
      // Single quotes mean nothing.
      {"FROM foo\nSYSTEM 'hi'", {Cmd(I::kFrom, "foo"), Cmd(I::kSystem, "'hi'")}},
      // Tabs separate like spaces; inner whitespace is kept.
      {"FROM\tfoo\nSYSTEM a \t b\t", {Cmd(I::kFrom, "foo"), Cmd(I::kSystem, "a \t b")}},
      // CRLF line ends.
      {"FROM foo\r\nSYSTEM hi\r\n", {Cmd(I::kFrom, "foo"), Cmd(I::kSystem, "hi")}},
      // FROM need not come first; the empty value is accepted.
      {"SYSTEM s\nFROM ", {Cmd(I::kSystem, "s"), Cmd(I::kFrom, "")}},
      // The remaining instructions.
      {"FROM m\nREQUIRES 0.14.0\nRENDERER qwen3\nPARSER qwen3\nDRAFT ./d.gguf",
       {Cmd(I::kFrom, "m"), Cmd(I::kRequires, "0.14.0"), Cmd(I::kRenderer, "qwen3"),
        Cmd(I::kParser, "qwen3"), Cmd(I::kDraft, "./d.gguf")}},
      // Control characters are dropped, as Go drops non-printable runes.
      {"FROM foo\nSYSTEM a\x01"
       "b\x7f"
       "c",
       {Cmd(I::kFrom, "foo"), Cmd(I::kSystem, "abc")}},
      // Invalid UTF-8 becomes U+FFFD, one per byte.
      {"FROM foo\nSYSTEM a\xff\xfe"
       "b",
       {Cmd(I::kFrom, "foo"), Cmd(I::kSystem, "a\uFFFD\uFFFDb")}},
      // A UTF-8 BOM is ignored.
      {"\xEF\xBB\xBF"
       "FROM foo",
       {Cmd(I::kFrom, "foo")}},
      // Non-ASCII text is kept.
      {"FROM foo\nSYSTEM 你好👋", {Cmd(I::kFrom, "foo"), Cmd(I::kSystem, "你好👋")}},
  };
  for (const auto& c : cases) {
    Result<Modelfile> got = Parse(c.in);
    ASSERT_TRUE(got.ok()) << c.in << "\n" << got.status().ToString();
    EXPECT_EQ(got->commands, c.want) << c.in;
  }
}

TEST(ParserTest, ReportsErrorsLikeOllama) {
  const std::string kCommand =
      "command must be one of \"from\", \"license\", \"template\", \"system\", \"adapter\", "
      "\"draft\", \"renderer\", \"parser\", \"parameter\", \"message\", or \"requires\"";
  const std::string kRole = "message role must be one of \"system\", \"user\", or \"assistant\"";
  const struct {
    std::string in;
    std::string want;
  } cases[] = {
      {"FROM foo\nPARAMETER param1 1\nBADCOMMAND param1 value1", "(line 3): " + kCommand},
      {"FROM foo\nMESSAGE badguy I'm a bad guy!", "(line 2): " + kRole},
      {"FROM foo\nMESSAGE System hi", "(line 2): " + kRole},
      {"FROM foo\nMESSAGE system", "unexpected EOF"},
      {"FROM foo\nMESSAGE system\n", "unexpected EOF: system"},
      {"FROM foo\nPARAMETER param1", "unexpected EOF"},
      {"FROM foo\nPARAMETER param1\n", "unexpected EOF: param1"},
      {"FROM foo\nPARAMETER a-b 1", "unexpected EOF: a"},
      {"FROM foo\nSYSTEM \"\"\"hello\"\"", "unexpected EOF"},
      {"FROM foo\nSYSTEM \"", "unexpected EOF"},
      {"FROM foo\nSYSTEM \"\"\"", "unexpected EOF"},
      {"FROM", "unexpected EOF"},
      {"FROM\nfoo", "(line 2): " + kCommand},  // the newline is counted before the error
      {"FROM: foo", "(line 1): " + kCommand},
      {"FROM foo\n  !bad x", "(line 2): " + kCommand},
      {"FROM foo\r\nBAD x", "(line 3): " + kCommand},  // CR and LF both count
      {"", "no FROM line"},
      {"# only a comment", "no FROM line"},
      {"SYSTEM hi", "no FROM line"},
  };
  for (const auto& c : cases) {
    Result<Modelfile> got = Parse(c.in);
    ASSERT_FALSE(got.ok()) << c.in;
    EXPECT_EQ(got.status().code(), StatusCode::kInvalidArgument) << c.in;
    EXPECT_EQ(got.status().message(), c.want) << c.in;
  }
}

TEST(ParserTest, RecordsLineNumbers) {
  Result<Modelfile> got = Parse("# c\nFROM foo\n\nSYSTEM \"\"\"a\nb\"\"\"\nPARAMETER top_k 1\n");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(got->commands.size(), 3u);
  EXPECT_EQ(got->commands[0].line, 2);
  EXPECT_EQ(got->commands[1].line, 4);
  EXPECT_EQ(got->commands[2].line, 6);
}

std::string Utf16(std::u16string_view s, bool little_endian) {
  std::string out = little_endian ? "\xFF\xFE" : "\xFE\xFF";
  for (char16_t u : s) {
    char lo = static_cast<char>(u & 0xFF), hi = static_cast<char>(u >> 8);
    out.push_back(little_endian ? lo : hi);
    out.push_back(little_endian ? hi : lo);
  }
  return out;
}

TEST(ParserTest, DecodesUtf16WithBom) {
  std::u16string text = u"FROM bob\nPARAMETER param1 1\nPARAMETER param2 4096\nSYSTEM 你好👋\n";
  Result<Modelfile> utf8 =
      Parse("FROM bob\nPARAMETER param1 1\nPARAMETER param2 4096\nSYSTEM 你好👋\n");
  ASSERT_TRUE(utf8.ok());
  for (bool le : {true, false}) {
    Result<Modelfile> got = Parse(Utf16(text, le));
    ASSERT_TRUE(got.ok()) << le << " " << got.status().ToString();
    EXPECT_EQ(*got, *utf8) << le;
  }
  // An unpaired surrogate and a dangling odd byte become U+FFFD.
  std::string bad = Utf16(u"FROM a", true) + std::string("\x00\xD8", 2) + "b";
  Result<Modelfile> got = Parse(bad);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->commands[0].args, "a\uFFFD\uFFFD");
}

TEST(ParserTest, RoundTripsThroughToString) {
  const std::string fixtures[] = {
      "FROM foo\nLICENSE \"\"\"\nApache \"License\" 2.0\n\"\"\"\n",
      "FROM foo\nSYSTEM \"\"\"\nYou are a multiline system prompt.\nBe nice.\n\"\"\"\n",
      "FROM foo\nSYSTEM \"\"\n",
      "FROM foo\nSYSTEM \" leading space\"\nTEMPLATE \"\"\"{{ .System }} \"quoted\"\n{{ .Prompt "
      "}}\"\"\"\n",
      "FROM foo\nPARAMETER stop \"### User: \"\nPARAMETER stop <|eot_id|>\nMESSAGE user hi\n"
      "MESSAGE assistant \"\"\"multi\nline\"\"\"\nADAPTER ./a.gguf\nDRAFT ./d\nREQUIRES 0.14.0\n",
  };
  for (const std::string& f : fixtures) {
    Result<Modelfile> first = Parse(f);
    ASSERT_TRUE(first.ok()) << f << first.status().ToString();
    std::string text = first->ToString();
    Result<Modelfile> second = Parse(text);
    ASSERT_TRUE(second.ok()) << text << second.status().ToString();
    EXPECT_EQ(*second, *first) << text;
  }
}

// Found by fuzz/modelfile_fuzz: values whose Ollama rendering (quote()) reads back as something
// else, e.g. `"\t..\t""` rendered verbatim re-parses as `""` → "". ToString now picks a form
// that reads back.
TEST(ParserTest, RoundTripsValuesOllamaQuotingLoses) {
  static constexpr char kFound[] =
      "# c\r\nfrom .\x01\nfrom .\x01\0\0 /m.gguf\r\nTEMPLATE "
      "\"\t\t\t\t\t\t\t\t\t\t\t\t\t\"\"\"\t\t\t\t\t\t\x01\t\t\t";
  const std::string inputs[] = {
      std::string(kFound, sizeof(kFound) - 1),
      "FROM x\nSYSTEM \"\ttab\"\n",
      "FROM x\nSYSTEM \"tab\t\"\n",
      "FROM x\nSYSTEM \"\"quoted\"\"\n",
      "FROM x\nSYSTEM \"\"open\"\n",
      "FROM x\nSYSTEM \"\"\"a\"\nb\"\"\"\n",
      "FROM x\nLICENSE \"\"\"\nx\n\n\"\"\"\n",
      "FROM \"\tpath\"\nMESSAGE user \"\r\nhi\"\nPARAMETER stop \"\"\"\"x\"\"\"\n",
  };
  for (const std::string& in : inputs) {
    Result<Modelfile> first = Parse(in);
    ASSERT_TRUE(first.ok()) << in << first.status().ToString();
    std::string text = first->ToString();
    Result<Modelfile> second = Parse(text);
    ASSERT_TRUE(second.ok()) << text << second.status().ToString();
    EXPECT_EQ(*second, *first) << text;
  }
}

}  // namespace
}  // namespace olla::modelfile
