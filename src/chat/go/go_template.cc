// GoTemplate: parsing plus the tree analyses Ollama runs on templates (vars, legacy truncation,
// thinking tags, tool-call tag).

#include "chat/go/go_template.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "base/ascii.h"
#include "chat/go/go_ast.h"
#include "chat/go/go_exec.h"

namespace olla::chat {

using gotmpl::Arg;
using gotmpl::ArgType;
using gotmpl::Node;
using gotmpl::NodeList;
using gotmpl::NodeType;
using gotmpl::Pipe;

namespace {

void PipeIdentifiers(const Pipe& pipe, std::set<std::string>& out);

void NodeIdentifiers(const NodeList& list, std::set<std::string>& out) {
  for (const Node& n : list) {
    if (n.pipe) PipeIdentifiers(*n.pipe, out);
    NodeIdentifiers(n.list, out);
    NodeIdentifiers(n.else_list, out);
  }
}

void PipeIdentifiers(const Pipe& pipe, std::set<std::string>& out) {
  for (const auto& cmd : pipe.cmds) {
    for (const Arg& a : cmd.args) {
      if (a.type == ArgType::kField || a.type == ArgType::kVariable) {
        for (const std::string& id : a.ident) {
          out.insert(AsciiToLower(id));
        }
      } else if (a.type == ArgType::kPipe) {
        PipeIdentifiers(*a.pipe, out);
      }
    }
  }
}

// Ollama's deleteNode walk: keep everything up to and including the first field node naming
// Response (conditions of if/range/with are not inspected), delete everything after it.
class ResponseCutter {
 public:
  void CutList(NodeList& list) {
    NodeList kept;
    for (Node& n : list) {
      if (KeepNode(n)) kept.push_back(std::move(n));
    }
    list = std::move(kept);
  }

 private:
  bool KeepNode(Node& n) {
    if (cut_) return false;
    switch (n.type) {
      case NodeType::kAction: {
        auto copy = std::make_shared<Pipe>(*n.pipe);
        if (!KeepPipe(*copy)) return false;
        n.pipe = std::move(copy);
        return true;
      }
      case NodeType::kIf:
      case NodeType::kWith:
      case NodeType::kRange:
        CutList(n.list);
        if (cut_) {
          n.else_list.clear();
        } else {
          CutList(n.else_list);
        }
        return true;
      default:
        return true;
    }
  }

  bool KeepPipe(Pipe& pipe) {
    std::vector<gotmpl::Command> cmds;
    for (auto& cmd : pipe.cmds) {
      std::vector<Arg> args;
      for (Arg& a : cmd.args) {
        if (a.type == ArgType::kField &&
            std::find(a.ident.begin(), a.ident.end(), "Response") != a.ident.end()) {
          cut_ = true;
          args.push_back(std::move(a));
          continue;
        }
        if (cut_) continue;
        if (a.type == ArgType::kPipe) {
          auto copy = std::make_shared<Pipe>(*a.pipe);
          if (!KeepPipe(*copy)) continue;
          a.pipe = std::move(copy);
        }
        args.push_back(std::move(a));
      }
      if (args.empty()) return false;
      cmd.args = std::move(args);
      cmds.push_back(std::move(cmd));
    }
    if (cmds.empty()) return false;
    pipe.cmds = std::move(cmds);
    return true;
  }

  bool cut_ = false;
};

std::string TrimSpace(std::string_view s) {
  auto sp = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  while (!s.empty() && sp(s.front())) s.remove_prefix(1);
  while (!s.empty() && sp(s.back())) s.remove_suffix(1);
  return std::string(s);
}

// InferTags (spec §9.6): the last .Thinking reference in action context inside a range over
// .Messages decides; its nearest enclosing list's first/last text nodes are the tags.
class ThinkingTagFinder {
 public:
  ThinkingTags Run(const NodeList& root) {
    VisitList(root);
    return tags_;
  }

 private:
  void VisitList(const NodeList& list) {
    lists_.push_back(&list);
    for (const Node& n : list) {
      if (n.type == NodeType::kRange) ranges_.push_back(&n);
      if (n.pipe) VisitPipe(*n.pipe, n.type == NodeType::kAction || n.type == NodeType::kTemplate);
      if (n.type == NodeType::kIf || n.type == NodeType::kWith || n.type == NodeType::kRange) {
        VisitList(n.list);
        if (n.has_else) VisitList(n.else_list);
      }
      if (n.type == NodeType::kRange) ranges_.pop_back();
    }
    lists_.pop_back();
  }

  void VisitPipe(const Pipe& pipe, bool action_context) {
    for (const auto& cmd : pipe.cmds) {
      for (const Arg& a : cmd.args) {
        if (a.type == ArgType::kPipe) VisitPipe(*a.pipe, action_context);
        if (!action_context || a.type != ArgType::kField || a.ident.empty() ||
            a.ident[0] != "Thinking")
          continue;
        if (ranges_.empty() || !PipeUsesField(*ranges_.back()->pipe, "Messages")) continue;
        const NodeList& list = *lists_.back();
        if (list.empty()) continue;
        if (list.front().type == NodeType::kText) tags_.open = TrimSpace(list.front().text);
        if (list.back().type == NodeType::kText) tags_.close = TrimSpace(list.back().text);
      }
    }
  }

