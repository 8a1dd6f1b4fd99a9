#include "gguf/value.h"

#include <cmath>
#include <cstring>

#include "base/str_cat.h"

namespace olla::gguf {

std::string_view ValueTypeName(ValueType type) {
  static constexpr std::string_view kNames[] = {"uint8",  "int8",    "uint16", "int16",  "uint32",
                                                "int32",  "float32", "bool",   "string", "array",
                                                "uint64", "int64",   "float64"};
  auto idx = static_cast<uint32_t>(type);
  return idx < kNumValueTypes ? kNames[idx] : "unknown";
}

bool Value::is_integer() const {
  switch (type()) {
    case ValueType::kUint8:
    case ValueType::kInt8:
    case ValueType::kUint16:
    case ValueType::kInt16:
    case ValueType::kUint32:
    case ValueType::kInt32:
    case ValueType::kUint64:
    case ValueType::kInt64:
      return true;
    default:
      return false;
  }
}

Result<int64_t> Value::AsInt() const {
  return std::visit(
      [this](const auto& v) -> Result<int64_t> {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, uint64_t>) {
          if (v > static_cast<uint64_t>(INT64_MAX))
            return Status::InvalidArgument("value does not fit in int64");
          return static_cast<int64_t>(v);
        } else if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
          return static_cast<int64_t>(v);
        } else {
          return Status::InvalidArgument(
              StrCat("expected an integer, found ", ValueTypeName(type())));
        }
      },
      v_);
}

Result<uint64_t> Value::AsUint() const {
  return std::visit(
      [this](const auto& v) -> Result<uint64_t> {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
          if constexpr (std::is_signed_v<T>) {
            if (v < 0) return Status::InvalidArgument("negative value where unsigned expected");
          }
          return static_cast<uint64_t>(v);
        } else {
          return Status::InvalidArgument(
              StrCat("expected an integer, found ", ValueTypeName(type())));
        }
      },
      v_);
}

Result<double> Value::AsDouble() const {
  if (auto* f = std::get_if<float>(&v_)) return static_cast<double>(*f);
  if (auto* d = std::get_if<double>(&v_)) return *d;
  if (is_integer()) {
    OLLA_ASSIGN_OR_RETURN(int64_t i, AsInt());
    return static_cast<double>(i);
  }
  return Status::InvalidArgument(StrCat("expected a number, found ", ValueTypeName(type())));
}

Result<bool> Value::AsBool() const {
  if (auto* b = std::get_if<bool>(&v_)) return *b;
  return Status::InvalidArgument(StrCat("expected a bool, found ", ValueTypeName(type())));
}

std::string Value::ToDisplayString(size_t max_items) const {
  return std::visit(
      [max_items](const auto& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string>) {
          return v;
        } else if constexpr (std::is_same_v<T, bool>) {
          return v ? "true" : "false";
        } else if constexpr (std::is_floating_point_v<T>) {
          return StrFormat("%g", static_cast<double>(v));
        } else if constexpr (std::is_same_v<T, Array>) {
          std::string out = "[";
          size_t n = v.items.size() < max_items ? v.items.size() : max_items;
          for (size_t i = 0; i < n; ++i) {
            if (i) out += ' ';
            const Value& item = v.items[i];
            out += item.is_string() ? StrCat("\"", *item.AsString(), "\"")
                                    : item.ToDisplayString(max_items);
          }
          if (v.items.size() > n) StrAppend(out, n ? " " : "", "...+", v.items.size() - n, " more");
          out += "]";
          return out;
        } else {
          return StrCat(v);
        }
      },
      v_);
}

bool Value::operator==(const Value& other) const {
  if (type() != other.type()) return false;
  return std::visit(
      [&other](const auto& a) -> bool {
        using T = std::decay_t<decltype(a)>;
        const T& b = std::get<T>(other.v_);
        if constexpr (std::is_same_v<T, Array>) {
          return a.elem_type == b.elem_type && a.items == b.items;
        } else if constexpr (std::is_floating_point_v<T>) {
          // Bitwise, so that NaN == NaN (and -0 != +0) for round-trip checks.
          return std::memcmp(&a, &b, sizeof(T)) == 0;
        } else {
          return a == b;
        }
      },
      v_);
}

}  // namespace olla::gguf
