#include "modelfile/params.h"

#include <gtest/gtest.h>

namespace olla::modelfile {
namespace {

TEST(ParamsTest, TypesFollowTheOptionTable) {
  const struct {
    std::string_view name;
    std::optional<ParamType> want;
  } cases[] = {
      {"num_ctx", ParamType::kInt},
      {"num_batch", ParamType::kInt},
      {"num_gpu", ParamType::kInt},
      {"main_gpu", ParamType::kInt},
      {"num_thread", ParamType::kInt},
      {"draft_num_predict", ParamType::kInt},
      {"num_keep", ParamType::kInt},
      {"seed", ParamType::kInt},
      {"num_predict", ParamType::kInt},
      {"top_k", ParamType::kInt},
      {"repeat_last_n", ParamType::kInt},
      {"top_p", ParamType::kFloat},
      {"min_p", ParamType::kFloat},
      {"typical_p", ParamType::kFloat},
      {"temperature", ParamType::kFloat},
      {"repeat_penalty", ParamType::kFloat},
      {"presence_penalty", ParamType::kFloat},
      {"frequency_penalty", ParamType::kFloat},
      {"use_mmap", ParamType::kBool},
      {"stop", ParamType::kStringList},
      {"Temperature", std::nullopt},
      {"tfs_z", std::nullopt},
      {"num_gqa", std::nullopt},
      {"", std::nullopt},
  };
  for (const auto& c : cases) EXPECT_EQ(ParameterType(c.name), c.want) << c.name;
  for (std::string_view d : {"penalize_newline", "low_vram", "f16_kv", "logits_all", "vocab_only",
                             "use_mlock", "mirostat", "mirostat_tau", "mirostat_eta"}) {
    EXPECT_TRUE(IsDeprecatedParameter(d)) << d;
  }
  EXPECT_FALSE(IsDeprecatedParameter("temperature"));
}

TEST(ParamsTest, ParsesValuesLikeGo) {
  const struct {
    std::string_view name, value;
    ParamValue want;
  } cases[] = {
      {"num_ctx", "4096", int64_t{4096}},
      {"seed", "-1", int64_t{-1}},
      {"seed", "+42", int64_t{42}},
      {"seed", "9223372036854775807", int64_t{9223372036854775807}},
      {"temperature", "0.6", 0.6f},
      {"temperature", "1", 1.0f},
      {"top_p", ".5", 0.5f},
      {"top_p", "5.", 5.0f},
      {"top_p", "-1e-2", -0.01f},
      {"top_p", "+2.5E1", 25.0f},
      {"top_p", "0x1p-2", 0.25f},
      {"top_p", "1e-50", 0.0f},  // underflow rounds to zero, no error
      {"use_mmap", "true", true},
      {"use_mmap", "F", false},
      {"use_mmap", "1", true},
      {"stop", "<|eot_id|>", std::vector<std::string>{"<|eot_id|>"}},
  };
  for (const auto& c : cases) {
    Result<ParamValue> got = ParseParameterValue(c.name, c.value);
    ASSERT_TRUE(got.ok()) << c.name << "=" << c.value << " " << got.status().ToString();
    EXPECT_EQ(*got, c.want) << c.name << "=" << c.value;
  }
}

TEST(ParamsTest, RejectsBadValuesWithOllamasMessages) {
  const struct {
    std::string_view name, value, want;
  } cases[] = {
      {"bogus", "1", "unknown parameter 'bogus'"},
      {"num_ctx", "4k", "invalid int value [4k]"},
      {"num_ctx", "1.5", "invalid int value [1.5]"},
      {"num_ctx", "1_000", "invalid int value [1_000]"},
      {"num_ctx", "", "invalid int value []"},
      {"num_ctx", "99999999999999999999", "invalid int value [99999999999999999999]"},
      {"num_ctx", "+-1", "invalid int value [+-1]"},
      {"temperature", "hot", "invalid float value [hot]"},
      {"temperature", "1e39", "invalid float value [1e39]"},  // float32 overflow
      {"temperature", "inf", "invalid float value [inf]"},
      {"temperature", "nan", "invalid float value [nan]"},
      {"temperature", "1e", "invalid float value [1e]"},
      {"temperature", "--1", "invalid float value [--1]"},
      {"temperature", "", "invalid float value []"},
      {"use_mmap", "yes", "invalid bool value [yes]"},
      {"use_mmap", "tRUE", "invalid bool value [tRUE]"},
  };
  for (const auto& c : cases) {
    Result<ParamValue> got = ParseParameterValue(c.name, c.value);
    ASSERT_FALSE(got.ok()) << c.name << "=" << c.value;
    EXPECT_EQ(got.status().message(), c.want);
  }
}

TEST(ParamsTest, FormatsLikeGoPercentV) {
  const struct {
    double in;
    std::string_view want;
  } cases64[] = {
      {0.9, "0.9"},
      {42, "42"},
      {0, "0"},
      {-0.0, "-0"},
      {1e6, "1e+06"},
      {123456, "123456"},
      {1234567, "1.234567e+06"},
      {0.0001, "0.0001"},
      {0.00001, "1e-05"},
      {1e21, "1e+21"},
      {-2.5, "-2.5"},
  };
  for (const auto& c : cases64) EXPECT_EQ(FormatGoV(c.in), c.want) << c.in;
  EXPECT_EQ(FormatGoV(0.6f), "0.6");
  EXPECT_EQ(FormatGoV(0.7f), "0.7");
  EXPECT_EQ(FormatParamValue(ParamValue(int64_t{42})), std::vector<std::string>{"42"});
  EXPECT_EQ(FormatParamValue(ParamValue(0.9f)), std::vector<std::string>{"0.9"});
  EXPECT_EQ(FormatParamValue(ParamValue(true)), std::vector<std::string>{"true"});
  EXPECT_EQ(FormatParamValue(ParamValue(std::vector<std::string>{"a", "b"})),
            (std::vector<std::string>{"a", "b"}));
}

}  // namespace
}  // namespace olla::modelfile
