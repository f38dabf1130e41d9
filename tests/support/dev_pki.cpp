#include "tests/support/dev_pki.hpp"

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>

#include "tests/support/process.hpp"

namespace hareyaka::testing {

std::string source_dir() {
  return HAREYAKA_SOURCE_DIR;
}

namespace {

struct PkiHolder {
  TempDir tmp;
  DevPki pki;
};

}  // namespace

const DevPki& dev_pki() {
  static std::once_flag once;
  static std::unique_ptr<PkiHolder> holder;
  std::call_once(once, [] {
    holder = std::make_unique<PkiHolder>();
    holder->pki.dir = holder->tmp.path() + "/network";
    holder->pki.other_dir = holder->tmp.path() + "/other";
    const std::string script = source_dir() + "/deploy/dev-pki";
    run_checked({script, holder->pki.dir, "portal", "gateway-a", "gateway-b", "client"});
    run_checked({script, holder->pki.other_dir, "stranger"});
  });
  return holder->pki;
}

}  // namespace hareyaka::testing
