// The context-window arithmetic against worked examples of spec §10.6.

#include "runtime/context_window.h"

#include <gtest/gtest.h>

namespace olla::runtime {
namespace {

TEST(ContextWindowTest, ProtectedPrefixCountsBosAndStaysBelowTheWindow) {
  EXPECT_EQ(ProtectedPrefix(4, true, 100, 64), 5u);  // num_keep + BOS
  EXPECT_EQ(ProtectedPrefix(4, false, 100, 64), 4u);
  EXPECT_EQ(ProtectedPrefix(-1, true, 100, 64), 63u);  // keep all, but something must go
  EXPECT_EQ(ProtectedPrefix(10, true, 6, 64), 6u);     // never more than the prompt
  EXPECT_EQ(ProtectedPrefix(0, false, 100, 64), 0u);
}

TEST(ContextWindowTest, LongPromptsKeepHalfTheWindowFree) {
  // num_ctx 128, keep 5: the prompt is cut to 128 - (123 / 2) = 67 tokens.
  EXPECT_EQ(PromptTokensToDrop(300, 128, 5), 300u - 67u);
  EXPECT_EQ(PromptTokensToDrop(128, 128, 5), 128u - 67u);  // exactly num_ctx does not fit either
  EXPECT_EQ(PromptTokensToDrop(127, 128, 5), 0u);          // num_ctx - 1 fits
  // keep = num_ctx - 1: one position is left, the prompt becomes num_ctx - 1 long.
  EXPECT_EQ(PromptTokensToDrop(200, 128, 127), 200u - 127u);
}

TEST(ContextWindowTest, ShiftDiscardsHalfOfWhatIsNotProtected) {
  EXPECT_EQ(ShiftDiscard(128, 5), 61u);
  EXPECT_EQ(ShiftDiscard(128, 0), 64u);
  EXPECT_EQ(ShiftDiscard(6, 5), 1u);  // at least one
  EXPECT_EQ(ShiftDiscard(5, 5), 0u);  // nothing to discard
}

TEST(ContextWindowTest, PromptsThatCannotBeTruncatedAreRefusedWithTheSizes) {
  EXPECT_TRUE(CheckPromptFits(127, 128, false, false).ok());
  EXPECT_TRUE(CheckPromptFits(500, 128, true, true).ok());  // will be truncated
  const Status no_truncate = CheckPromptFits(500, 128, false, true);
  EXPECT_EQ(no_truncate.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(no_truncate.message().find("500 tokens"), std::string::npos) << no_truncate.message();
  EXPECT_NE(no_truncate.message().find("num_ctx 128"), std::string::npos) << no_truncate.message();
  const Status no_shift = CheckPromptFits(128, 128, true, false);
  EXPECT_EQ(no_shift.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(no_shift.message().rfind(
                "the prompt is longer than the context length currently available", 0),
            0u);
}

TEST(ContextWindowTest, WithoutRangeRemovesTheTokensAfterThePrefix) {
  const std::vector<engine::TokenId> t = {1, 2, 3, 4, 5, 6, 7};
  EXPECT_EQ(WithoutRange(t, 2, 3), (std::vector<engine::TokenId>{1, 2, 6, 7}));
  EXPECT_EQ(WithoutRange(t, 0, 7), (std::vector<engine::TokenId>{}));
  EXPECT_EQ(WithoutRange(t, 7, 2), t);
}

}  // namespace
}  // namespace olla::runtime
