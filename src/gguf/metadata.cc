#include "gguf/metadata.h"

#include "base/str_cat.h"

namespace olla::gguf {

void Metadata::Set(std::string key, Value value) {
  auto it = index_.find(key);
  if (it != index_.end()) {
    entries_[it->second].second = std::move(value);
    return;
  }
  index_.emplace(key, entries_.size());
  entries_.emplace_back(std::move(key), std::move(value));
}

bool Metadata::Erase(std::string_view key) {
  auto it = index_.find(std::string(key));
  if (it == index_.end()) return false;
  entries_.erase(entries_.begin() + static_cast<std::ptrdiff_t>(it->second));
  index_.clear();
  for (size_t i = 0; i < entries_.size(); ++i) index_.emplace(entries_[i].first, i);
  return true;
}

const Value* Metadata::Find(std::string_view key) const {
  auto it = index_.find(std::string(key));
  return it == index_.end() ? nullptr : &entries_[it->second].second;
}

namespace {
template <typename T>
Result<T> Annotate(Result<T> r, std::string_view key) {
  if (r.ok()) return r;
  return r.status().WithPrefix(StrCat("metadata key '", key, "'"));
}
Status Missing(std::string_view key) {
  return Status::NotFound(StrCat("metadata key '", key, "' not found"));
}
}  // namespace

Result<std::string> Metadata::GetString(std::string_view key) const {
  const Value* v = Find(key);
  if (!v) return Missing(key);
  if (!v->is_string())
    return Status::InvalidArgument(
        StrCat("metadata key '", key, "': expected a string, found ", ValueTypeName(v->type())));
  return *v->AsString();
}
Result<int64_t> Metadata::GetInt(std::string_view key) const {
  const Value* v = Find(key);
  if (!v) return Missing(key);
  return Annotate(v->AsInt(), key);
}
Result<uint64_t> Metadata::GetUint(std::string_view key) const {
  const Value* v = Find(key);
  if (!v) return Missing(key);
  return Annotate(v->AsUint(), key);
}
Result<double> Metadata::GetDouble(std::string_view key) const {
  const Value* v = Find(key);
  if (!v) return Missing(key);
  return Annotate(v->AsDouble(), key);
}
Result<bool> Metadata::GetBool(std::string_view key) const {
  const Value* v = Find(key);
  if (!v) return Missing(key);
  return Annotate(v->AsBool(), key);
}
Result<const Array*> Metadata::GetArray(std::string_view key) const {
  const Value* v = Find(key);
  if (!v) return Missing(key);
  if (!v->is_array())
    return Status::InvalidArgument(
        StrCat("metadata key '", key, "': expected an array, found ", ValueTypeName(v->type())));
  return v->AsArray();
}

Result<std::string> Metadata::GetStringOr(std::string_view key, std::string fallback) const {
  return Contains(key) ? GetString(key) : Result<std::string>(std::move(fallback));
}
Result<int64_t> Metadata::GetIntOr(std::string_view key, int64_t fallback) const {
  return Contains(key) ? GetInt(key) : Result<int64_t>(fallback);
}
Result<uint64_t> Metadata::GetUintOr(std::string_view key, uint64_t fallback) const {
  return Contains(key) ? GetUint(key) : Result<uint64_t>(fallback);
}
Result<double> Metadata::GetDoubleOr(std::string_view key, double fallback) const {
  return Contains(key) ? GetDouble(key) : Result<double>(fallback);
}
Result<bool> Metadata::GetBoolOr(std::string_view key, bool fallback) const {
  return Contains(key) ? GetBool(key) : Result<bool>(fallback);
}

}  // namespace olla::gguf
