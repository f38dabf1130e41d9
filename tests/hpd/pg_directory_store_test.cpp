#include "hpd/pg_directory_store.hpp"

#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "common/error.hpp"
#include "hpd/hpd_mapping.hpp"
#include "hpd/migrations.hpp"
#include "tests/hpd/directory_fixture.hpp"
#include "tests/support/pg_cluster.hpp"

namespace hareyaka::hpd {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;
using testing::make_facility;
using testing::make_user;

class DirectoryTest : public ::testing::Test {
 protected:
  std::unique_ptr<pg::Pool> pool_ = testing::fresh_pool({&migrations()});
  PgDirectoryStore store_{*pool_};
};

TEST_F(DirectoryTest, FacilityRoundTripAndValidation) {
  auto f = make_facility(1001, FacilityKind::kHospital, true, true);
  store_.create_facility(f);
  auto got = store_.find_facility(f.oid);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->name_kanji, f.name_kanji);
  EXPECT_EQ(got->kind, FacilityKind::kHospital);
  EXPECT_TRUE(got->discloses);
  EXPECT_EQ(got->gateway_url, f.gateway_url);
  EXPECT_FALSE(store_.find_facility(testing::facility_oid(9)));

  try {
    store_.create_facility(f);
    FAIL() << "duplicate";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kConflict);
  }
  auto bad = make_facility(1002, FacilityKind::kClinic, true, false);
  bad.gateway_url = "http://insecure";
  try {
    store_.create_facility(bad);
    FAIL() << "http gateway";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kUnprocessable);
    EXPECT_NE(e.external().find("gateway_url"), std::string::npos);
  }
  auto wrong_root = make_facility(1003, FacilityKind::kClinic, false, true);
  wrong_root.oid = "1.2.3.33.1003";
  EXPECT_THROW(store_.create_facility(wrong_root), Error);

  got->status = FacilityStatus::kSuspended;
  got->name_en = "Renamed";
  store_.update_facility(*got);
  EXPECT_EQ(store_.find_facility(f.oid)->status, FacilityStatus::kSuspended);
  EXPECT_EQ(store_.find_facility(f.oid)->name_en, "Renamed");
  // Contact details: stored, validated, carried in the facility's HPD entry and read back.
  got = store_.find_facility(f.oid);
  got->postal_code = "700-8558";
  got->address = "岡山県岡山市北区鹿田町2-5-1";
  got->phone = "086-223-7151";
  store_.update_facility(*got);
  const auto contact = store_.find_facility(f.oid);
  EXPECT_EQ(contact->postal_code, "700-8558");
  EXPECT_EQ(contact->address, "岡山県岡山市北区鹿田町2-5-1");
  EXPECT_EQ(contact->phone, "086-223-7151");
  const DitSettings dit;
  const auto entry = facility_to_entry(dit, *contact);
  EXPECT_EQ(entry.first("postalCode"), "700-8558");
  EXPECT_EQ(entry.first("postalAddress"), "岡山県岡山市北区鹿田町2-5-1");
  EXPECT_EQ(entry.first("telephoneNumber"), "086-223-7151");
  auto back = entry_to_facility(dit, entry, contact);
  ASSERT_TRUE(std::holds_alternative<Facility>(back));
  EXPECT_EQ(std::get<Facility>(back).phone, "086-223-7151");
  EXPECT_EQ(std::get<Facility>(back).postal_code, "700-8558");
  for (const auto& [field, value] :
       std::vector<std::pair<std::string, std::string>>{{"postal_code", "7008558x"},
                                                        {"postal_code", "70-08558"},
                                                        {"phone", "086-CALL-ME"},
                                                        {"phone", "12345"},
                                                        {"phone", "+81 86 223 7151 0000 00"}}) {
    auto wrong = *contact;
    (field == "phone" ? wrong.phone : wrong.postal_code) = value;
    try {
      store_.update_facility(wrong);
      FAIL() << field << " " << value;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kUnprocessable);
      EXPECT_NE(e.external().find(field), std::string::npos) << e.external();
    }
  }
  auto ghost = make_facility(1999, FacilityKind::kClinic, false, true);
  try {
    store_.update_facility(ghost);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kNotFound);
  }
}

TEST_F(DirectoryTest, ListFacilitiesPagesAndFilters) {
  for (int i = 1; i <= 23; ++i) {
    store_.create_facility(make_facility(
        2000 + i, i % 3 == 0 ? FacilityKind::kPharmacy : FacilityKind::kClinic, false, true));
  }
  std::set<std::string> seen;
  PageRequest req{.limit = 5};
  int pages = 0;
  do {
    auto page = store_.list_facilities({}, req);
    EXPECT_LE(page.items.size(), 5u);
    for (auto& f : page.items)
      EXPECT_TRUE(seen.insert(f.oid).second) << "repeated " << f.oid;
    req.after = page.next;
    ++pages;
  } while (!req.after.empty());
  EXPECT_EQ(seen.size(), 23u);
  EXPECT_GE(pages, 5);

  auto pharmacies = store_.list_facilities({.kind = FacilityKind::kPharmacy}, {.limit = 100});
  EXPECT_EQ(pharmacies.items.size(), 7u);
  for (auto& f : pharmacies.items)
    EXPECT_EQ(f.kind, FacilityKind::kPharmacy);
  EXPECT_TRUE(pharmacies.next.empty());
  EXPECT_TRUE(store_.list_facilities({.discloses = true}, {}).items.empty());
}

