#pragma once
// Notices clients that go away while their request is being served (spec §3.1: a client
// disconnect cancels generation; §10.5: requests whose client left while queued are skipped),
// also before the first byte of the response: cpp-httplib 0.11 reports a closed connection only
// when a write fails, and gives handlers no socket. A watch finds the request's socket by its
// addresses (Linux /proc/self/fd) and one thread polls the watched sockets for the peer's close.

#include <stop_token>

#include <memory>

namespace httplib {
struct Request;
}

namespace olla::server {

class DisconnectWatcher {
 public:
  DisconnectWatcher();
  ~DisconnectWatcher();  // joins the polling thread; all watches must be gone
  DisconnectWatcher(const DisconnectWatcher&) = delete;
  DisconnectWatcher& operator=(const DisconnectWatcher&) = delete;

  // While alive, token() fires when the peer of `req`'s connection closes it (or resets it) or
  // when `also` fires. If the socket cannot be found, only `also` counts. Destroy the watch
  // before the connection is closed (at the latest with the response it serves). Thread-safe.
  class Watch {
   public:
    virtual ~Watch() = default;
    virtual std::stop_token token() const = 0;
  };
  std::shared_ptr<Watch> Start(const httplib::Request& req, std::stop_token also);

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace olla::server
