#pragma once
// Go text/template engine for Ollama TEMPLATEs (spec §9.1): parse once, execute many times.
//
//   OLLA_ASSIGN_OR_RETURN(GoTemplate t, GoTemplate::Parse(model_template));
//   OLLA_ASSIGN_OR_RETURN(RenderedPrompt p, t.Execute(data));  // data: see go_data.h
//
// Covered: actions with {{- -}} trimming, comments, if/else if/else, range (lists, maps in key
// order, ints; `else`; break/continue), with/else with, variables (:= and =, $ root), pipelines,
// parenthesised pipelines and field chains, define/template/block, literals; functions and, or,
// not, eq, ne, lt, le, gt, ge, len, index, slice, print, printf, println, html, js, urlquery,
// json, currentDate, yesterdayDate, toTypeScriptType (`call` parses but fails at run time).
// Missing map keys are nil (missingkey=zero) and print "<no value>", as in Ollama.
//
// Errors (parse and exec) are Status values whose message carries "line:col"; nothing here aborts
// or throws on any input. Parse, Execute and the accessors are thread-safe on a const object.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "chat/rendered.h"
#include "chat/value.h"

namespace olla::chat {

namespace gotmpl {
struct Tree;
}

struct GoExecOptions {
  // "Now" for currentDate/yesterdayDate, seconds since the epoch (local time zone); -1: the clock.
  int64_t now_unix = -1;
  // Execution budget: nodes visited plus range iterations; exceeding it is an error.
  int64_t max_steps = 1'000'000;
};

// Tags a template uses around thinking text, inferred as spec §9.6 describes.
struct ThinkingTags {
  std::string open;   // e.g. "<think>"
  std::string close;  // e.g. "</think>"
};

class GoTemplate {
 public:
  // Parses `text`. As Ollama does, if the template references neither .Messages nor .Response, a
  // trailing {{ .Response }} action is appended (spec §9.1).
  static Result<GoTemplate> Parse(std::string_view text);
  // The default template when a model has none: {{ .Prompt }}.
  static GoTemplate Default();

  const std::string& source() const { return source_; }

  // Lower-cased, sorted, de-duplicated field and variable identifiers used anywhere, including
  // define/block bodies (spec §9.1 "vars"; "$x.Foo" contributes "$x" and "foo").
  const std::vector<std::string>& Vars() const { return vars_; }
  bool HasVar(std::string_view lower_name) const;

  // Renders with `data` as dot and `$`. Template text becomes allow_special pieces; strings from
  // data keep their input marking.
  Result<RenderedPrompt> Execute(const Value& data, const GoExecOptions& opts = {}) const;

  // A copy whose main tree is cut right after the first node referencing the field .Response
  // (legacy chat rendering of the last turn, spec §9.2 mode 3).
  GoTemplate TruncatedAfterResponse() const;

  // Thinking tags from a .Thinking reference inside a range over .Messages (spec §9.6); empty
  // strings if the template has none.
  ThinkingTags InferThinkingTags() const;

  // The tool-call start tag: the first literal text inside `{{ if .ToolCalls }}`, cut before any
  // '{' and trimmed; "{" (parse bare JSON objects) if there is no such node or text (spec §3.5).
  std::string ToolCallPrefix() const;

 private:
  GoTemplate() = default;

  std::string source_;
  std::shared_ptr<const gotmpl::Tree> tree_;
  std::vector<std::string> vars_;
};

}  // namespace olla::chat