  static bool PipeUsesField(const Pipe& pipe, std::string_view field) {
    for (const auto& cmd : pipe.cmds) {
      for (const Arg& a : cmd.args) {
        if (a.type == ArgType::kField && !a.ident.empty() && a.ident[0] == field) return true;
        if (a.type == ArgType::kPipe && PipeUsesField(*a.pipe, field)) return true;
      }
    }
    return false;
  }

  std::vector<const NodeList*> lists_;
  std::vector<const Node*> ranges_;
  ThinkingTags tags_;
};

bool IsToolCallsIf(const Node& n) {
  for (const auto& cmd : n.pipe->cmds) {
    for (const Arg& a : cmd.args) {
      if (a.type == ArgType::kField &&
          std::find(a.ident.begin(), a.ident.end(), "ToolCalls") != a.ident.end()) {
        return true;
      }
    }
  }
  return false;
}

const Node* FindToolCallNode(const NodeList& nodes) {
  for (const Node& n : nodes) {
    if (n.type == NodeType::kIf && IsToolCallsIf(n)) return &n;
    if (n.type == NodeType::kIf || n.type == NodeType::kRange || n.type == NodeType::kWith) {
      if (const Node* r = FindToolCallNode(n.list)) return r;
      if (const Node* r = FindToolCallNode(n.else_list)) return r;
    }
  }
  return nullptr;
}

// Depth-first search for the first non-blank text, stopping at the first action or control.
const Node* FindTextNode(const NodeList& nodes) {
  for (const Node& n : nodes) {
    switch (n.type) {
      case NodeType::kText:
        if (TrimSpace(n.text).empty()) continue;
        return &n;
      case NodeType::kIf:
      case NodeType::kRange:
      case NodeType::kWith: {
        if (const Node* t = FindTextNode(n.list)) return t;
        if (const Node* t = FindTextNode(n.else_list)) return t;
        return nullptr;
      }
      case NodeType::kAction:
        return nullptr;
      default:
        continue;
    }
  }
  return nullptr;
}

}  // namespace

Result<GoTemplate> GoTemplate::Parse(std::string_view text) {
  OLLA_ASSIGN_OR_RETURN(gotmpl::Tree tree, gotmpl::ParseTree(text));
  std::set<std::string> ids;
  NodeIdentifiers(tree.root, ids);
  for (const auto& [name, list] : tree.defines) NodeIdentifiers(list, ids);
  if (!ids.count("messages") && !ids.count("response")) {
    auto pipe = std::make_shared<Pipe>();
    gotmpl::Command cmd;
    Arg arg;
    arg.type = ArgType::kField;
    arg.ident = {"Response"};
    cmd.args.push_back(std::move(arg));
    pipe->cmds.push_back(std::move(cmd));
    Node node;
    node.type = NodeType::kAction;
    node.pipe = std::move(pipe);
    tree.root.push_back(std::move(node));
    ids.insert("response");
  }
  GoTemplate t;
  t.source_ = std::string(text);
  t.tree_ = std::make_shared<const gotmpl::Tree>(std::move(tree));
  t.vars_.assign(ids.begin(), ids.end());
  return t;
}

GoTemplate GoTemplate::Default() {
  Result<GoTemplate> t = Parse("{{ .Prompt }}");
  return std::move(t).value();
}

bool GoTemplate::HasVar(std::string_view lower_name) const {
  return std::binary_search(vars_.begin(), vars_.end(), lower_name);
}

Result<RenderedPrompt> GoTemplate::Execute(const Value& data, const GoExecOptions& opts) const {
  return gotmpl::ExecuteTree(*tree_, data, opts);
}

GoTemplate GoTemplate::TruncatedAfterResponse() const {
  gotmpl::Tree copy = *tree_;
  ResponseCutter().CutList(copy.root);
  GoTemplate t;
  t.source_ = source_;
  t.tree_ = std::make_shared<const gotmpl::Tree>(std::move(copy));
  t.vars_ = vars_;
  return t;
}

ThinkingTags GoTemplate::InferThinkingTags() const { return ThinkingTagFinder().Run(tree_->root); }

std::string GoTemplate::ToolCallPrefix() const {
  const Node* tc = FindToolCallNode(tree_->root);
  if (!tc) return "{";
  const Node* text = FindTextNode(tc->list);
  if (!text) return "{";
  std::string tag;
  for (size_t i = 0; i < text->text.size(); ++i) {
    if (text->text[i] == '\r' && i + 1 < text->text.size() && text->text[i + 1] == '\n') continue;
    tag += text->text[i];
  }
  tag = TrimSpace(tag.substr(0, tag.find('{')));
  return tag.empty() ? "{" : tag;
}

}  // namespace olla::chat
