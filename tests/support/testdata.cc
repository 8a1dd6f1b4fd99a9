#include "support/testdata.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace olla::testing {

std::string TestdataDir() {
  if (const char* env = std::getenv("OLLA_TESTDATA"); env && *env) return env;
  if (const char* def = std::getenv("OLLA_TESTDATA_DEFAULT"); def && *def) return def;
  return "../shared/testdata";
}

std::string TestdataPath(const std::string& relative) { return TestdataDir() + "/" + relative; }

std::string ReadFileOrFail(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    ADD_FAILURE() << "cannot read " << path;
    return "";
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<float> ReadF32File(const std::string& path) {
  std::string bytes = ReadFileOrFail(path);
  std::vector<float> out(bytes.size() / 4);
  std::memcpy(out.data(), bytes.data(), out.size() * 4);
  return out;
}

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base && *base ? base : "/tmp") + "/olla-test-XXXXXX";
  char* made = ::mkdtemp(tmpl.data());
  if (!made) ADD_FAILURE() << "mkdtemp failed";
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string OllaBinary() {
  const char* env = std::getenv("OLLA_BINARY");
  return env ? env : "olla";
}

}  // namespace olla::testing
