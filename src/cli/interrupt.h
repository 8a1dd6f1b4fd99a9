#pragma once
// Ctrl-C as a cancellation token (spec §1.4: Ctrl-C cancels a generation, not the program).
// While an InterruptScope lives, SIGINT requests stop on its token instead of ending the
// process; a watcher thread turns the signal (noticed within ~20 ms) into request_stop(), so
// stop callbacks never run inside the signal handler. One scope at a time.

#include <csignal>
#include <stop_token>
#include <thread>

namespace olla::cli {

class InterruptScope {
 public:
  InterruptScope();
  ~InterruptScope();
  InterruptScope(const InterruptScope&) = delete;
  InterruptScope& operator=(const InterruptScope&) = delete;

  std::stop_token token() const { return source_.get_token(); }
  bool interrupted() const { return source_.stop_requested(); }

 private:
  std::stop_source source_;
  struct sigaction previous_ {};
  std::jthread watcher_;  // last: started once the members it uses exist
};

}  // namespace olla::cli
