#include "common/metrics.hpp"

#include <fmt/format.h>

namespace hareyaka::http {

void Metrics::observe(const std::string& listener, const std::string& route,
                      const std::string& method, int status, double seconds) {
  std::lock_guard lock(mutex_);
  ++counts_[{listener, route, method, status}];
  Histogram& h = latency_[{listener, route}];
  for (std::size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i])
      ++h.buckets[i];
  }
  ++h.count;
  h.sum += seconds;
}

std::string Metrics::render() const {
  std::string out;
  out += "# HELP hareyaka_http_requests_total HTTP requests by route, method and status.\n";
  out += "# TYPE hareyaka_http_requests_total counter\n";
  std::lock_guard lock(mutex_);
  for (const auto& [key, n] : counts_) {
    const auto& [listener, route, method, status] = key;
    out += fmt::format(
        "hareyaka_http_requests_total{{listener=\"{}\",route=\"{}\",method=\"{}\",status=\"{}\"}} "
        "{}\n",
        listener, route, method, status, n);
  }
  out += "# HELP hareyaka_http_request_duration_seconds Request latency by route.\n";
  out += "# TYPE hareyaka_http_request_duration_seconds histogram\n";
  for (const auto& [key, h] : latency_) {
    const auto& [listener, route] = key;
    const std::string labels = fmt::format("listener=\"{}\",route=\"{}\"", listener, route);
    for (std::size_t i = 0; i < kBuckets.size(); ++i) {
      out += fmt::format("hareyaka_http_request_duration_seconds_bucket{{{},le=\"{}\"}} {}\n",
                         labels, kBuckets[i], h.buckets[i]);
    }
    out += fmt::format("hareyaka_http_request_duration_seconds_bucket{{{},le=\"+Inf\"}} {}\n",
                       labels, h.count);
    out += fmt::format("hareyaka_http_request_duration_seconds_sum{{{}}} {}\n", labels, h.sum);
    out += fmt::format("hareyaka_http_request_duration_seconds_count{{{}}} {}\n", labels, h.count);
  }
  out += "# HELP hareyaka_http_open_connections Connections currently open.\n";
  out += "# TYPE hareyaka_http_open_connections gauge\n";
  out += fmt::format("hareyaka_http_open_connections {}\n", open_connections_.load());
  for (const auto& [key, text] : sections_)
    out += text;
  return out;
}

void Metrics::set_section(const std::string& key, std::string exposition) {
  std::lock_guard lock(mutex_);
  sections_[key] = std::move(exposition);
}

}  // namespace hareyaka::http
