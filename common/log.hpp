// Logging. A log call takes a message that must be a string literal (so no data can be
// formatted into it) and a fixed set of typed fields, none of which is a patient field:
// patient names, ids, birth dates and the like cannot reach a log by construction.
// Two formats: text for humans, JSON lines for machines.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hareyaka::log {

// Text that is part of the program: only a character array (in practice a string literal)
// converts to it; a std::string or a char* does not. (consteval would be stricter, but
// g++ 12 rejects consteval conversions inside coroutines.)
class Text {
 public:
  template <std::size_t N>
  constexpr Text(const char (&s)[N]) : view_(s, N - 1) {}  // NOLINT: implicit on purpose
  std::string_view view() const { return view_; }

 private:
  std::string_view view_;
};

// Every field a log line may carry. Add a field here only if it can never hold patient data.
struct Fields {
  std::string_view request_id;
  std::string_view component;  // "http", "pix", "scanner", ...
  std::string_view method;     // HTTP method
  std::string_view route;      // the route pattern ("/api/v1/persons/{id}"), never the path
  int status = 0;              // HTTP status
  double duration_ms = -1;
  std::string_view facility;  // facility OID
  std::string_view user;      // staff login id
  std::string_view peer;      // remote address or certificate subject of a node
  std::string_view error;     // an ErrorCode name
  std::string_view detail;    // an Error::internal() message (written to be free of patient data)
  std::string_view file;      // a path on this node's own storage (gateway-local logs only)
  std::string_view listener;  // listener name
  int port = 0;
  std::int64_t count = -1;
  double rate = -1;  // per second
};

enum class Level { kDebug, kInfo, kWarn, kError };
enum class Format { kText, kJson };

struct Settings {
  Level level = Level::kInfo;
  Format format = Format::kText;
  std::string file;  // empty: stderr
};

void configure(const Settings& settings);
std::optional<Level> parse_level(std::string_view s);

void write(Level level, Text msg, const Fields& fields);
inline void debug(Text msg, const Fields& f = {}) {
  write(Level::kDebug, msg, f);
}
inline void info(Text msg, const Fields& f = {}) {
  write(Level::kInfo, msg, f);
}
inline void warn(Text msg, const Fields& f = {}) {
  write(Level::kWarn, msg, f);
}
inline void error(Text msg, const Fields& f = {}) {
  write(Level::kError, msg, f);
}

// Formats one line without writing it (tests, and the two formats' single definition).
std::string format_line(Format format, Level level, Text msg, const Fields& fields);

}  // namespace hareyaka::log
