// `olla debug ...`: stable developer commands that tests and tools script. Their output formats
// are interfaces: change them only together with their users.
//   olla debug tokenize FILE.gguf "text" [--special] [--no-add-special]  → [1, 403, 407]
//   olla debug detokenize FILE.gguf 1,2,3                                → the text
//   olla debug embed FILE.gguf "text" [--no-normalize]                   → [0.1, -0.2, ...]
//   olla debug logits FILE.gguf --tokens 1,2,3 --out out.f32 [--threads N] [--kv-type f32|f16]

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>

#include "base/file.h"
#include "base/str_cat.h"
#include "base/thread_pool.h"
#include "engine/context.h"
#include "tokenizer/debug.h"
#include "tokenizer/tokenizer.h"
#include "tools/commands.h"
#include "tools/parse_util.h"

namespace olla::tools {
namespace {

Status RunLogits(const std::string& path, const std::string& tokens_csv, const std::string& out,
                 size_t threads, const std::string& kv_type, const std::string& adapter,
                 float adapter_scale) {
  OLLA_ASSIGN_OR_RETURN(std::vector<int32_t> tokens, ParseIdList(tokens_csv));
  if (tokens.empty()) return Status::InvalidArgument("--tokens is empty");
  std::vector<std::string> adapters;
  if (!adapter.empty()) adapters.push_back(adapter);
  OLLA_ASSIGN_OR_RETURN(auto model, engine::Model::Load(path, adapters, adapter_scale));
  ThreadPool pool(threads ? threads : ThreadPool::DefaultThreadCount());
  engine::ContextParams params;
  params.n_ctx = tokens.size();
  params.n_batch = tokens.size();
  OLLA_ASSIGN_OR_RETURN(params.kv_type, ParseKvType(kv_type));
  OLLA_ASSIGN_OR_RETURN(auto ctx, engine::Context::Create(*model, params, pool));
  std::vector<float> logits;
  OLLA_RETURN_IF_ERROR(ctx->Decode(tokens, true, &logits));
  return WriteFileAtomic(
      out, std::string_view(reinterpret_cast<const char*>(logits.data()), logits.size() * 4));
}

Status RunEmbed(const std::string& path, const std::string& text, bool normalize) {
  OLLA_ASSIGN_OR_RETURN(auto model, engine::Model::Load(path));
  OLLA_ASSIGN_OR_RETURN(tokenizer::Tokenizer tok,
                        tokenizer::Tokenizer::Create(model->file().metadata()));
  std::vector<int32_t> ids = tok.Tokenize(text, true, false);
  if (ids.empty()) return Status::InvalidArgument("the text has no tokens");
  ThreadPool pool(ThreadPool::DefaultThreadCount());
  engine::ContextParams params;
  params.n_ctx = ids.size();
  params.n_batch = ids.size();
  OLLA_ASSIGN_OR_RETURN(auto ctx, engine::Context::Create(*model, params, pool));
  engine::Pooling pooling = model->config().pooling == engine::Pooling::kNone
                                ? engine::Pooling::kLast
                                : model->config().pooling;
  std::vector<float> out;
  OLLA_RETURN_IF_ERROR(ctx->Embed(ids, pooling, normalize, &out));
  std::string json = "[";
  for (size_t i = 0; i < out.size(); ++i) StrAppend(json, i ? ", " : "", StrFormat("%.9g", out[i]));
  std::cout << json << "]\n";
  return Status::Ok();
}

}  // namespace

void RegisterDebug(CLI::App& app, Status* outcome) {
  auto* debug = app.add_subcommand("debug", "Developer tools (stable, scripted interfaces)");
  debug->require_subcommand(1);

  struct TokOpts {
    std::string model, text;
    bool special = false, no_add_special = false;
  };
  auto to = std::make_shared<TokOpts>();
  auto* tok = debug->add_subcommand("tokenize", "Print the token ids of a text as a JSON array");
  tok->add_option("MODEL", to->model, "Path to a .gguf file")->required();
  tok->add_option("TEXT", to->text, "Text to tokenize")->required();
  tok->add_flag("--special", to->special,
                "Parse special-token texts (e.g. <|im_start|>) as those tokens");
  tok->add_flag("--no-add-special", to->no_add_special, "Do not add BOS/EOS");
  tok->callback([to, outcome] {
    auto r = tokenizer::DebugTokenize(to->model, to->text, !to->no_add_special, to->special);
    if (r.ok()) std::cout << *r << "\n";
    *outcome = r.status();
  });

  struct DetokOpts {
    std::string model, ids;
  };
  auto dt = std::make_shared<DetokOpts>();
  auto* detok = debug->add_subcommand("detokenize", "Print the text of comma-separated token ids");
  detok->add_option("MODEL", dt->model, "Path to a .gguf file")->required();
  detok->add_option("IDS", dt->ids, "Token ids, e.g. 1,403,407")->required();
  detok->callback([dt, outcome] {
    auto r = tokenizer::DebugDetokenize(dt->model, dt->ids);
    if (r.ok()) std::cout << *r;
    *outcome = r.status();
  });

  struct EmbedOpts {
    std::string model, text;
    bool no_normalize = false;
  };
  auto eo = std::make_shared<EmbedOpts>();
  auto* embed =
      debug->add_subcommand("embed", "Print the pooled, L2-normalized embedding of a text as JSON");
  embed->add_option("MODEL", eo->model, "Path to a .gguf file")->required();
  embed->add_option("TEXT", eo->text, "Text to embed")->required();
  embed->add_flag("--no-normalize", eo->no_normalize, "Print the raw pooled vector");
  embed->callback([eo, outcome] { *outcome = RunEmbed(eo->model, eo->text, !eo->no_normalize); });

  struct LogitsOpts {
    std::string model, tokens, out, kv_type = "f32", adapter;
    size_t threads = 0;
    float adapter_scale = 1.0f;
  };
  auto lo = std::make_shared<LogitsOpts>();
  auto* logits = debug->add_subcommand(
      "logits", "Evaluate tokens in one batch and write the logits of every position");
  logits->add_option("MODEL", lo->model, "Path to a .gguf file")->required();
  logits->add_option("--tokens", lo->tokens, "Comma-separated token ids")->required();
  logits->add_option("--out", lo->out, "Output file: little-endian float32 [n_tokens x n_vocab]")
      ->required();
  logits->add_option("--threads", lo->threads, "Threads (default: physical cores)");
  logits->add_option("--kv-type", lo->kv_type, "KV cache type: f32 (default), f16 or q8_0");
  logits->add_option("--adapter", lo->adapter, "A LoRA adapter .gguf to apply");
  logits->add_option("--adapter-scale", lo->adapter_scale, "The adapter's scale s (default 1)");
  logits->callback([lo, outcome] {
    *outcome = RunLogits(lo->model, lo->tokens, lo->out, lo->threads, lo->kv_type, lo->adapter,
                         lo->adapter_scale);
  });
}

}  // namespace olla::tools
