// main() for every test binary: GoogleTest, plus tearing down the private PostgreSQL
// cluster (if a test started one) when the run ends, even when tests failed.
#include <gtest/gtest.h>

#include "tests/support/pg_cluster.hpp"

namespace {

class PgEnvironment : public ::testing::Environment {
 public:
  void TearDown() override { hareyaka::testing::PgCluster::shutdown(); }
};

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::AddGlobalTestEnvironment(new PgEnvironment);
  return RUN_ALL_TESTS();
}
