#include "server/options.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>

#include "base/log.h"
#include "base/str_cat.h"

namespace olla::server {

using nlohmann::json;

namespace {

const std::set<std::string>& DeprecatedOptions() {
  static const std::set<std::string> k = {"penalize_newline", "low_vram",     "f16_kv",
                                          "logits_all",       "vocab_only",   "use_mlock",
                                          "mirostat",         "mirostat_tau", "mirostat_eta"};
  return k;
}

Result<int64_t> AsInt(const std::string& key, const json& v) {
  if (!v.is_number())
    return Status::InvalidArgument(StrCat("option \"", key, "\" must be of type integer"));
  return v.is_number_float() ? static_cast<int64_t>(std::trunc(v.get<double>())) : v.get<int64_t>();
}
Result<float> AsFloat(const std::string& key, const json& v) {
  if (!v.is_number())
    return Status::InvalidArgument(StrCat("option \"", key, "\" must be of type float32"));
  return static_cast<float>(v.get<double>());
}
Result<bool> AsBool(const std::string& key, const json& v) {
  if (!v.is_boolean())
    return Status::InvalidArgument(StrCat("option \"", key, "\" must be of type boolean"));
  return v.get<bool>();
}

Status OutOfRange(const std::string& key, int64_t min, int64_t max) {
  if (min == INT64_MIN)
    return Status::InvalidArgument(StrCat("option \"", key, "\" must be at most ", max));
  return Status::InvalidArgument(
      StrCat("option \"", key, "\" must be between ", min, " and ", max));
}

// An integer option within [min, max]; a number beyond int64 (2^70, 1e300) is out of range too,
// rather than whatever the conversion makes of it.
Result<int64_t> IntInRange(const std::string& key, const json& v, int64_t min, int64_t max) {
  if (v.is_number_float()) {
    const double d = v.get<double>();
    if (!(d >= static_cast<double>(min) && d < static_cast<double>(max) + 1.0))
      return OutOfRange(key, min, max);
  } else if (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(max)) {
    return OutOfRange(key, min, max);
  }
  OLLA_ASSIGN_OR_RETURN(int64_t x, AsInt(key, v));
  if (x < min || x > max) return OutOfRange(key, min, max);
  return x;
}

Status Apply(const std::string& key, const json& v, ResolvedOptions& o) {
  if (v.is_null()) return Status::Ok();
  auto& s = o.gen.sampler;
  // Integer fields take any value of their type (num_predict 2^40 was silently cut to 0).
  auto set_int = [&](auto& field) -> Status {
    using Field = std::decay_t<decltype(field)>;
    OLLA_ASSIGN_OR_RETURN(int64_t x, IntInRange(key, v, std::numeric_limits<Field>::min(),
                                                std::numeric_limits<Field>::max()));
    field = static_cast<Field>(x);
    return Status::Ok();
  };
  auto set_float = [&](float& field) -> Status {
    OLLA_ASSIGN_OR_RETURN(field, AsFloat(key, v));
    return Status::Ok();
  };
  // Load-time sizes (values <= 0 keep the default, as before): each sizes memory or threads.
  if (key == "num_ctx") {
    OLLA_ASSIGN_OR_RETURN(int64_t x, IntInRange(key, v, INT64_MIN, kMaxNumCtx));
    if (x > 0) o.load.num_ctx = static_cast<size_t>(x);
    return Status::Ok();
  }
  if (key == "num_batch") {
    OLLA_ASSIGN_OR_RETURN(int64_t x, IntInRange(key, v, INT64_MIN, kMaxNumBatch));
    if (x > 0) o.load.num_batch = static_cast<size_t>(x);
    return Status::Ok();
  }
  if (key == "num_thread") {
    OLLA_ASSIGN_OR_RETURN(int64_t x, IntInRange(key, v, INT64_MIN, kMaxNumThread));
    o.load.num_thread = x > 0 ? static_cast<size_t>(x) : 0;
    return Status::Ok();
  }
  if (key == "num_gpu" || key == "main_gpu" || key == "draft_num_predict")
    return AsInt(key, v).status();
  if (key == "use_mmap") return AsBool(key, v).status();
  if (key == "num_keep") return set_int(o.num_keep);
  if (key == "seed") return set_int(s.seed);
  if (key == "num_predict") return set_int(o.gen.num_predict);
  if (key == "top_k") return set_int(s.top_k);
  if (key == "repeat_last_n") return set_int(s.repeat_last_n);
  if (key == "top_p") return set_float(s.top_p);
  if (key == "min_p") return set_float(s.min_p);
  if (key == "typical_p") return set_float(s.typical_p);
  if (key == "temperature") return set_float(s.temperature);
  if (key == "repeat_penalty") return set_float(s.repeat_penalty);
  if (key == "presence_penalty") return set_float(s.presence_penalty);
  if (key == "frequency_penalty") return set_float(s.frequency_penalty);
  if (key == "stop") {
    if (v.is_string()) {
      o.gen.stop = {v.get<std::string>()};
      return Status::Ok();
    }
    if (!v.is_array()) return Status::InvalidArgument("option \"stop\" must be of type array");
    std::vector<std::string> stops;
    for (const auto& item : v) {
      if (!item.is_string())
        return Status::InvalidArgument("option \"stop\" must be of an array of strings");
      stops.push_back(item.get<std::string>());
    }
    o.gen.stop = std::move(stops);
    return Status::Ok();
  }
  o.ignored.push_back(key);
  LogWarn(DeprecatedOptions().contains(key) ? StrCat("option ", key, " is deprecated and ignored")
                                            : StrCat("invalid option provided: ", key));
  return Status::Ok();
}

}  // namespace

Result<ResolvedOptions> ResolveOptions(const json& model_params, const json& request_options,
                                       size_t default_num_ctx) {
  ResolvedOptions o;
  o.load.num_ctx = default_num_ctx;
  for (const json* layer : {&model_params, &request_options}) {
    if (layer->is_null()) continue;
    if (!layer->is_object()) return Status::InvalidArgument("options must be a JSON object");
    for (auto it = layer->begin(); it != layer->end(); ++it)
      OLLA_RETURN_IF_ERROR(Apply(it.key(), it.value(), o));
  }
  // num_predict < 0 is capped at 10 × num_ctx (spec §10.1).
  if (o.gen.num_predict < 0)
    o.gen.num_predict = static_cast<int32_t>(std::min<uint64_t>(10ull * o.load.num_ctx, INT32_MAX));
  return o;
}

}  // namespace olla::server
