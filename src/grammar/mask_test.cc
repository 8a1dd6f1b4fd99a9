// ComputeMask() against a brute-force oracle: a naive recognizer, written independently of the
// Matcher (llama.cpp's plain stack-vector algorithm, no interning, no automaton, no trie), asked
// token by token whether text-so-far + piece is a prefix of a sentence.

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>

#include "grammar/json_schema.h"
#include "grammar/matcher.h"
#include "grammar/test_vocab.h"
#include "support/testdata.h"

namespace olla::grammar {
namespace {

using Stack = std::vector<uint32_t>;  // element positions, top at the back

class NaiveRecognizer {
 public:
  explicit NaiveRecognizer(const Grammar& g) : g_(g) {
    for (uint32_t a = g.alt_begin[g.root]; a < g.alt_begin[g.root + 1]; ++a) {
      Stack s;
      if (!Grammar::IsEndOfAlt(g.elems[g.alt_start[a]])) s.push_back(g.alt_start[a]);
      Expand(s, start_);
    }
  }

  // Whether `text` is a prefix of some sentence (a trailing partial UTF-8 sequence counts if
  // some allowed character starts with it); `complete` reports a whole sentence.
  bool IsPrefix(std::string_view text, bool* complete) const {
    std::set<Stack> stacks = start_;
    size_t i = 0;
    while (i < text.size()) {
      const uint8_t lead = static_cast<uint8_t>(text[i]);
      const size_t len = lead < 0x80                    ? 1
                         : lead >= 0xC2 && lead <= 0xDF ? 2
                         : lead >= 0xE0 && lead <= 0xEF ? 3
                         : lead >= 0xF0 && lead <= 0xF4 ? 4
                                                        : 0;
      if (len == 0) return false;
      if (i + len > text.size()) return PartialPossible(stacks, text.substr(i), len, complete);
      uint32_t cp = len == 1 ? lead : lead & (0x7F >> len);
      for (size_t k = 1; k < len; ++k) {
        const uint8_t c = static_cast<uint8_t>(text[i + k]);
        if ((c & 0xC0) != 0x80) return false;
        cp = (cp << 6) | (c & 0x3F);
      }
      if (!ValidScalar(cp, len)) return false;
      std::set<Stack> next;
      for (const Stack& s : stacks) {
        if (s.empty() || !Matches(g_.elems[s.back()], cp)) continue;
        Stack t = s;
        const uint32_t pos = t.back() + 1;
        t.pop_back();
        if (!Grammar::IsEndOfAlt(g_.elems[pos])) t.push_back(pos);
        Expand(t, next);
      }
      if (next.empty()) return false;
      stacks = std::move(next);
      i += len;
    }
    *complete = stacks.count(Stack{}) > 0;
    return true;
  }

 private:
  static bool ValidScalar(uint32_t cp, size_t len) {
    static constexpr uint32_t kMin[5] = {0, 0, 0x80, 0x800, 0x10000};
    return cp >= kMin[len] && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);
  }

  static bool Matches(const Element& e, uint32_t cp, const Grammar& g) {
    return e.type == ElemType::kChar ? e.value == cp : g.classes[e.value].Contains(cp);
  }
  bool Matches(const Element& e, uint32_t cp) const { return Matches(e, cp, g_); }

  // Some completion of the partial sequence `part` (of total length `len`) must be a valid
  // character that a stack top accepts: try every code point of that length with this prefix
  // against the stack tops (tops are few; the candidates are enumerated by range).
  bool PartialPossible(const std::set<Stack>& stacks, std::string_view part, size_t len,
                       bool* complete) const {
    *complete = false;
    for (size_t k = 1; k < part.size(); ++k) {
      if ((static_cast<uint8_t>(part[k]) & 0xC0) != 0x80) return false;
    }
    auto decode = [&](uint8_t fill) {
      std::string full(part);
      while (full.size() < len) full.push_back(static_cast<char>(fill));
      uint32_t cp = static_cast<uint8_t>(full[0]) & (0x7F >> len);
      for (size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<uint8_t>(full[k]) & 0x3F);
      return cp;
    };
    const uint32_t lo = decode(0x80), hi = decode(0xBF);
    for (const Stack& s : stacks) {
      if (s.empty()) continue;
      const Element& e = g_.elems[s.back()];
      if (e.type == ElemType::kChar) {
        if (e.value >= lo && e.value <= hi && ValidScalar(e.value, len)) return true;
        continue;
      }
      for (const auto& [a, b] : g_.classes[e.value].ranges) {
        for (uint32_t cp = std::max(a, lo); cp <= std::min(b, hi); ++cp) {
          if (ValidScalar(cp, len)) return true;
        }
      }
    }
    return false;
  }

  void Expand(const Stack& s, std::set<Stack>& out) const {
    if (s.empty()) {
      out.insert(s);
      return;
    }
    const Element& e = g_.elems[s.back()];
    if (e.type != ElemType::kRuleRef) {
      out.insert(s);
      return;
    }
    Stack base = s;
    const uint32_t next = base.back() + 1;
    base.pop_back();
    if (!Grammar::IsEndOfAlt(g_.elems[next])) base.push_back(next);
    for (uint32_t a = g_.alt_begin[e.value]; a < g_.alt_begin[e.value + 1]; ++a) {
      Stack t = base;
      if (!Grammar::IsEndOfAlt(g_.elems[g_.alt_start[a]])) t.push_back(g_.alt_start[a]);
      Expand(t, out);
    }
  }

