#include "runtime/context_window.h"

#include <algorithm>

#include "base/str_cat.h"

namespace olla::runtime {

size_t ProtectedPrefix(int32_t num_keep, bool starts_with_bos, size_t prompt_size, size_t num_ctx) {
  size_t keep =
      num_keep < 0 ? prompt_size : static_cast<size_t>(num_keep) + (starts_with_bos ? 1 : 0);
  keep = std::min(keep, prompt_size);
  return num_ctx == 0 ? 0 : std::min(keep, num_ctx - 1);
}

size_t PromptTokensToDrop(size_t prompt_size, size_t num_ctx, size_t keep) {
  if (num_ctx == 0 || prompt_size < num_ctx) return 0;
  const size_t target = num_ctx - std::max<size_t>((num_ctx - keep) / 2, 1);
  return prompt_size > target ? prompt_size - target : 0;
}

size_t ShiftDiscard(size_t n_used, size_t keep) {
  if (n_used <= keep) return 0;
  return std::max<size_t>((n_used - keep) / 2, 1);
}

Status CheckPromptFits(size_t prompt_size, size_t num_ctx, bool truncate, bool shift) {
  if (prompt_size < num_ctx) return Status::Ok();
  if (!truncate)
    return Status::InvalidArgument(
        StrCat("the prompt is longer than the context length: ", prompt_size,
               " tokens do not fit in num_ctx ", num_ctx, " (truncate is false)"));
  if (!shift)
    return Status::InvalidArgument(
        "the prompt is longer than the context length currently available to the model; shorten "
        "the prompt, adjust "
        "the context length in settings, or use a model with a longer context length");
  return Status::Ok();
}

std::vector<engine::TokenId> WithoutRange(const std::vector<engine::TokenId>& tokens, size_t keep,
                                          size_t n) {
  std::vector<engine::TokenId> out(
      tokens.begin(), tokens.begin() + static_cast<std::ptrdiff_t>(std::min(keep, tokens.size())));
  if (keep + n < tokens.size())
    out.insert(out.end(), tokens.begin() + static_cast<std::ptrdiff_t>(keep + n), tokens.end());
  return out;
}

}  // namespace olla::runtime
