#include "store/model_name.h"

#include <gtest/gtest.h>

#include <cctype>
#include <random>
#include <string>

namespace olla::store {
namespace {

struct Parts {
  std::string host, ns, model, tag;
};

TEST(ModelNameTest, ParsesAndMergesDefaults) {
  const struct {
    std::string in;
    Parts want;
  } cases[] = {
      {"llama3", {"registry.ollama.ai", "library", "llama3", "latest"}},
      {"llama3:8b", {"registry.ollama.ai", "library", "llama3", "8b"}},
      {"ns/model", {"registry.ollama.ai", "ns", "model", "latest"}},
      {"host/ns/model", {"host", "ns", "model", "latest"}},
      {"host:5000/team/m:q4_K_M", {"host:5000", "team", "m", "q4_K_M"}},
      {"h/n/m:t", {"h", "n", "m", "t"}},
      {"_why/_the/_lucky:_stiff", {"_why", "_the", "_lucky", "_stiff"}},
      {"host:https/namespace/model:tag", {"host:https", "namespace", "model", "tag"}},
      {"llama3:7b-instruct-q4_K_M",
       {"registry.ollama.ai", "library", "llama3", "7b-instruct-q4_K_M"}},
      {"registry.ollama.ai/library/dolphin-mistral:7b-v2.6-dpo-laser-q6_K",
       {"registry.ollama.ai", "library", "dolphin-mistral", "7b-v2.6-dpo-laser-q6_K"}},
      {"  llama3.2  ", {"registry.ollama.ai", "library", "llama3.2", "latest"}},
      {"https://example.com/ns/m:t", {"example.com", "ns", "m", "t"}},
      {"http://localhost:5000/ns/m", {"localhost:5000", "ns", "m", "latest"}},
      {"apple/OpenELM:latest", {"registry.ollama.ai", "apple", "OpenELM", "latest"}},
      {std::string(80, 'm'), {"registry.ollama.ai", "library", std::string(80, 'm'), "latest"}},
      {std::string(350, 'h') + "/n/m", {std::string(350, 'h'), "n", "m", "latest"}},
  };
  for (const auto& c : cases) {
    Result<ModelName> n = ModelName::Parse(c.in);
    ASSERT_TRUE(n.ok()) << c.in << ": " << n.status().ToString();
    EXPECT_EQ(n->host(), c.want.host) << c.in;
    EXPECT_EQ(n->ns(), c.want.ns) << c.in;
    EXPECT_EQ(n->model(), c.want.model) << c.in;
    EXPECT_EQ(n->tag(), c.want.tag) << c.in;
  }
  EXPECT_EQ(ModelName::Parse("llama3")->scheme(), "https");
  EXPECT_EQ(ModelName::Parse("http://h/n/m")->scheme(), "http");
}

TEST(ModelNameTest, RejectsInvalidNamesWithoutTouchingTheirParts) {
  const struct {
    std::string in;
    std::string reason;  // a fragment of the message
  } cases[] = {
      {"", "empty"},
      {"   ", "empty"},
      {"^", "model \"^\" must start"},
      {"mm:", "tag after ':' is empty"},
      {"/nn/mm", "host is empty"},
      {"//", "empty"},
      {"//mm:@", "empty"},
      {"00@", "invalid character '@'"},
      {"hh//", "model after '/' is empty"},
      {"hh/-nn/mm:tt", "namespace \"-nn\" must start"},
      {"host/name:space/model:tag", "namespace \"name:space\" contains the invalid character ':'"},
      {"h/a.b/m:t", "namespace \"a.b\" contains the invalid character '.'"},
      {"a/b/c/d", "host \"a/b\" contains the invalid character '/'"},
      {"m@sha256:abc", "invalid character '@'"},
      {std::string(81, 'm'), "81 bytes long (at most 80)"},
      {"m:" + std::string(81, 't'), "tag is 81 bytes long"},
      {"n" + std::string(80, 'n') + "/m", "namespace is 81 bytes"},
      {std::string(351, 'h') + "/n/m", "host is 351 bytes long (at most 350)"},
      // Path traversal and other hostile input (user-needs §2).
      {"../x", "namespace \"..\" must start"},
      {"..", "model \"..\" must start"},
      {".", "model \".\" must start"},
      {"a/../../b", "host \"a/..\""},
      {"/etc/passwd", "host is empty"},
      {"/abs/ns/m", "host \"/abs\" must start"},
      {"ns/..", "model \"..\" must start"},
      {"m:..", "tag \"..\" must start"},
      {"m:.hidden", "tag \".hidden\" must start"},
      {"a\\b", "invalid character '\\x5c'"},
      {"..\\..\\x", "must start"},
      {std::string("mo\0del", 6), "invalid character '\\x00'"},
      {"m%2f..", "invalid character '%'"},
      {"ns/m/", "model after '/' is empty"},
      {"ftp://h/n/m", "unsupported scheme"},
      {"https:///n/m", "empty"},
      {"mö", "invalid character '\\xc3'"},
      {"m t", "invalid character ' '"},
      {"m\n:t", "invalid character '\\x0a'"},
  };
  for (const auto& c : cases) {
    Result<ModelName> n = ModelName::Parse(c.in);
    ASSERT_FALSE(n.ok()) << c.in;
    EXPECT_EQ(n.status().code(), StatusCode::kInvalidArgument);
    const std::string& msg = n.status().message();
    EXPECT_EQ(msg.rfind("invalid model name \"", 0), 0u) << msg;
    EXPECT_NE(msg.find(c.reason), std::string::npos) << c.in << " → " << msg;
    EXPECT_EQ(msg.find('\0'), std::string::npos);
    EXPECT_EQ(msg.find('\n'), std::string::npos);
  }
}

TEST(ModelNameTest, Renders) {
  const struct {
    std::string in, full, shortest, filepath, repo;
  } cases[] = {
      {"llama3", "registry.ollama.ai/library/llama3:latest", "llama3:latest",
       "registry.ollama.ai/library/llama3/latest", "library/llama3"},
      {"mistral:7b-instruct-q4_0", "registry.ollama.ai/library/mistral:7b-instruct-q4_0",
       "mistral:7b-instruct-q4_0", "registry.ollama.ai/library/mistral/7b-instruct-q4_0",
       "library/mistral"},
      {"apple/OpenELM:latest", "registry.ollama.ai/apple/OpenELM:latest", "apple/OpenELM:latest",
       "registry.ollama.ai/apple/OpenELM/latest", "apple/OpenELM"},
      {"myhost/mynamespace/lips:code", "myhost/mynamespace/lips:code",
       "myhost/mynamespace/lips:code", "myhost/mynamespace/lips/code", "mynamespace/lips"},
      {"REGISTRY.ollama.AI/Library/M", "REGISTRY.ollama.AI/Library/M:latest", "M:latest",
       "REGISTRY.ollama.AI/Library/M/latest", "Library/M"},
      {"localhost:5000/ns/m:v1", "localhost:5000/ns/m:v1", "localhost:5000/ns/m:v1",
       "localhost:5000/ns/m/v1", "ns/m"},
  };
  for (const auto& c : cases) {
    Result<ModelName> n = ModelName::Parse(c.in);
    ASSERT_TRUE(n.ok()) << c.in;
    EXPECT_EQ(n->String(), c.full);
    EXPECT_EQ(n->DisplayShortest(), c.shortest);
    EXPECT_EQ(n->Filepath(), c.filepath);
    EXPECT_EQ(n->RepositoryPath(), c.repo);
    // The filepath form parses back to the same name.
    Result<ModelName> back = ModelName::FromFilepath(n->Filepath());
    ASSERT_TRUE(back.ok()) << n->Filepath();
    EXPECT_EQ(*back, *n);
  }
}

TEST(ModelNameTest, FromFilepathIsExact) {
  for (const std::string& bad :
       {std::string("h/n/m"), std::string("h/n/m/t/x"), std::string("h/n/m/.tmp-1-2-3"),
        std::string("h//m/t"), std::string("../n/m/t"), std::string("h/n/m/"),
        std::string("h/n.x/m/t")}) {
    EXPECT_FALSE(ModelName::FromFilepath(bad).ok()) << bad;
  }
  EXPECT_TRUE(ModelName::FromFilepath("registry.ollama.ai/library/llama3.2/latest").ok());
}

TEST(ModelNameTest, ComparesCaseInsensitively) {
  ModelName a = *ModelName::Parse("Llama3:Latest");
  ModelName b = *ModelName::Parse("registry.ollama.ai/LIBRARY/llama3:latest");
  ModelName c = *ModelName::Parse("llama3:8b");
  EXPECT_TRUE(a.EqualFold(b));
  EXPECT_FALSE(a == b);
  EXPECT_FALSE(a.EqualFold(c));
  EXPECT_LT(c.CompareFold(a), 0);  // "8b" < "latest"
  EXPECT_EQ(CompareFoldAscii("ABC", "abc"), 0);
  EXPECT_LT(CompareFoldAscii("ab", "abc"), 0);
  EXPECT_GT(CompareFoldAscii("b", "A"), 0);
}

TEST(ModelNameTest, FromPartsValidatesEachPart) {
  EXPECT_TRUE(ModelName::FromParts("h", "n", "m", "t").ok());
  EXPECT_FALSE(ModelName::FromParts("h", "n", "..", "t").ok());
  EXPECT_FALSE(ModelName::FromParts("", "n", "m", "t").ok());
  EXPECT_FALSE(ModelName::FromParts("h", "n", "m", "").ok());
  EXPECT_FALSE(ModelName::FromParts("h", "a/b", "m", "t").ok());
}

// Property: whatever random text parses, every part is a safe, valid path component.
TEST(ModelNameTest, RandomInputsNeverYieldUnsafeParts) {
  std::mt19937 rng(42);
  static constexpr char kAlphabet[] = "aZ09_-.:/\\@%~ \t\n\0\xff";
  const std::string alphabet(kAlphabet, sizeof(kAlphabet) - 1);
  int accepted = 0;
  for (int iter = 0; iter < 20000; ++iter) {
    std::string s(1 + rng() % 24, ' ');
    for (char& c : s) c = alphabet[rng() % alphabet.size()];
    Result<ModelName> n = ModelName::Parse(s);
    if (!n.ok()) continue;
    ++accepted;
    for (const std::string* part : {&n->host(), &n->ns(), &n->model(), &n->tag()}) {
      ASSERT_FALSE(part->empty()) << s;
      char first = (*part)[0];
      ASSERT_TRUE(std::isalnum(static_cast<unsigned char>(first)) || first == '_') << s;
      for (char c : *part) {
        ASSERT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' ||
                    c == '.' || c == ':')
            << s;
      }
    }
    ASSERT_EQ(n->ns().find_first_of(".:"), std::string::npos) << s;
    ASSERT_EQ(n->model().find(':'), std::string::npos) << s;
    ASSERT_EQ(n->tag().find(':'), std::string::npos) << s;
    Result<ModelName> back = ModelName::FromFilepath(n->Filepath());
    ASSERT_TRUE(back.ok()) << s;
    EXPECT_TRUE(back->EqualFold(*n));
  }
  EXPECT_GT(accepted, 100);
}

}  // namespace
}  // namespace olla::store
