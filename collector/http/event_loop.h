// EventLoop: one I/O thread's io_context, the connections it serves, and the hand-off by which
// other threads (the group commit writer, route threads) give finished work back to it.
//
// Complete() may be called from any thread: it queues the outcome and wakes the loop only when
// the queue was empty, so a group commit answering many connections of one loop costs one
// wake-up, not one per request. Everything else runs on the loop's own thread.
#ifndef TELEMETRY_COLLECTOR_HTTP_EVENT_LOOP_H_
#define TELEMETRY_COLLECTOR_HTTP_EVENT_LOOP_H_

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_set>
#include <utility>
#include <vector>

#include "telemetry/base/status.h"

namespace telemetry::collector {

class Connection;

class EventLoop {
 public:
  EventLoop();
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  boost::asio::io_context& context() { return context_; }

  // Any thread. `connection->Committed(outcome)` will run on this loop.
  void Complete(std::shared_ptr<Connection> connection, Result<bool> outcome);

  // Loop thread.
  void Add(Connection* connection) { connections_.insert(connection); }
  void Remove(Connection* connection) { connections_.erase(connection); }
  // The live connections, each kept alive by the returned pointers.
  std::vector<std::shared_ptr<Connection>> Connections();
  boost::asio::steady_timer& drain_timer() { return *drain_timer_; }
  // Lets run() return once no work is left.
  void ReleaseWork() { work_.reset(); }

 private:
  void RunCompleted();

  // Declared before the context, so destroyed after it: connections destroyed with the
  // context's pending handlers still find the set.
  std::unordered_set<Connection*> connections_;
  std::mutex mutex_;
  std::vector<std::pair<std::shared_ptr<Connection>, Result<bool>>> completed_;
  boost::asio::io_context context_{1};
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  std::optional<boost::asio::steady_timer> drain_timer_;
};

}  // namespace telemetry::collector

#endif  // TELEMETRY_COLLECTOR_HTTP_EVENT_LOOP_H_
