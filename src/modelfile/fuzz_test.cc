// Feeds 10k random and mutated inputs to Parse (the libFuzzer entry point) and to the functions
// downstream of it. The property: no crash, no exception, no hang; successful parses render and
// re-parse without crashing either.

#include <gtest/gtest.h>

#include <chrono>
#include <random>
#include <string>
#include <vector>

#include "modelfile/create_request.h"
#include "modelfile/modelfile.h"

namespace olla::modelfile {
namespace {

using namespace std::string_literals;

const std::string kSeeds[] = {
    "FROM llama3.2\nPARAMETER temperature 0.6\nPARAMETER stop <|eot_id|>\n"s,
    "FROM foo\nSYSTEM \"\"\"\nmulti\n\"line\"\n\"\"\"\nMESSAGE user hi\n"s,
    "# comment\nFROM ./m.gguf\nTEMPLATE \"{{ .Prompt }}\"\nLICENSE MIT\nADAPTER ./a\n"s,
    "from x\r\nparameter num_ctx 4096\r\nmessage assistant \"ok\"\r\nREQUIRES 0.1.2\n"s,
    "\xFF\xFE"
    "F\0R\0O\0M\0 \0x\0"s,
    "\xEF\xBB\xBF"
    "FROM x\nDRAFT y\nRENDERER r\nPARSER p\n"s,
};

const std::string kTokens[] = {
    "\"\"\""s,
    "\""s,
    "\n"s,
    "\r"s,
    "\t"s,
    " "s,
    "#"s,
    "FROM "s,
    "PARAMETER "s,
    "MESSAGE "s,
    "SYSTEM "s,
    "user "s,
    "stop "s,
    "\xFF\xFE"s,
    "\xFE\xFF"s,
    "\xEF\xBB\xBF"s,
    "\xF0\x9F\x91\x8B"s,
    "\xED\xA0\x80"s,
    "\0"s,
    "\xC0\x80"s,
    "\xE2\x80\xA8"s,
    "top_k "s,
    "1e39"s,
    "-"s,
};

std::string Mutate(std::string s, std::mt19937& rng) {
  int n_mut = 1 + static_cast<int>(rng() % 8);
  for (int m = 0; m < n_mut; ++m) {
    size_t pos = s.empty() ? 0 : rng() % (s.size() + 1);
    switch (rng() % 5) {
      case 0:  // flip a byte
        if (!s.empty()) s[pos % s.size()] = static_cast<char>(rng());
        break;
      case 1:  // insert a token
        s.insert(pos, kTokens[rng() % std::size(kTokens)]);
        break;
      case 2:  // delete a range
        if (!s.empty()) s.erase(pos % s.size(), 1 + rng() % 8);
        break;
      case 3:  // truncate
        s.resize(pos);
        break;
      default:  // duplicate a slice
        if (!s.empty()) {
          size_t from = rng() % s.size();
          s.insert(pos, s.substr(from, 1 + rng() % 16));
        }
        break;
    }
  }
  return s;
}

TEST(FuzzTest, ParseNeverCrashesOnRandomAndMutatedInputs) {
  std::mt19937 rng(20240611);
  int parsed = 0;
  for (int iter = 0; iter < 10000; ++iter) {
    std::string input;
    if (iter % 4 == 0) {
      input.resize(rng() % 256);
      for (char& c : input) c = static_cast<char>(rng());
    } else {
      input = Mutate(kSeeds[rng() % std::size(kSeeds)], rng);
    }
    Result<Modelfile> mf = Parse(input);
    if (!mf.ok()) {
      EXPECT_FALSE(mf.status().message().empty());
      continue;
    }
    ++parsed;
    std::string text = mf->ToString();
    Result<Modelfile> again = Parse(text);
    (void)again;
    Result<CreateRequest> req = BuildCreateRequest(*mf);
    (void)req;
  }
  EXPECT_GT(parsed, 100);  // the mutator keeps plenty of inputs valid
}

TEST(FuzzTest, LongValuesParseInLinearTime) {
  // 4 MiB of words: a quadratic "is the value complete?" check would take minutes.
  std::string text = "FROM x\nLICENSE \"\"\"";
  for (int i = 0; i < (1 << 20); ++i) text += "ab \n";
  text += "\"\"\"\n";
  auto start = std::chrono::steady_clock::now();
  Result<Modelfile> mf = Parse(text);
  auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(mf.ok()) << mf.status().ToString();
  EXPECT_EQ(mf->commands.back().args.size(), size_t{4} << 20);
  EXPECT_LT(elapsed, std::chrono::seconds(10));
}

}  // namespace
}  // namespace olla::modelfile
