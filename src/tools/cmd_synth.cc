// `olla debug synth --arch llama --shape llama3.2-1b --type Q4_0 -o FILE.gguf [--vocab-from
// X.gguf]`: writes a synthetic benchmark model (tools/synth.h). Registered under `debug`, after
// RegisterDebug.

#include <CLI/CLI.hpp>
#include <cstdio>

#include "base/thread_pool.h"
#include "tools/commands.h"
#include "tools/parse_util.h"
#include "tools/synth.h"

namespace olla::tools {

void RegisterSynth(CLI::App& app, Status* outcome) {
  CLI::App* debug = app.get_subcommand("debug");
  auto* cmd = debug->add_subcommand(
      "synth", "Write a model of a real shape with random weights, for benchmarks");
  struct Opts {
    SynthOptions synth;
    std::string out;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("--arch", o->synth.arch,
                  "Architecture (default: the shape's, llama or qwen3moe)");
  cmd->add_option(
         "--shape", o->synth.shape,
         "Shape: llama3.2-1b, llama-7b, tiny, qwen3-moe-mini (128 experts, top 8) or tiny-moe")
      ->capture_default_str();
  cmd->add_option("--type", o->synth.type,
                  "Weight type (F16, Q8_0, Q4_0, Q4_K, ...) or mix (Q4_K_M, Q5_K_M)")
      ->capture_default_str();
  cmd->add_flag("--pure", o->synth.pure, "Every matrix in --type (no Q6_K output or _M mix)");
  cmd->add_option("--vocab-from", o->synth.vocab_from,
                  "Copy the tokenizer of this .gguf (padded with <tok_N>)");
  cmd->add_option("--seed", o->synth.seed, "Random seed")->capture_default_str();
  cmd->add_option("-o,--output", o->out, "Output .gguf path")->required();
  cmd->callback([o, outcome] {
    ThreadPool pool(ThreadPool::DefaultThreadCount());
    *outcome = WriteSynthModel(o->synth, o->out, pool);
  });
}

}  // namespace olla::tools
