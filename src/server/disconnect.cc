#include "server/disconnect.h"

#include <dirent.h>
#include <httplib.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <condition_variable>
#include <cstdlib>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "server/http_listener.h"

namespace olla::server {

namespace {

// The numeric host and port of a socket address (as cpp-httplib formats Request::remote_addr).
bool HostPort(const sockaddr_storage& addr, socklen_t len, std::string* host, int* port) {
  char h[NI_MAXHOST];
  char p[NI_MAXSERV];
  if (::getnameinfo(reinterpret_cast<const sockaddr*>(&addr), len, h, sizeof(h), p, sizeof(p),
                    NI_NUMERICHOST | NI_NUMERICSERV) != 0)
    return false;
  *host = h;
  *port = std::atoi(p);
  return true;
}

// The descriptor of this process's TCP socket connected from remote_addr:remote_port to
// local_port, or -1.
int FindSocket(const httplib::Request& req) {
  DIR* dir = ::opendir("/proc/self/fd");
  if (!dir) return -1;
  int found = -1;
  while (dirent* e = ::readdir(dir)) {
    char* end = nullptr;
    const long fd = std::strtol(e->d_name, &end, 10);
    if (*end != '\0' || fd < 0 || fd == ::dirfd(dir)) continue;
    struct stat st {};
    if (::fstat(static_cast<int>(fd), &st) != 0 || !S_ISSOCK(st.st_mode)) continue;
    sockaddr_storage local{}, peer{};
    socklen_t local_len = sizeof(local), peer_len = sizeof(peer);
    if (::getsockname(static_cast<int>(fd), reinterpret_cast<sockaddr*>(&local), &local_len) != 0)
      continue;
    if (::getpeername(static_cast<int>(fd), reinterpret_cast<sockaddr*>(&peer), &peer_len) != 0)
      continue;
    std::string local_host, peer_host;
    int local_port = 0, peer_port = 0;
    if (!HostPort(local, local_len, &local_host, &local_port) ||
        !HostPort(peer, peer_len, &peer_host, &peer_port))
      continue;
    if (local_port == req.local_port && peer_port == req.remote_port &&
        peer_host == req.remote_addr) {
      found = static_cast<int>(fd);
      break;
    }
  }
  ::closedir(dir);
  return found;
}

}  // namespace

struct DisconnectWatcher::State {
  std::mutex mu;
  std::condition_variable cv;
  std::map<uint64_t, std::pair<int, std::stop_source>> watched;  // id -> (fd, source)
  uint64_t next_id = 0;
  bool stop = false;
  std::thread thread;

  void Loop() {
    std::unique_lock<std::mutex> lock(mu);
    while (!stop) {
      if (watched.empty()) {
        cv.wait(lock, [&] { return stop || !watched.empty(); });
        continue;
      }
      std::vector<uint64_t> ids;
      std::vector<pollfd> fds;
      for (const auto& [id, w] : watched) {
        ids.push_back(id);
        fds.push_back({w.first, POLLRDHUP, 0});
      }
      lock.unlock();
      const int n = ::poll(fds.data(), fds.size(), 100);
      lock.lock();
      if (n <= 0) continue;
      for (size_t i = 0; i < fds.size(); ++i) {
        if (!(fds[i].revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL))) continue;
        auto it = watched.find(ids[i]);  // gone: unwatched meanwhile (its fd may be reused)
        if (it == watched.end()) continue;
        it->second.second.request_stop();
        watched.erase(it);
      }
    }
  }
};

namespace {

class WatchImpl : public DisconnectWatcher::Watch {
 public:
  struct Forward {
    std::stop_source source;
    void operator()() const noexcept { std::stop_source(source).request_stop(); }
  };
  WatchImpl(std::stop_token also, std::stop_source source, std::function<void()> unwatch)
      : source_(source), unwatch_(std::move(unwatch)), also_(std::move(also), Forward{source}) {}
  ~WatchImpl() override {
    if (unwatch_) unwatch_();
  }
  std::stop_token token() const override { return source_.get_token(); }

 private:
  std::stop_source source_;
  std::function<void()> unwatch_;
  std::stop_callback<Forward> also_;
};

}  // namespace

DisconnectWatcher::DisconnectWatcher() : state_(std::make_shared<State>()) {
  state_->thread = std::thread([s = state_.get()] { s->Loop(); });
}

DisconnectWatcher::~DisconnectWatcher() {
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    state_->stop = true;
  }
  state_->cv.notify_all();
  state_->thread.join();
}

std::shared_ptr<DisconnectWatcher::Watch> DisconnectWatcher::Start(const httplib::Request& req,
                                                                   std::stop_token also) {
  std::stop_source source;
  // The connection loop knows the socket; the /proc scan is for servers without it.
  int fd = CurrentConnectionSocket();
  if (fd < 0) fd = FindSocket(req);
  std::function<void()> unwatch;
  if (fd >= 0) {
    std::lock_guard<std::mutex> lock(state_->mu);
    const uint64_t id = state_->next_id++;
    state_->watched.emplace(id, std::make_pair(fd, source));
    unwatch = [s = state_, id] {
      std::lock_guard<std::mutex> unwatch_lock(s->mu);
      s->watched.erase(id);
    };
    state_->cv.notify_all();
  }
  return std::make_shared<WatchImpl>(std::move(also), source, std::move(unwatch));
}

}  // namespace olla::server