  const Grammar& g_;
  std::set<Stack> start_;
};

// Pieces chosen to cross symbol boundaries, split UTF-8 sequences, and be empty or special.
std::vector<std::string> TestPieces() {
  std::vector<std::string> pieces;
  for (int c = 0x20; c < 0x7F; ++c) pieces.emplace_back(1, static_cast<char>(c));
  for (const char* p : {"\n",       "\t",
                        "{\"",      "\":",
                        "\",",      "\"}",
                        "true",     "false",
                        "null",     "  ",
                        " \"",      "12",
                        ".5",       "e+",
                        "-0",       "},{",
                        "[]",       "{}",
                        "\":\"",    "abc",
                        "name",     "\\u00",
                        "\\n",      "é",
                        "€",        "😀",
                        "\xC3",     "\xA9",
                        "\xE2\x82", "\xAC",
                        "\xF0\x9F", "\x98\x80",
                        "\xE2",     "\xC3\xA9\xE2",
                        "\x80",     "\xFF",
                        "a\xC3",    "\xED\xA0\x80",
                        "日本",     "\":[",
                        "]}",       ",\n  \"",
                        "\x00"}) {
    pieces.emplace_back(p);
  }
  pieces.emplace_back(std::string(1, '\0'));
  pieces.emplace_back("");  // never allowed
  return pieces;
}

TEST(MaskTest, MatchesBruteForceOracle) {
  const char* grammars[] = {
      R"(root ::= object
value ::= object | array | string | number | ("true" | "false" | "null") ws
object ::= "{" ws ( string ":" ws value ("," ws string ":" ws value)* )? "}" ws
array ::= "[" ws ( value ("," ws value)* )? "]" ws
string ::= "\"" ( [^"\\\x7F\x00-\x1F] | "\\" (["\\/bfnrt] | "u" [0-9a-fA-F]{4}) )* "\"" ws
number ::= "-"? ([0-9] | [1-9] [0-9]{0,15}) ("." [0-9]{1,16})? ([eE] [-+]? [0-9]{1,3})? ws
ws ::= | " " | "\n" [ \t]{0,20})",
      "root ::= [^a-z]{0,5} (\"é\" | \"€\" | \"😀\" | [日-本])+ \"!\"",
      "root ::= (\"ab\" | \"a\" \"bc\" | [a-c]{2,3})* \"x\"",
      "root ::= \"\\\"\" [a-zA-Z0-9 ]{1,12} \"\\\"\" | \"true\" | \"null\"",
  };
  std::vector<std::string> pieces = TestPieces();
  std::vector<std::string_view> views(pieces.begin(), pieces.end());
  std::vector<TokenKind> kinds(pieces.size(), TokenKind::kText);
  views.push_back("</s>");
  kinds.push_back(TokenKind::kEndOfGeneration);
  views.push_back("<unk>");
  kinds.push_back(TokenKind::kExcluded);
  const TokenTrie trie(views, kinds);
  const int32_t eog = static_cast<int32_t>(views.size() - 2);

  std::mt19937 rng(1234);
  for (const char* text : grammars) {
    auto g = ParseGbnf(text);
    ASSERT_TRUE(g.ok()) << g.status().ToString();
    const NaiveRecognizer oracle(**g);
    for (int walk = 0; walk < 6; ++walk) {
      Matcher m(*g);
      std::string so_far;
      std::vector<uint8_t> allowed;
      for (int step = 0; step < 40; ++step) {
        m.ComputeMask(trie, allowed);
        ASSERT_EQ(allowed.size(), views.size());
        std::vector<int32_t> choices;
        for (size_t t = 0; t < views.size(); ++t) {
          bool want = false;
          if (kinds[t] == TokenKind::kEndOfGeneration) {
            bool complete = false;
            want = oracle.IsPrefix(so_far, &complete) && complete;
          } else if (kinds[t] == TokenKind::kText && !views[t].empty()) {
            bool complete = false;
            want = oracle.IsPrefix(so_far + std::string(views[t]), &complete);
          }
          ASSERT_EQ(allowed[t] != 0, want)
              << text << "\nafter \"" << so_far << "\" token " << t << " \"" << views[t] << "\"";
          if (allowed[t] && kinds[t] == TokenKind::kText)
            choices.push_back(static_cast<int32_t>(t));
        }
        EXPECT_EQ(allowed[eog] != 0, m.IsComplete());
        if (choices.empty()) break;
        const int32_t pick = choices[rng() % choices.size()];
        ASSERT_TRUE(m.Accept(views[pick]));
        so_far += views[pick];
      }
    }
  }
}

