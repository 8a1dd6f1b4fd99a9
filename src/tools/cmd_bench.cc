// `olla bench MODEL.gguf [-p 512] [-n 128] [-r 3] [-t 1,2] [--json]`: llama-bench's two tests,
//   ppP: P prompt tokens evaluated in one batch from an empty cache (tokens/s over the batch);
//   tgN: N tokens generated one at a time from an empty cache (tokens/s over the N);
// each repeated r times (mean ± sample standard deviation), after one unmeasured warm-up. In the
// same run it measures the machine's memory read bandwidth (all benchmark threads streaming a
// buffer several times the last-level cache) and prints, beside tg, the rate that bandwidth
// allows when every weight byte is read once per token, and the fraction of it reached.
// Token ids are random (fixed seed): speed does not depend on them.
// With --format, tgN/format generates through the runtime's sampling loop (greedy, detokenizing)
// constrained by the format's grammar, until N tokens or the grammar's end: its tokens/s beside
// tgN's is the cost of grammar-constrained sampling per token. (An unconstrained greedy run is
// no baseline: it may stop at an early end-of-text token.)

#include <CLI/CLI.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>

#include "base/file.h"
#include "base/str_cat.h"
#include "base/thread_pool.h"
#include "engine/context.h"
#include "grammar/json_schema.h"
#include "runtime/generate.h"
#include "tokenizer/tokenizer.h"
#include "kernels/bandwidth.h"
#include "kernels/cpu.h"
#include "tools/commands.h"
#include "tools/parse_util.h"

