#include "cli/interrupt.h"

#include <atomic>
#include <chrono>

namespace olla::cli {

namespace {
volatile std::sig_atomic_t g_interrupted = 0;
extern "C" void OnSigint(int) { g_interrupted = 1; }
}  // namespace

InterruptScope::InterruptScope() {
  g_interrupted = 0;
  struct sigaction sa {};
  sa.sa_handler = OnSigint;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, &previous_);
  watcher_ = std::jthread([this](std::stop_token done) {
    while (!done.stop_requested()) {
      if (g_interrupted) {
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
  sigaction(SIGINT, &previous_, nullptr);
}

}  // namespace olla::cli
