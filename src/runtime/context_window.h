#pragma once
// Ollama's context-window rules (spec §10.6) as pure functions: which prompt tokens survive when a
// prompt is longer than the window, and how many tokens a full window discards to keep going
// ("context shift"). The first `keep` tokens (num_keep, plus the BOS token) are never dropped.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "base/status.h"
#include "engine/context.h"

namespace olla::runtime {

// The protected prefix: num_keep tokens (+1 when the prompt starts with BOS; num_keep < 0 keeps
// everything), at most num_ctx - 1 so that something can always be discarded.
size_t ProtectedPrefix(int32_t num_keep, bool starts_with_bos, size_t prompt_size, size_t num_ctx);

// For a prompt of more than num_ctx - 1 tokens: the tokens to remove, right after the protected
// prefix, so that num_ctx - max((num_ctx - keep) / 2, 1) remain (half the window stays free for
// the answer). 0 when the prompt fits.
size_t PromptTokensToDrop(size_t prompt_size, size_t num_ctx, size_t keep);

// When the window is full (n_used tokens): how many tokens after the protected prefix to discard,
// half of the rest (at least 1), as Ollama's runner does.
size_t ShiftDiscard(size_t n_used, size_t keep);

// Ok when a prompt of prompt_size tokens fits in num_ctx or may be truncated to fit; otherwise
// kInvalidArgument: with truncate false, naming both sizes; with shift false, Ollama's message.
Status CheckPromptFits(size_t prompt_size, size_t num_ctx, bool truncate, bool shift);

// tokens without [keep, keep + n).
std::vector<engine::TokenId> WithoutRange(const std::vector<engine::TokenId>& tokens, size_t keep,
                                          size_t n);

}  // namespace olla::runtime