namespace olla::tools {
namespace {

struct BenchOpts {
  std::string model, threads, kv_type = "f16";
  std::string format;  // "json", a JSON Schema, or @FILE holding one (empty: no format tests)
  size_t n_prompt = 512, n_gen = 128;
  int reps = 3;
  bool json = false;
  size_t bandwidth_mib = 0;  // 0: max(1 GiB, 4 x the last-level cache)
};

struct Stat {
  double mean = 0, sd = 0;
};
Stat MeanSd(const std::vector<double>& xs) {
  Stat s;
  if (xs.empty()) return s;
  for (double x : xs) s.mean += x;
  s.mean /= static_cast<double>(xs.size());
  if (xs.size() > 1) {
    for (double x : xs) s.sd += (x - s.mean) * (x - s.mean);
    s.sd = std::sqrt(s.sd / static_cast<double>(xs.size() - 1));
  }
  return s;
}

// "2", "1,2,4" or "1-4".
Result<std::vector<size_t>> ParseThreadList(const std::string& text) {
  std::vector<size_t> out;
  if (text.empty()) return std::vector<size_t>{ThreadPool::DefaultThreadCount()};
  if (auto dash = text.find('-'); dash != std::string::npos) {
    const size_t a = std::strtoul(text.substr(0, dash).c_str(), nullptr, 10);
    const size_t b = std::strtoul(text.substr(dash + 1).c_str(), nullptr, 10);
    for (size_t t = a; t >= 1 && t <= b; ++t) out.push_back(t);
  } else {
    OLLA_ASSIGN_OR_RETURN(std::vector<int32_t> ids, ParseIdList(text));
    for (int32_t v : ids)
      if (v > 0) out.push_back(static_cast<size_t>(v));
  }
  if (out.empty()) return Status::InvalidArgument(StrCat("-t: bad thread list '", text, "'"));
  return out;
}

// Bytes of weights a generated token reads: every tensor, except the embedding tables, of which
// one row is read (unless the token embedding doubles as the output matrix), and, of a mixture
// of experts, only the experts a token uses: expert_used_count / expert_count of each 3-D
// ffn_*_exps tensor.
uint64_t WeightBytesPerToken(const gguf::File& f) {
  const bool tied = f.FindTensor("output.weight") == nullptr;
  auto arch = f.metadata().GetStringOr("general.architecture", "");
  const std::string prefix = arch.ok() ? *arch : "";
  auto n_expert_r = f.metadata().GetUintOr(prefix + ".expert_count", 0);
  auto n_used_r = f.metadata().GetUintOr(prefix + ".expert_used_count", 0);
  const uint64_t n_expert = n_expert_r.ok() ? *n_expert_r : 0;
  const uint64_t n_used = n_used_r.ok() ? *n_used_r : 0;
  uint64_t bytes = 0;
  for (const auto& t : f.tensors()) {
    if ((t.name == "token_embd.weight" && !tied) || t.name == "position_embd.weight" ||
        t.name == "token_types.weight")
      continue;
    if (n_expert > 0 && n_used <= n_expert && t.ne.size() == 3 && t.ne[2] == n_expert) {
      bytes += t.n_bytes / n_expert * n_used;
      continue;
    }
    bytes += t.n_bytes;
  }
  return bytes;
}

struct TestResult {
  std::string name;
  std::vector<double> tok_s;
};
struct ThreadResult {
  size_t threads = 0;
  kernels::BandwidthResult bw;
  std::vector<TestResult> tests;
};

using Clock = std::chrono::steady_clock;
double Seconds(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

Result<ThreadResult> BenchThreads(const engine::Model& model, const BenchOpts& o,
                                  size_t n_threads) {
  ThreadResult res;
  res.threads = n_threads;
  ThreadPool pool(n_threads);
  const size_t bw_bytes =
      o.bandwidth_mib > 0 ? o.bandwidth_mib << 20
                          : std::max<size_t>(size_t{1} << 30, 4 * kernels::LastLevelCacheBytes());
  engine::ContextParams params;
  params.n_ctx = std::max<size_t>(o.n_prompt, o.n_gen) + 1;
  params.n_batch = std::max<size_t>(o.n_prompt, 1);
  OLLA_ASSIGN_OR_RETURN(params.kv_type, ParseKvType(o.kv_type));
  OLLA_ASSIGN_OR_RETURN(auto ctx, engine::Context::Create(model, params, pool));
  std::mt19937 rng(42);
  std::uniform_int_distribution<int32_t> tok(0, static_cast<int32_t>(model.config().n_vocab - 1));
  std::vector<engine::TokenId> prompt(o.n_prompt);
  for (auto& t : prompt) t = tok(rng);
  std::vector<float> logits;

  // Warm-up (pages of the weights mapped in, caches and the pool's scratch sized), unmeasured.
  if (o.n_prompt > 0) {
    OLLA_RETURN_IF_ERROR(
        ctx->Decode(std::span(prompt).first(std::min<size_t>(o.n_prompt, 32)), false, &logits));
    ctx->Truncate(0);
  }
  const engine::TokenId first = tok(rng);
  OLLA_RETURN_IF_ERROR(ctx->Decode(std::span(&first, 1), false, &logits));
  ctx->Truncate(0);

  res.bw = kernels::MeasureReadBandwidth(pool, bw_bytes, 5);
  if (o.n_prompt > 0) {
    TestResult pp{StrCat("pp", o.n_prompt), {}};
    for (int r = 0; r < o.reps; ++r) {
      ctx->Truncate(0);
      const auto t0 = Clock::now();
      OLLA_RETURN_IF_ERROR(ctx->Decode(prompt, false, &logits));
      pp.tok_s.push_back(static_cast<double>(o.n_prompt) / Seconds(t0));
    }
    res.tests.push_back(std::move(pp));
  }
  if (o.n_gen > 0) {
    TestResult tg{StrCat("tg", o.n_gen), {}};
    for (int r = 0; r < o.reps; ++r) {
      ctx->Truncate(0);
      engine::TokenId next = first;
      const auto t0 = Clock::now();
      for (size_t i = 0; i < o.n_gen; ++i) {
        OLLA_RETURN_IF_ERROR(ctx->Decode(std::span(&next, 1), false, &logits));
        next = tok(rng);
      }
      tg.tok_s.push_back(static_cast<double>(o.n_gen) / Seconds(t0));
    }
    res.tests.push_back(std::move(tg));
  }
  if (!o.format.empty() && o.n_gen > 0) {
    OLLA_ASSIGN_OR_RETURN(tokenizer::Tokenizer vocab,
                          tokenizer::Tokenizer::Create(model.file().metadata()));
    std::string format_json = o.format == "json" ? "\"json\"" : o.format;
    if (!format_json.empty() && format_json[0] == '@') {
      OLLA_ASSIGN_OR_RETURN(format_json, ReadFile(format_json.substr(1)));
    }
    OLLA_ASSIGN_OR_RETURN(auto grammar, grammar::GrammarForFormat(format_json));
    OLLA_ASSIGN_OR_RETURN(auto seq, runtime::Sequence::Create(model, vocab, params, pool));
    {
      TestResult t{StrCat("tg", o.n_gen, "/format"), {}};
      for (int r = 0; r < o.reps; ++r) {
        runtime::GenerateOptions g;
        g.sampler.temperature = 0;
        g.num_predict = static_cast<int32_t>(o.n_gen);
        g.add_special = false;
        g.grammar = grammar;
        OLLA_ASSIGN_OR_RETURN(
            runtime::GenerateStats st,
            seq->GenerateFromTokens({first}, g, [](std::string_view) { return true; }));
        if (st.eval_count > 0)
          t.tok_s.push_back(static_cast<double>(st.eval_count) /
                            std::chrono::duration<double>(st.eval_duration).count());
      }
      res.tests.push_back(std::move(t));
    }
  }
  // Bandwidth again after the tests: the figures beside tg use both measurements.
  const kernels::BandwidthResult after = kernels::MeasureReadBandwidth(pool, bw_bytes, 5);
  res.bw.mean_gbps = (res.bw.mean_gbps + after.mean_gbps) / 2;
  res.bw.best_gbps = std::max(res.bw.best_gbps, after.best_gbps);
  return res;
}

std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) continue;
    out += c;
  }
  return out + "\"";
}