TEST_F(DirectoryTest, UsersCreateFindListAndConstraints) {
  auto f = make_facility(3001, FacilityKind::kClinic, false, true);
  store_.create_facility(f);
  auto u = make_user("dr.sato", f.oid, Profession::kDoctor);
  u.password_hash = "$argon2id$placeholder";
  u.hpki = {"CN=HPKI CA", "1A2B", "CN=Sato"};
  auto id = store_.create_user(u);
  auto got = store_.find_user(id);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->login_id, "dr.sato");
  EXPECT_EQ(got->profession, Profession::kDoctor);
  EXPECT_EQ(got->status, UserStatus::kActive);
  EXPECT_TRUE(got->password_changed_at);
  EXPECT_EQ(store_.find_user_by_login("dr.sato")->id, id);
  EXPECT_FALSE(store_.find_user_by_login("nobody"));
  EXPECT_EQ(store_.find_user_by_hpki("CN=HPKI CA", "1A2B", "")->id, id);
  EXPECT_EQ(store_.find_user_by_hpki("CN=HPKI CA", "FFFF", "CN=Sato")->id, id);  // renewed card
  EXPECT_FALSE(store_.find_user_by_hpki("CN=Other", "1A2B", ""));

  EXPECT_THROW(store_.create_user(u), Error);  // duplicate login
  auto bad = make_user("x", f.oid, Profession::kNurse);
  EXPECT_THROW(store_.create_user(bad), Error);
  auto orphan = make_user("orphan", testing::facility_oid(4444), Profession::kNurse);
  try {
    store_.create_user(orphan);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kUnprocessable);
  }

  for (int i = 0; i < 12; ++i) {
    store_.create_user(make_user("nurse" + std::to_string(i), f.oid, Profession::kNurse));
  }
  std::set<std::int64_t> ids;
  PageRequest req{.limit = 5};
  do {
    auto page = store_.list_users({.profession = Profession::kNurse}, req);
    for (auto& n : page.items) {
      EXPECT_EQ(n.profession, Profession::kNurse);
      ids.insert(n.id);
    }
    req.after = page.next;
  } while (!req.after.empty());
  EXPECT_EQ(ids.size(), 12u);
  EXPECT_EQ(store_.list_users({.facility_oid = f.oid}, {.limit = 500}).items.size(), 13u);

  store_.set_status(id, UserStatus::kRetired);
  EXPECT_EQ(store_.find_user(id)->status, UserStatus::kRetired);
  EXPECT_EQ(store_.list_users({.status = UserStatus::kRetired}, {}).items.size(), 1u);
}

TEST_F(DirectoryTest, LockoutCountersAreAtomic) {
  auto f = make_facility(5001, FacilityKind::kClinic, false, true);
  store_.create_facility(f);
  auto id = store_.create_user(make_user("clerk1", f.oid, Profession::kClerk));
  const auto now = Clock::now();
  for (int i = 1; i <= 4; ++i) {
    auto s = store_.record_login_failure(id, now, 5, minutes(15));
    EXPECT_EQ(s.failed_attempts, i);
    EXPECT_FALSE(s.locked_until);
  }
  auto locked = store_.record_login_failure(id, now, 5, minutes(15));
  ASSERT_TRUE(locked.locked_until);
  EXPECT_EQ(to_us(*locked.locked_until), to_us(now + minutes(15)));
  EXPECT_EQ(locked.failed_attempts, 0);
  store_.record_login_success(id);
  EXPECT_FALSE(store_.find_user(id)->locked_until);

  // Two replicas failing at once: every failure counts.
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i)
        store_.record_login_failure(id, now, 1000, minutes(1));
    });
  }
  for (auto& t : threads)
    t.join();
  EXPECT_EQ(store_.find_user(id)->failed_attempts, 20);
}

TEST_F(DirectoryTest, TotpStepIsClaimedOnce) {
  auto f = make_facility(6001, FacilityKind::kClinic, false, true);
  store_.create_facility(f);
  auto id = store_.create_user(make_user("nurse.k", f.oid, Profession::kNurse));
  store_.set_totp_secret(id, "JBSWY3DPEHPK3PXP");
  EXPECT_TRUE(store_.claim_totp_step(id, 100));
  EXPECT_FALSE(store_.claim_totp_step(id, 100));  // replay
  EXPECT_FALSE(store_.claim_totp_step(id, 99));   // older code after a newer one
  EXPECT_TRUE(store_.claim_totp_step(id, 101));
  store_.set_totp_secret(id, "KRSXG5CTMVRXEZLU");  // re-enrolment resets the guard
  EXPECT_TRUE(store_.claim_totp_step(id, 50));
  store_.set_password_hash(id, "$argon2id$x", Clock::now());
  EXPECT_EQ(store_.find_user(id)->password_hash, "$argon2id$x");
}

}  // namespace
}  // namespace hareyaka::hpd
