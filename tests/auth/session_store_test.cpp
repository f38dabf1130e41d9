#include "portal/auth/session_store.hpp"

#include <gtest/gtest.h>

#include "hpd/migrations.hpp"
#include "portal/auth/migrations.hpp"
#include "tests/hpd/directory_fixture.hpp"
#include "tests/support/pg_cluster.hpp"

namespace hareyaka::auth {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

class SessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    hpd::PgDirectoryStore dir(*pool_);
    auto f = testing::make_facility(201, hpd::FacilityKind::kClinic, false, true);
    dir.create_facility(f);
    user_ = dir.create_user(testing::make_user("dr.sato", f.oid, hpd::Profession::kDoctor));
  }
  std::unique_ptr<pg::Pool> pool_ = testing::fresh_pool({&hpd::migrations(), &auth::migrations()});
  SessionStore store_{*pool_, {.idle = minutes(30), .absolute = hours(12)}};
  std::int64_t user_ = 0;
  hpd::TimePoint t0_ = hpd::TimePoint(std::chrono::seconds(1'800'000'000));
};

TEST_F(SessionTest, CreateLookupAndTokenIsNotStored) {
  auto s = store_.create(user_, AuthMethod::kPasswordTotp, t0_);
  EXPECT_EQ(s.token.size(), 43u);
  EXPECT_EQ(s.session.csrf_token.size(), 43u);
  EXPECT_NE(s.token, s.session.csrf_token);
  auto got = store_.lookup(s.token, t0_ + minutes(1));
  ASSERT_TRUE(got);
  EXPECT_EQ(got->user_id, user_);
  EXPECT_EQ(got->method, AuthMethod::kPasswordTotp);
  EXPECT_EQ(got->csrf_token, s.session.csrf_token);
  EXPECT_EQ(hpd::to_us(got->absolute_expiry), hpd::to_us(t0_ + hours(12)));

  // Only a hash of the token is in the database.
  auto count = pg::transact(*pool_, [&](pg::Tx& tx) {
    return tx.raw()
        .exec_params("SELECT count(*) FROM sessions WHERE token_hash = $1 OR csrf_token = $1",
                     s.token)[0][0]
        .as<int>();
  });
  EXPECT_EQ(count, 0);

  // A second portal replica (another pool) sees the same session.
  pg::Pool other({.conninfo = pool_->settings().conninfo, .size = 1});
  SessionStore replica(other, {.idle = minutes(30), .absolute = hours(12)});
  EXPECT_TRUE(replica.lookup(s.token, t0_ + minutes(2)));

  EXPECT_FALSE(store_.lookup("not-a-token", t0_));
  EXPECT_FALSE(store_.lookup(std::string(43, 'A'), t0_));
}

TEST_F(SessionTest, IdleTimeoutWithInjectedClock) {
  auto s = store_.create(user_, AuthMethod::kHpki, t0_);
  EXPECT_TRUE(store_.lookup(s.token, t0_ + minutes(29)));
  EXPECT_TRUE(store_.lookup(s.token, t0_ + minutes(58)));  // idle timer restarted at 29
  EXPECT_FALSE(store_.lookup(s.token, t0_ + minutes(58) + minutes(30) + seconds(1)));
  // Gone for good, even if asked at an earlier time again.
  EXPECT_FALSE(store_.lookup(s.token, t0_ + minutes(59)));
}

TEST_F(SessionTest, LastSeenIsWrittenAtMostOncePerMinute) {
  auto s = store_.create(user_, AuthMethod::kPasswordTotp, t0_);
  // The row's version (xmin) changes with every write, even one that stores the same value.
  auto version = [&] {
    return pg::transact(*pool_, [&](pg::Tx& tx) {
      auto r = tx.exec_trusted("SELECT xmin::text, hy_us(last_seen_at) FROM sessions");
      return std::pair{r[0][0].as<std::string>(), r[0][1].as<std::int64_t>()};
    });
  };
  const auto created = version();
  for (int sec : {1, 10, 30, 59}) {
    ASSERT_TRUE(store_.lookup(s.token, t0_ + seconds(sec))) << sec;
    EXPECT_EQ(version(), created) << "written at +" << sec << " s";
  }
  ASSERT_TRUE(store_.lookup(s.token, t0_ + seconds(61)));
  const auto touched = version();
  EXPECT_NE(touched.first, created.first);
  EXPECT_EQ(touched.second, hpd::to_us(t0_ + seconds(61)));
  ASSERT_TRUE(store_.lookup(s.token, t0_ + seconds(100)));
  EXPECT_EQ(version(), touched);
  // The idle timeout counts from the last write (+61 s), not the last request (+100 s): a
  // session ends at most a minute early, never late.
  EXPECT_FALSE(store_.lookup(s.token, t0_ + seconds(61) + minutes(30)));
}

TEST_F(SessionTest, AbsoluteTimeoutDespiteActivity) {
  auto s = store_.create(user_, AuthMethod::kPasswordTotp, t0_);
  auto t = t0_;
  for (int i = 0; i < 35; ++i) {  // active every 20 minutes for 11h40m
    t += minutes(20);
    ASSERT_TRUE(store_.lookup(s.token, t)) << i;
  }
  EXPECT_TRUE(store_.lookup(s.token, t0_ + hours(12) - seconds(1)));
  EXPECT_FALSE(store_.lookup(s.token, t0_ + hours(12)));
}

TEST_F(SessionTest, LogoutCsrfAndPurge) {
  auto a = store_.create(user_, AuthMethod::kPasswordTotp, t0_);
  auto b = store_.create(user_, AuthMethod::kPasswordTotp, t0_);
  auto c = store_.create(user_, AuthMethod::kPasswordTotp, t0_);
  auto session = *store_.lookup(a.token, t0_);
  EXPECT_TRUE(SessionStore::check_csrf(session, a.session.csrf_token));
  EXPECT_FALSE(SessionStore::check_csrf(session, b.session.csrf_token));
  EXPECT_FALSE(SessionStore::check_csrf(session, ""));
  EXPECT_FALSE(SessionStore::check_csrf(session, a.session.csrf_token.substr(1)));

  EXPECT_TRUE(store_.logout(a.token));
  EXPECT_FALSE(store_.logout(a.token));
  EXPECT_FALSE(store_.lookup(a.token, t0_));
  EXPECT_TRUE(store_.lookup(b.token, t0_ + minutes(20)));
  EXPECT_EQ(store_.purge_expired(t0_ + minutes(40)), 1);  // c idle since t0; b seen at 20
  EXPECT_TRUE(store_.lookup(b.token, t0_ + minutes(45)));
  EXPECT_EQ(store_.logout_all(user_), 1);
  EXPECT_FALSE(store_.lookup(b.token, t0_ + minutes(46)));
  (void)c;
}

}  // namespace
}  // namespace hareyaka::auth
