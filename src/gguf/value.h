#pragma once
// GGUF metadata values: the 13 value types of the format, including nested arrays.
// The variant index of Value::Storage equals the GGUF type id, so the two never disagree.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/status.h"

namespace olla::gguf {

enum class ValueType : uint32_t {
  kUint8 = 0,
  kInt8 = 1,
  kUint16 = 2,
  kInt16 = 3,
  kUint32 = 4,
  kInt32 = 5,
  kFloat32 = 6,
  kBool = 7,
  kString = 8,
  kArray = 9,
  kUint64 = 10,
  kInt64 = 11,
  kFloat64 = 12,
};
constexpr uint32_t kNumValueTypes = 13;

std::string_view ValueTypeName(ValueType type);

class Value;

// An array's elements all have `elem_type`; arrays may nest.
struct Array {
  ValueType elem_type = ValueType::kUint8;
  std::vector<Value> items;
};

class Value {
 public:
  using Storage = std::variant<uint8_t, int8_t, uint16_t, int16_t, uint32_t, int32_t, float, bool,
                               std::string, Array, uint64_t, int64_t, double>;

  Value() = default;
  template <typename T>
  explicit Value(T v) : v_(std::move(v)) {}

  ValueType type() const { return static_cast<ValueType>(v_.index()); }
  const Storage& storage() const { return v_; }

  bool is_string() const { return type() == ValueType::kString; }
  bool is_array() const { return type() == ValueType::kArray; }
  bool is_integer() const;
  bool is_float() const { return type() == ValueType::kFloat32 || type() == ValueType::kFloat64; }

  // Typed access. Integers convert between widths when the value fits; floats accept
  // either float width. Other mismatches give kInvalidArgument naming both types.
  Result<int64_t> AsInt() const;
  Result<uint64_t> AsUint() const;
  Result<double> AsDouble() const;
  Result<bool> AsBool() const;
  const std::string* AsString() const { return std::get_if<std::string>(&v_); }
  const Array* AsArray() const { return std::get_if<Array>(&v_); }

  // Short human rendering for `olla show`: strings quoted only inside arrays, arrays
  // abbreviated after `max_items` as "[a b ...+N more]".
  std::string ToDisplayString(size_t max_items = 10) const;

  bool operator==(const Value& other) const;

 private:
  Storage v_;
};

}  // namespace olla::gguf
