#pragma once
// BlockingQueue: an unbounded queue between one producer thread and a reader that waits. The
// producer never blocks (a slow or departed reader cannot stall it); Close() marks the end, after
// which Pop() drains what is left and then answers nullopt. Used for the progress events of
// work that runs on its own thread while the HTTP response streams them.

#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <utility>

namespace olla {

template <typename T>
class BlockingQueue {
 public:
  void Push(T item) {
    std::lock_guard<std::mutex> lock(mu_);
    items_.push_back(std::move(item));
    cv_.notify_all();
  }

  // Like Push, but the item replaces the last unread one when `supersedes(last, item)` is true
  // (a newer progress report of the same thing): the queue stays short.
  template <typename Pred>
  void PushOrReplaceLast(T item, Pred supersedes) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!items_.empty() && supersedes(items_.back(), item)) {
      items_.back() = std::move(item);
    } else {
      items_.push_back(std::move(item));
    }
    cv_.notify_all();
  }

  // No more items will come.
  void Close() {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    cv_.notify_all();
  }

  // The next item, waiting for it; nullopt once closed and empty.
  std::optional<T> Pop() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return !items_.empty() || closed_; });
    if (items_.empty()) return std::nullopt;
    T item = std::move(items_.front());
    items_.pop_front();
    return item;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<T> items_;
  bool closed_ = false;
};

}  // namespace olla