// Real vocabularies have large subtrees, which the walk may accept whole (subtree skipping):
// hold it to a per-token check (Matcher::CanAccept, itself held to the oracle above) and, on
// the small vocabulary, to the oracle directly. Walks go through strings (looping states),
// bounded strings (chains of positions), non-ASCII classes and split UTF-8.
TEST(MaskTest, TrieWalkOnRealVocabsMatchesPerTokenCheck) {
  const char* formats[] = {
      "\"json\"",
      R"({"type": "object", "properties": {"a": {"type": "string", "maxLength": 12}, "b": {"type": "string",
          "pattern": "^[^a-z]*$"}, "c": {"type": "array", "items": {"type": "string", "minLength": 2, "maxLength": 5}}},
          "required": ["a", "b", "c"]})",
  };
  const char* grammars[] = {
      "root ::= [^\"]{0,40} \"\\\"\"",
      "root ::= ([α-ωa-z ] | [^\\x00-\\x7F]{2})* \".\"",
      "root ::= ([a-z]+ \" \")* [\\u0080-\\U0010FFFF]{1,3}",
  };
  std::vector<std::shared_ptr<const Grammar>> all;
  for (const char* f : formats) {
    auto g = GrammarForFormat(f);
    ASSERT_TRUE(g.ok()) << g.status().ToString();
    all.push_back(*g);
  }
  for (const char* text : grammars) {
    auto g = ParseGbnf(text);
    ASSERT_TRUE(g.ok()) << text << g.status().ToString();
    all.push_back(*g);
  }
  for (const char* path : {"models/stories260K.gguf", "tokenizer/ggml-vocab-llama-spm.gguf"}) {
    auto vocab = testing::LoadGgufVocab(olla::testing::TestdataPath(path));
    ASSERT_TRUE(vocab.ok()) << vocab.status().ToString();
    const TokenTrie trie = vocab->Trie();
    const bool small = vocab->pieces.size() < 1000;
    std::mt19937 rng(99);
    size_t whole_subtrees = 0;
    for (const auto& g : all) {
      const NaiveRecognizer oracle(*g);
      Matcher m(g);
      std::string so_far;
      std::vector<uint8_t> allowed;
      for (int step = 0; step < (small ? 25 : 12); ++step) {
        m.ComputeMask(trie, allowed);
        std::vector<int32_t> choices;
        for (size_t t = 0; t < allowed.size(); ++t) {
          if (vocab->kinds[t] != TokenKind::kText || vocab->pieces[t].empty()) {
            if (t == static_cast<size_t>(vocab->eog))
              ASSERT_EQ(allowed[t] != 0, m.IsComplete());
            else
              ASSERT_EQ(allowed[t], 0);
            continue;
          }
          const bool want = m.CanAccept(vocab->pieces[t]);
          ASSERT_EQ(allowed[t] != 0, want) << path << " after \"" << so_far << "\" token " << t
                                           << " \"" << vocab->pieces[t] << "\"";
          if (small) {
            bool complete = false;
            ASSERT_EQ(want, oracle.IsPrefix(so_far + vocab->pieces[t], &complete))
                << so_far << vocab->pieces[t];
          }
          if (want) choices.push_back(static_cast<int32_t>(t));
        }
        if (choices.empty()) break;
        // Prefer tokens that end inside a UTF-8 sequence now and then, to start walks
        // mid-character.
        int32_t pick = choices[rng() % choices.size()];
        for (int32_t t : choices) {
          const std::string& p = vocab->pieces[t];
          if (rng() % 8 == 0 && !p.empty() && (static_cast<uint8_t>(p.back()) & 0xC0) == 0xC0)
            pick = t;
        }
        ASSERT_TRUE(m.Accept(vocab->pieces[pick]));
        so_far += vocab->pieces[pick];
      }
      whole_subtrees += m.stats().whole_subtrees;
    }
    EXPECT_GT(whole_subtrees, small ? 0u : 100u) << path;  // the fast path was taken
  }
}

TEST(MaskTest, CachedMaskEqualsFreshMask) {
  auto g = ParseGbnf("root ::= (\"a\" | \"b\" [0-9]*)+");
  ASSERT_TRUE(g.ok());
  std::vector<std::string> pieces = TestPieces();
  std::vector<std::string_view> views(pieces.begin(), pieces.end());
  const TokenTrie trie(views);
  Matcher m(*g);
  std::vector<uint8_t> first, second, fresh;
  ASSERT_TRUE(m.Accept("ab1"));
  m.ComputeMask(trie, first);
  m.ComputeMask(trie, second);
  EXPECT_EQ(first, second);
  EXPECT_GE(m.stats().mask_hits, 1u);
  Matcher other(*g);
  ASSERT_TRUE(other.Accept("b"));  // the same position reached differently
  other.ComputeMask(trie, fresh);
  EXPECT_EQ(first, fresh);
  // A different vocabulary does not reuse masks of the first one.
  std::vector<std::string_view> small = {"a", "b", "1", "x"};
  const TokenTrie trie2(small);
  m.ComputeMask(trie2, fresh);
  EXPECT_EQ(fresh, (std::vector<uint8_t>{1, 1, 1, 0}));
}

}  // namespace
}  // namespace olla::grammar
