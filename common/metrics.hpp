// Prometheus metrics for the HTTP layer: request counts by route, method and status, and
// latency histograms by route, and sections other parts of the daemon publish. Labels are route
// patterns, never paths (paths carry ids).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

namespace hareyaka::http {

class Metrics {
 public:
  void observe(const std::string& listener, const std::string& route, const std::string& method,
               int status, double seconds);
  void connection_opened() { ++open_connections_; }
  void connection_closed() { --open_connections_; }
  // Prometheus text exposition format 0.0.4.
  std::string render() const;
  // Metrics another part of the daemon computes (e.g. figures read from the database by a
  // background job, never at scrape time): `exposition` is complete exposition text
  // (# HELP, # TYPE and samples), rendered after the HTTP metrics in `key` order and
  // replaced by the next call with the same key.
  void set_section(const std::string& key, std::string exposition);

  static constexpr std::array<double, 12> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                      0.05,   0.1,   0.25,   0.5,   1.0,  2.5};

 private:
  struct Histogram {
    std::array<std::uint64_t, kBuckets.size()> buckets{};
    std::uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mutex_;
  std::map<std::tuple<std::string, std::string, std::string, int>, std::uint64_t> counts_;
  std::map<std::tuple<std::string, std::string>, Histogram> latency_;
  std::map<std::string, std::string> sections_;
  std::atomic<std::int64_t> open_connections_{0};
};

}  // namespace hareyaka::http