Status RunBench(const BenchOpts& o) {
  if (!IsRegularFile(o.model))
    return Status::Unsupported(StrCat(
        "'", o.model, "' is not a .gguf file (benchmarking models by name is not supported yet)"));
  OLLA_ASSIGN_OR_RETURN(std::vector<size_t> thread_counts, ParseThreadList(o.threads));
  if (o.reps < 1) return Status::InvalidArgument("-r must be at least 1");
  // Time to a usable model: map the file, check it, and prepare its weights (repacking included).
  const auto load_start = Clock::now();
  OLLA_ASSIGN_OR_RETURN(auto model, engine::Model::Load(o.model));
  const double load_ms = 1e3 * Seconds(load_start);
  const gguf::File& f = model->file();
  const uint64_t weight_bytes = WeightBytesPerToken(f);
  uint64_t file_bytes = 0;
  for (const auto& t : f.tensors()) file_bytes += t.n_bytes;
  const auto general_name = f.metadata().GetStringOr("general.name", "");
  const std::string name = general_name.ok() ? *general_name : "";
  const std::string path_name =
      StrCat(kernels::CpuPathName(kernels::ActiveCpuPath()), "/", kernels::HighwayTargetName());

  std::vector<ThreadResult> results;
  for (size_t nt : thread_counts) {
    OLLA_ASSIGN_OR_RETURN(ThreadResult r, BenchThreads(*model, o, nt));
    results.push_back(std::move(r));
  }

  if (o.json) {
    std::string j = StrCat("{\"model\":", JsonString(o.model), ",\"name\":", JsonString(name),
                           ",\"size_bytes\":", file_bytes, ",\"params\":", f.ParameterCount(),
                           ",\"cpu_path\":", JsonString(path_name),
                           ",\"weight_bytes_per_token\":", weight_bytes, ",\"load_ms\":", load_ms,
                           ",\"reps\":", o.reps, ",\"results\":[");
    for (size_t i = 0; i < results.size(); ++i) {
      const ThreadResult& r = results[i];
      const double limit = r.bw.mean_gbps * 1e9 / static_cast<double>(weight_bytes);
      StrAppend(j, i ? "," : "", "{\"threads\":", r.threads, ",\"bandwidth_gbps\":", r.bw.mean_gbps,
                ",\"bandwidth_best_gbps\":", r.bw.best_gbps,
                ",\"bandwidth_buffer_bytes\":", r.bw.bytes, ",\"tests\":[");
      for (size_t k = 0; k < r.tests.size(); ++k) {
        const Stat s = MeanSd(r.tests[k].tok_s);
        StrAppend(j, k ? "," : "", "{\"test\":", JsonString(r.tests[k].name), ",\"tok_s\":", s.mean,
                  ",\"tok_s_sd\":", s.sd, ",\"samples\":[");
        for (size_t m = 0; m < r.tests[k].tok_s.size(); ++m)
          StrAppend(j, m ? "," : "", r.tests[k].tok_s[m]);
        StrAppend(j, "]");
        if (r.tests[k].name.rfind("tg", 0) == 0)
          StrAppend(j, ",\"bw_limit_tok_s\":", limit, ",\"fraction_of_limit\":", s.mean / limit);
        StrAppend(j, "}");
      }
      StrAppend(j, "]}");
    }
    std::printf("%s]}\n", j.c_str());
    return Status::Ok();
  }

  std::printf("model: %s (%s), %.2f GiB, %.2f B params, %.1f MiB of weights read per token\n",
              o.model.c_str(), name.c_str(), static_cast<double>(file_bytes) / (1u << 30),
              static_cast<double>(f.ParameterCount()) / 1e9,
              static_cast<double>(weight_bytes) / (1u << 20));
  std::printf("cpu: %s\nload: %.0f ms (map, check, prepare weights)\n\n", path_name.c_str(),
              load_ms);
  std::printf("| threads | test   |            t/s | mem GB/s | bw limit t/s | of limit |\n");
  std::printf("| ------: | :----- | -------------: | -------: | -----------: | -------: |\n");
  for (const ThreadResult& r : results) {
    const double limit = r.bw.mean_gbps * 1e9 / static_cast<double>(weight_bytes);
    for (const TestResult& t : r.tests) {
      const Stat s = MeanSd(t.tok_s);
      const bool tg = t.name.rfind("tg", 0) == 0;
      std::printf("| %7zu | %-6s | %7.2f ± %5.2f | %8.2f | %12s | %8s |\n", r.threads,
                  t.name.c_str(), s.mean, s.sd, r.bw.mean_gbps,
                  tg ? StrFormat("%.2f", limit).c_str() : "",
                  tg ? StrFormat("%.0f%%", 100 * s.mean / limit).c_str() : "");
    }
  }
  std::printf(
      "\nmemory bandwidth: streaming read of %.2f GiB by all threads, mean of 10 reads (5 before, "
      "5 after the tests)\n",
      static_cast<double>(results.empty() ? 0 : results[0].bw.bytes) / (1u << 30));
  return Status::Ok();
}

}  // namespace

