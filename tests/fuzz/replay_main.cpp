// A driver that runs a libFuzzer-style target without libFuzzer (any compiler): every file
// of the seed corpus, then a bounded number of deterministic random mutations of them.
// CI runs it as a normal test; a crash or sanitizer report fails the test.
//   <target>_replay CORPUS_DIR [--mutations N] [--seed S] [--max-len BYTES]
#include <unistd.h>

#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Bytes that matter to HL7 v2 and ISO-2022-JP: separators, escapes, segment ends, MLLP
// framing, JIS escape sequences, 8-bit and NUL.
constexpr char kInteresting[] = {'|', '^', '~', '\\',   '&',    '\r', '\n',   '\x1b', '$',
                                 'B', '(', 'J', '\x1c', '\x0b', '\0', '\xff', '\x80', 'M',
                                 'S', 'H', 'X', '.',    'F',    'E',  '0',    '9'};

std::string mutate(std::mt19937_64& rng, const std::vector<std::string>& corpus,
                   std::size_t max_len) {
  auto pick = [&](std::size_t n) {
    return n == 0 ? 0 : std::uniform_int_distribution<std::size_t>(0, n - 1)(rng);
  };
  std::string s = corpus[pick(corpus.size())];
  int steps = 1 + static_cast<int>(pick(8));
  for (int i = 0; i < steps; ++i) {
    switch (pick(7)) {
      case 0:  // flip a bit
        if (!s.empty())
          s[pick(s.size())] ^= static_cast<char>(1u << pick(8));
        break;
      case 1:  // insert an interesting byte
        s.insert(s.begin() + static_cast<long>(pick(s.size() + 1)),
                 kInteresting[pick(sizeof kInteresting)]);
        break;
      case 2:  // overwrite with an interesting byte
        if (!s.empty())
          s[pick(s.size())] = kInteresting[pick(sizeof kInteresting)];
        break;
      case 3:  // erase a range
        if (!s.empty()) {
          std::size_t at = pick(s.size());
          s.erase(at, 1 + pick(std::min<std::size_t>(64, s.size() - at)));
        }
        break;
      case 4:  // duplicate a range
        if (!s.empty()) {
          std::size_t at = pick(s.size());
          std::string part = s.substr(at, 1 + pick(64));
          s.insert(pick(s.size() + 1), part);
        }
        break;
      case 5: {  // splice with another input
        const std::string& o = corpus[pick(corpus.size())];
        s = s.substr(0, pick(s.size() + 1)) + o.substr(pick(o.size() + 1));
        break;
      }
      case 6:  // truncate
        s.resize(pick(s.size() + 1));
        break;
    }
  }
  if (s.size() > max_len)
    s.resize(max_len);
  return s;
}

// The input being run, printed in hex by the abort handler: a failing mutation can be
// added to the corpus (and the bug fixed) without a libFuzzer build.
const std::string* g_current = nullptr;

void on_abort(int) {
  static const char kHex[] = "0123456789abcdef";
  static const char kHead[] = "\nreplay: the failing input, in hex:\n";
  (void)!::write(2, kHead, sizeof kHead - 1);
  if (g_current) {
    for (unsigned char c : *g_current) {
      const char pair[2] = {kHex[c >> 4], kHex[c & 15]};
      (void)!::write(2, pair, 2);
    }
  }
  (void)!::write(2, "\n", 1);
  std::signal(SIGABRT, SIG_DFL);
  std::abort();
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGABRT, on_abort);
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR [--mutations N] [--seed S] [--max-len BYTES]\n",
                 argv[0]);
    return 2;
  }
  long mutations = 10000;
  std::uint64_t seed = 1;
  std::size_t max_len = 1 << 16;
  for (int i = 2; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--mutations"))
      mutations = std::atol(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--seed"))
      seed = std::strtoull(argv[i + 1], nullptr, 10);
    else if (!std::strcmp(argv[i], "--max-len"))
      max_len = std::strtoull(argv[i + 1], nullptr, 10);
  }
  std::vector<std::string> corpus;
  for (const auto& e : std::filesystem::directory_iterator(argv[1])) {
    if (e.is_regular_file())
      corpus.push_back(read_file(e.path()));
  }
  if (corpus.empty()) {
    std::fprintf(stderr, "empty corpus %s\n", argv[1]);
    return 2;
  }
  for (const auto& input : corpus) {
    g_current = &input;
    LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(input.data()), input.size());
  }
  std::mt19937_64 rng(seed);
  for (long i = 0; i < mutations; ++i) {
    std::string input = mutate(rng, corpus, max_len);
    g_current = &input;
    LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(input.data()), input.size());
  }
  std::printf("ran %zu corpus inputs and %ld mutations\n", corpus.size(), mutations);
  return 0;
}
