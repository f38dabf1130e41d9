#include "common/log.hpp"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <ctime>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>

namespace hareyaka::log {
namespace {

std::mutex g_mutex;
std::shared_ptr<spdlog::logger> g_logger;
std::atomic<Format> g_format{Format::kText};
std::atomic<Level> g_level{Level::kInfo};

std::string_view level_name(Level l) {
  switch (l) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarn:
      return "warn";
    case Level::kError:
      return "error";
  }
  return "info";
}

std::string timestamp() {
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) % 1000;
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof buf - n, ".%03dZ", static_cast<int>(ms.count()));
  return buf;
}

template <typename Visit>
void each_field(const Fields& f, Visit&& v) {
  auto s = [&](const char* k, std::string_view x) {
    if (!x.empty())
      v(k, nlohmann::json(x));
  };
  s("request_id", f.request_id);
  s("component", f.component);
  s("method", f.method);
  s("route", f.route);
  if (f.status)
    v("status", nlohmann::json(f.status));
  if (f.duration_ms >= 0)
    v("duration_ms", nlohmann::json(f.duration_ms));
  s("facility", f.facility);
  s("user", f.user);
  s("peer", f.peer);
  s("error", f.error);
  s("detail", f.detail);
  s("file", f.file);
  s("listener", f.listener);
  if (f.port)
    v("port", nlohmann::json(f.port));
  if (f.count >= 0)
    v("count", nlohmann::json(f.count));
  if (f.rate >= 0)
    v("rate", nlohmann::json(f.rate));
}

spdlog::level::level_enum to_spd(Level l) {
  switch (l) {
    case Level::kDebug:
      return spdlog::level::debug;
    case Level::kInfo:
      return spdlog::level::info;
    case Level::kWarn:
      return spdlog::level::warn;
    case Level::kError:
      return spdlog::level::err;
  }
  return spdlog::level::info;
}

std::shared_ptr<spdlog::logger> logger() {
  std::lock_guard lock(g_mutex);
  if (!g_logger) {
    g_logger = std::make_shared<spdlog::logger>("hareyaka",
                                                std::make_shared<spdlog::sinks::stderr_sink_mt>());
    g_logger->set_pattern("%v");
    g_logger->set_level(spdlog::level::trace);
  }
  return g_logger;
}

}  // namespace

std::optional<Level> parse_level(std::string_view s) {
  if (s == "debug")
    return Level::kDebug;
  if (s == "info")
    return Level::kInfo;
  if (s == "warn")
    return Level::kWarn;
  if (s == "error")
    return Level::kError;
  return std::nullopt;
}

void configure(const Settings& settings) {
  std::shared_ptr<spdlog::sinks::sink> sink;
  if (settings.file.empty()) {
    sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  } else {
    sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(settings.file);
  }
  auto l = std::make_shared<spdlog::logger>("hareyaka", sink);
  l->set_pattern("%v");
  l->set_level(spdlog::level::trace);
  l->flush_on(spdlog::level::info);
  {
    std::lock_guard lock(g_mutex);
    g_logger = l;
  }
  g_format = settings.format;
  g_level = settings.level;
}

std::string format_line(Format format, Level level, Text msg, const Fields& fields) {
  if (format == Format::kJson) {
    nlohmann::json j;
    j["ts"] = timestamp();
    j["level"] = level_name(level);
    j["msg"] = msg.view();
    each_field(fields, [&](const char* k, nlohmann::json v) { j[k] = std::move(v); });
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  std::string line = timestamp();
  line += ' ';
  line += level_name(level);
  line += ' ';
  line += msg.view();
  each_field(fields, [&](const char* k, const nlohmann::json& v) {
    line += ' ';
    line += k;
    line += '=';
    if (v.is_string()) {
      const auto& s = v.get_ref<const std::string&>();
      bool quote = s.find_first_of(" \"=") != std::string::npos;
      line += quote ? nlohmann::json(s).dump() : s;
    } else {
      line += v.dump();
    }
  });
  return line;
}

void write(Level level, Text msg, const Fields& fields) {
  if (level < g_level.load())
    return;
  logger()->log(to_spd(level), "{}", format_line(g_format.load(), level, msg, fields));
}

}  // namespace hareyaka::log
