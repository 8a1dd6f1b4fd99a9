#include "api/json_order.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace olla::api {
namespace {

using nlohmann::json;

TEST(JsonOrderTest, CopiedObjectsKeepTheSourceOrder) {
  const std::string source =
      R"({"model":"m","response_format":{"type":"json_schema","json_schema":{"name":"x",
    "schema":{"type":"object","properties":{"zeta":{"type":"string"},"alpha":{"type":"integer"},
    "mid":{"type":"object","properties":{"y":{"type":"null"},"b":{"type":"null"}}}},"required":["zeta","alpha"]}}}})";
  const json src = json::parse(source);
  const json native = {{"model", "m"},
                       {"format", src["response_format"]["json_schema"]["schema"]},
                       {"options", {{"top_p", 1.0}, {"temperature", 1.0}}}};
  EXPECT_EQ(
      DumpWithKeyOrderOf(native, source),
      R"({"format":{"type":"object","properties":{"zeta":{"type":"string"},"alpha":{"type":"integer"},)"
      R"("mid":{"type":"object","properties":{"y":{"type":"null"},"b":{"type":"null"}}}},)"
      R"("required":["zeta","alpha"]},"model":"m","options":{"temperature":1.0,"top_p":1.0}})");
}

TEST(JsonOrderTest, ObjectTextsInStringsCount) {
  // OpenAI tool-call arguments are JSON text; the converter parses them into objects.
  const std::string source =
      R"({"messages":[{"role":"assistant","tool_calls":[{"function":{"name":"f","arguments":"{\"z\": 1, \"a\": [2]}"}}]}]})";
  const json native = {
      {"messages",
       {{{"role", "assistant"},
         {"tool_calls",
          {{{"function", {{"name", "f"}, {"arguments", {{"z", 1}, {"a", {2}}}}}}}}}}}}};
  EXPECT_EQ(
      DumpWithKeyOrderOf(native, source),
      R"({"messages":[{"role":"assistant","tool_calls":[{"function":{"arguments":{"z":1,"a":[2]},"name":"f"}}]}]})");
}

TEST(JsonOrderTest, ChangedObjectsAreSortedAndTheirCopiedChildrenKeepOrder) {
  const std::string source =
      R"({"tools":[{"type":"function","name":"f","parameters":{"q":1,"p":2}}]})";
  // The converter moved `parameters` into a new object: that object is sorted, its child kept.
  const json native = {{"tools",
                        {{{"type", "function"},
                          {"function", {{"name", "f"}, {"parameters", {{"q", 1}, {"p", 2}}}}}}}}};
  EXPECT_EQ(
      DumpWithKeyOrderOf(native, source),
      R"({"tools":[{"function":{"name":"f","parameters":{"q":1,"p":2}},"type":"function"}]})");
}

TEST(JsonOrderTest, ValuesMustMatchExactly) {
  const std::string source = R"({"a":{"y":1,"x":2},"b":{"y":1,"x":2.5},"c":{"y":"1","x":2}})";
  const json native = {
      {"n", {{"y", 1}, {"x", 3}}}, {"m", {{"y", 1}, {"x", 2}}}, {"s", {{"y", 1}, {"x", 2.5}}}};
  EXPECT_EQ(DumpWithKeyOrderOf(native, source),
            R"({"m":{"y":1,"x":2},"n":{"x":3,"y":1},"s":{"y":1,"x":2.5}})");
}

TEST(JsonOrderTest, InvalidSourceFallsBackToSortedDump) {
  const json native = {{"b", 1}, {"a", "\xff"}};
  EXPECT_EQ(DumpWithKeyOrderOf(native, "not json"), "{\"a\":\"\xEF\xBF\xBD\",\"b\":1}");
}

}  // namespace
}  // namespace olla::api