void RegisterBench(CLI::App& app, Status* outcome) {
  auto* cmd = app.add_subcommand(
      "bench", "Measure prompt processing and generation speed (like llama-bench)");
  auto o = std::make_shared<BenchOpts>();
  cmd->add_option("MODEL", o->model, "Path to a .gguf file")->required();
  cmd->add_option("-p,--n-prompt", o->n_prompt, "Prompt tokens evaluated in one batch (0: skip)")
      ->capture_default_str();
  cmd->add_option("-n,--n-gen", o->n_gen, "Tokens generated one by one (0: skip)")
      ->capture_default_str();
  cmd->add_option("-r,--repetitions", o->reps, "Repetitions of each test")->capture_default_str();
  cmd->add_option("-t,--threads", o->threads,
                  "Thread counts: N, N,M,... or N-M (default: physical cores)");
  cmd->add_option("--kv-type", o->kv_type, "KV cache type: f16 (default), q8_0 or f32");
  cmd->add_option("--format", o->format,
                  "Also time generation constrained by this format: json, a JSON Schema, or @FILE "
                  "(tgN/format)");
  cmd->add_flag("--json", o->json, "Print one JSON object instead of the table");
  cmd->add_option("--bandwidth-mib", o->bandwidth_mib,
                  "Buffer of the bandwidth measurement (default: max(1 GiB, 4 x LLC))");
  cmd->callback([o, outcome] { *outcome = RunBench(*o); });
}

}  // namespace olla::tools
