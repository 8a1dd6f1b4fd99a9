#include "cli/interrupt.h"

#include <chrono>

namespace olla::cli {

namespace {
volatile std::sig_atomic_t g_interrupted = 0;
extern "C" void OnSigint(int) { g_interrupted = 1; }
}  // namespace

SigintToFlag::SigintToFlag() {
  struct sigaction sa {};
  sa.sa_handler = OnSigint;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, &previous_);
}

SigintToFlag::~SigintToFlag() { sigaction(SIGINT, &previous_, nullptr); }

void SigintToFlag::Clear() { g_interrupted = 0; }

InterruptScope::InterruptScope(bool forget_earlier) {
  if (forget_earlier) SigintToFlag::Clear();
  watcher_ = std::jthread([this](std::stop_token done) {
    while (!done.stop_requested()) {
      if (g_interrupted) {
        g_interrupted = 0;
        source_.request_stop();
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
}

InterruptScope::~InterruptScope() {
  watcher_.request_stop();
  if (watcher_.joinable()) watcher_.join();
}

}  // namespace olla::cli
