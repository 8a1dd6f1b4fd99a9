#pragma once
// Metadata: the ordered key/value section of a GGUF file. Order is kept so that a file written
// back is byte-identical to the one read.

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/status.h"
#include "gguf/value.h"

namespace olla::gguf {

class Metadata {
 public:
  // Adds or replaces `key` (a replaced key keeps its position).
  void Set(std::string key, Value value);
  bool Erase(std::string_view key);

  // nullptr if absent.
  const Value* Find(std::string_view key) const;
  bool Contains(std::string_view key) const { return Find(key) != nullptr; }
  size_t size() const { return entries_.size(); }
  const std::vector<std::pair<std::string, Value>>& entries() const { return entries_; }

  // Typed getters: kNotFound naming the key when absent, kInvalidArgument naming the key and
  // the found type on a type mismatch.
  Result<std::string> GetString(std::string_view key) const;
  Result<int64_t> GetInt(std::string_view key) const;
  Result<uint64_t> GetUint(std::string_view key) const;
  Result<double> GetDouble(std::string_view key) const;
  Result<bool> GetBool(std::string_view key) const;
  Result<const Array*> GetArray(std::string_view key) const;

  // As above, but a missing key yields `fallback` (a present key of the wrong type still fails).
  Result<std::string> GetStringOr(std::string_view key, std::string fallback) const;
  Result<int64_t> GetIntOr(std::string_view key, int64_t fallback) const;
  Result<uint64_t> GetUintOr(std::string_view key, uint64_t fallback) const;
  Result<double> GetDoubleOr(std::string_view key, double fallback) const;
  Result<bool> GetBoolOr(std::string_view key, bool fallback) const;

  bool operator==(const Metadata& other) const { return entries_ == other.entries_; }

 private:
  std::vector<std::pair<std::string, Value>> entries_;
  std::unordered_map<std::string, size_t> index_;
};

}  // namespace olla::gguf
