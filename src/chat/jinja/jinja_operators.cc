// Binary operators of the Jinja interpreter with Python semantics: and/or return an operand,
// + concatenates strings (keeping input marking) and lists, ints stay ints until they overflow,
// // and % floor like Python, ** squares its way up, comparisons and `in` follow Python.

#include <algorithm>
#include <cmath>

#include "base/str_cat.h"
#include "chat/jinja/jinja_runtime.h"

namespace olla::chat::jinja {
namespace {

bool MulOverflow(int64_t a, int64_t b, int64_t* r) { return __builtin_mul_overflow(a, b, r); }

}  // namespace

Result<Value> Interpreter::EvalBinary(const Expr& e) {
  const std::string& op = e.name;
  OLLA_ASSIGN_OR_RETURN(Value a, Eval(*e.items[0]));
  if (op == "and") return Truthy(a) ? Eval(*e.items[1]) : Result<Value>(a);
  if (op == "or") return Truthy(a) ? Result<Value>(a) : Eval(*e.items[1]);
  OLLA_ASSIGN_OR_RETURN(Value b, Eval(*e.items[1]));
  if (op == "~") {
    MarkedString s = ToMarked(a);
    s.Append(ToMarked(b));
    return Value(std::move(s));
  }
  if (op == "==") return Value(PyEquals(a, b));
  if (op == "!=") return Value(!PyEquals(a, b));
  if (op == "in" || op == "not in") {
    bool found = false;
    if (b.is_string()) {
      if (!a.is_string())
        return Error(e.pos,
                     StrCat("'in <string>' requires string as left operand, not ", PyTypeName(a)));
      found = b.str().str().find(a.str().str()) != std::string::npos;
    } else if (b.is_list()) {
      for (const Value& x : b.list()) found = found || PyEquals(a, x);
    } else if (b.is_map()) {
      found = a.is_string() && b.map().Find(a.str().str()) != nullptr;
    } else if (!b.is_undefined()) {
      return Error(e.pos, StrCat("argument of type '", PyTypeName(b), "' is not iterable"));
    }
    return Value(found != (op == "not in"));
  }
  if (op == "<" || op == "<=" || op == ">" || op == ">=") {
    Result<int> c = PyCompare(a, b);
    if (!c.ok()) return Error(e.pos, c.status().message());
    int r = *c;
    return Value(op == "<" ? r < 0 : op == "<=" ? r <= 0 : op == ">" ? r > 0 : r >= 0);
  }
  auto type_error = [&] {
    return Error(e.pos, StrCat("unsupported operand type(s) for ", op, ": '", PyTypeName(a),
                               "' and '", PyTypeName(b), "'"));
  };
  if (a.is_undefined() || b.is_undefined()) {
    return Error(e.pos,
                 StrCat("'", ExprName(*e.items[a.is_undefined() ? 0 : 1]), "' is undefined"));
  }
  if (op == "+") {
    if (a.is_string() && b.is_string()) {
      MarkedString s = a.str();
      s.Append(b.str());
      return Value(std::move(s));
    }
    if (a.is_list() && b.is_list()) {
      std::vector<Value> items = a.list();
      items.insert(items.end(), b.list().begin(), b.list().end());
      return Value::List(std::move(items));
    }
  }
  if (op == "*" && (((a.is_string() || a.is_list()) && b.is_int()) ||
                    ((b.is_string() || b.is_list()) && a.is_int()))) {
    const Value& seq = a.is_int() ? b : a;
    int64_t n = std::max<int64_t>(0, a.is_int() ? a.int_value() : b.int_value());
    size_t unit = seq.is_string() ? seq.str().size() : seq.list().size();
    if (unit > 0 && static_cast<uint64_t>(n) > (16u << 20) / unit)
      return Error(e.pos, "repetition too large");
    if (seq.is_string()) {
      MarkedString s;
      for (int64_t i = 0; i < n; ++i) s.Append(seq.str());
      return Value(std::move(s));
    }
    std::vector<Value> items;
    for (int64_t i = 0; i < n; ++i) items.insert(items.end(), seq.list().begin(), seq.list().end());
    return Value::List(std::move(items));
  }
  Value x = a.is_bool() ? Value(static_cast<int64_t>(a.bool_value())) : a;
  Value y = b.is_bool() ? Value(static_cast<int64_t>(b.bool_value())) : b;
  if (!x.is_number() || !y.is_number()) return type_error();
  bool ints = x.is_int() && y.is_int();
  int64_t xi = ints ? x.int_value() : 0, yi = ints ? y.int_value() : 0, ri = 0;
  double xd = x.number_value(), yd = y.number_value();
  if (op == "+") {
    if (ints && !__builtin_add_overflow(xi, yi, &ri)) return Value(ri);
    return Value(xd + yd);
  }
  if (op == "-") {
    if (ints && !__builtin_sub_overflow(xi, yi, &ri)) return Value(ri);
    return Value(xd - yd);
  }
  if (op == "*") {
    if (ints && !MulOverflow(xi, yi, &ri)) return Value(ri);
    return Value(xd * yd);
  }
  if (op == "/") {
    if (yd == 0) return Error(e.pos, "division by zero");
    return Value(xd / yd);
  }
  if (op == "//" || op == "%") {
    if (yd == 0) return Error(e.pos, "integer division or modulo by zero");
    if (ints && !(xi == INT64_MIN && yi == -1)) {
      int64_t q = xi / yi, m = xi % yi;
      if (m != 0 && ((m < 0) != (yi < 0))) --q, m += yi;  // Python floors
      return op == "//" ? Value(q) : Value(m);
    }
    double q = std::floor(xd / yd);
    return op == "//" ? Value(q) : Value(xd - q * yd);
  }
  if (op == "**") {
    if (ints && yi >= 0) {  // exponentiation by squaring; falls back to float on overflow
      int64_t r = 1, base = xi, exp = yi;
      bool overflow = false;
      while (exp > 0 && !overflow) {
        if (exp & 1) overflow = MulOverflow(r, base, &r);
        exp >>= 1;
        if (exp > 0 && !overflow) overflow = MulOverflow(base, base, &base);
      }
      if (!overflow) return Value(r);
    }
    return Value(std::pow(xd, yd));
  }
  return type_error();
}
}  // namespace olla::chat::jinja
