#pragma once
// Ctrl-C as a cancellation token (spec §1.4: Ctrl-C cancels a generation, not the program).
// While an InterruptScope lives, SIGINT requests stop on its token instead of ending the
// process; a watcher thread turns the signal (noticed within ~20 ms) into request_stop(), so
// stop callbacks never run inside the signal handler. One scope at a time.

#include <csignal>
#include <stop_token>
#include <thread>

namespace olla::cli {

// While alive, SIGINT only records that it happened, so Ctrl-C never ends the process; an
// InterruptScope created later acts on a Ctrl-C recorded before it (unless told to forget it).
class SigintToFlag {
 public:
  SigintToFlag();
  ~SigintToFlag();
  SigintToFlag(const SigintToFlag&) = delete;
  SigintToFlag& operator=(const SigintToFlag&) = delete;
  // Forgets a recorded Ctrl-C.
  static void Clear();

 private:
  struct sigaction previous_ {};
};

class InterruptScope {
 public:
  // `forget_earlier`: ignore a Ctrl-C recorded before this scope (see SigintToFlag).
  explicit InterruptScope(bool forget_earlier = true);
  ~InterruptScope();
  InterruptScope(const InterruptScope&) = delete;
  InterruptScope& operator=(const InterruptScope&) = delete;

  std::stop_token token() const { return source_.get_token(); }
  bool interrupted() const { return source_.stop_requested(); }

 private:
  std::stop_source source_;
  SigintToFlag catcher_;
  std::jthread watcher_;  // last: started once the members it uses exist
};

}  // namespace olla::cli
