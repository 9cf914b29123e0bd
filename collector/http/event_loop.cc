#include "collector/http/event_loop.h"

#include <boost/asio/post.hpp>

#include "collector/http/connection.h"

namespace telemetry::collector {

EventLoop::EventLoop() {
  work_.emplace(context_.get_executor());
  drain_timer_.emplace(context_);
}

EventLoop::~EventLoop() {
  // Connections still queued hold sockets of this context: release them while it exists.
  std::lock_guard lock(mutex_);
  completed_.clear();
  drain_timer_.reset();
}

void EventLoop::Complete(std::shared_ptr<Connection> connection, Result<bool> outcome) {
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    wake = completed_.empty();
    completed_.emplace_back(std::move(connection), std::move(outcome));
  }
  if (wake) boost::asio::post(context_, [this] { RunCompleted(); });
}

void EventLoop::RunCompleted() {
  std::vector<std::pair<std::shared_ptr<Connection>, Result<bool>>> done;
  {
    std::lock_guard lock(mutex_);
    done.swap(completed_);
  }
  for (auto& [connection, outcome] : done) connection->Committed(std::move(outcome));
}

std::vector<std::shared_ptr<Connection>> EventLoop::Connections() {
  std::vector<std::shared_ptr<Connection>> live;
  live.reserve(connections_.size());
  for (Connection* connection : connections_) live.push_back(connection->shared_from_this());
  return live;
}

}  // namespace telemetry::collector
