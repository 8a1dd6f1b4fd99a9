#include "support/server_fixture.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "store/store.h"

namespace olla::testing {

ServerFixture::ServerFixture(std::map<std::string, std::string> extra_env) {
  models_dir_ = dir_.Join("models");
  log_path_ = dir_.Join("server.log");
  std::string home = dir_.Join("home");
  ::mkdir(home.c_str(), 0755);
  pid_ = ::fork();
  if (pid_ == 0) {
    ::setenv("OLLAMA_HOST", "127.0.0.1:0", 1);
    ::setenv("OLLAMA_MODELS", models_dir_.c_str(), 1);
    ::setenv("HOME", home.c_str(), 1);
    for (const auto& [k, v] : extra_env) ::setenv(k.c_str(), v.c_str(), 1);
    FILE* log = std::fopen(log_path_.c_str(), "w");
    if (log) ::dup2(::fileno(log), 2);
    std::string bin = OllaBinary();
    ::execl(bin.c_str(), bin.c_str(), "serve", static_cast<char*>(nullptr));
    std::_Exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    std::string log = Log();
    auto at = log.find("Listening on 127.0.0.1:");
    if (at != std::string::npos) {
      port_ = std::atoi(log.c_str() + at + std::string("Listening on 127.0.0.1:").size());
      if (port_ > 0) return;
    }
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      ADD_FAILURE() << "olla serve exited early:\n" << log;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ADD_FAILURE() << "olla serve did not start:\n" << Log();
}

ServerFixture::~ServerFixture() { Stop(); }

int ServerFixture::Stop(int signal_number) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, signal_number);
  int status = 0;
  for (int i = 0; i < 500; ++i) {
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  return -1;
}

std::string ServerFixture::Log() const {
  std::ifstream in(log_path_);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void InstallModel(const std::string& models_dir, const std::string& name,
                  const std::string& gguf_path, const std::string& template_text,
                  const std::string& params_json, const std::string& model_family) {
  auto st = store::Store::Open(models_dir);
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  auto parsed = store::ModelName::Parse(name);
  ASSERT_TRUE(parsed.ok());
  store::Manifest m;
  auto add = [&](std::string_view media, const Result<store::BlobWriteResult>& r) {
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    store::Layer l;
    l.media_type = std::string(media);
    l.digest = r->digest;
    l.size = r->size;
    m.layers.push_back(l);
  };
  add(store::kMediaTypeModel, st->WriteBlobFromFile(gguf_path));
  if (!template_text.empty()) add(store::kMediaTypeTemplate, st->WriteBlob(template_text));
  if (!params_json.empty()) add(store::kMediaTypeParams, st->WriteBlob(params_json));
  auto cfg = st->WriteBlob(
      R"({"model_format":"gguf","model_family":")" + model_family + R"(","model_families":[")" +
      model_family +
      R"("],"model_type":"260K","file_type":"F32","architecture":"amd64","os":"linux"})"
      "\n");
  ASSERT_TRUE(cfg.ok());
  m.config.media_type = std::string(store::kMediaTypeConfig);
  m.config.digest = cfg->digest;
  m.config.size = cfg->size;
  auto w = st->WriteManifest(*parsed, m);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
}

}  // namespace olla::testing
