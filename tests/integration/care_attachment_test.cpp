// The care team's photos and PDF files (issue #18) through the real portal: a care manager
// founds the team, a visiting nurse, a doctor and a family reader join; the nurse attaches a
// photo and a PDF to her post and the others read them from the timeline and download them
// (as downloads: Content-Disposition, nosniff, the sandbox policy; the bytes as sent); equal
// files are stored once in the content-addressed folder; a file that is not what its type
// says, a type other than PDF/JPEG/PNG, a missing or bad name, too large a file, an eleventh
// file, a post of another author and an unknown post or attachment are refused with clear
// errors and store nothing; a correction keeps the attachments; the family reader downloads
// but does not attach; a non-member, a removed member and every member after the consent's
// withdrawal are refused; every attempt is in the audit chain without a file name; the JSON
// answers validate against docs/openapi/portal.yaml.
#include <gtest/gtest.h>

#include <string>

#include "common/digest.hpp"
#include "tests/integration/care_team_support.hpp"

namespace hareyaka {
namespace {

using nlohmann::json;
using testing::body_of;
using testing::care_audit_count;
using testing::care_code_of;
using testing::care_login;
using testing::matrix;
using testing::net;
using Team = testing::CareTeamClient;

const std::string kManager = care_login("care_facility", "given", "care_manager");
const std::string kNurse = care_login("home_visit_nursing", "none", "nurse");
const std::string kDoctor = care_login("clinic", "none", "doctor");
const std::string kFamily = care_login("dental_clinic", "none", "clerk");
const std::string kOutsider = care_login("clinic", "given", "doctor");

std::string from_hex(std::string_view hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  return out;
}

// A 2x2 RGB PNG (what a tablet's camera sends is larger, not different).
const std::string kPng = from_hex(
    "89504e470d0a1a0a0000000d4948445200000002000000020802000000fdd49a730000001349444154789c63f8"
    "cfc0c000c220e2ffffff0025ea05fb2eb751050000000049454e44ae426082");
const std::string kPdf =
    "%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    "2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
    "trailer << /Root 1 0 R >>\n%%EOF\n";

std::string attachments_dir() {
  return net().tmp.path() + "/care-attachments";
}

std::string header(const http::ClientResponse& r, const std::string& name) {
  auto it = r.headers.find(name);
  return it == r.headers.end() ? "" : it->second;
}

struct State {
  std::string post;        // the nurse's post
  std::string photo;       // its photo's attachment id
  std::string pdf;         // its PDF's attachment id
  std::string other_post;  // the doctor's post
  static State& get() {
    static State s;
    return s;
  }
};

std::string attach_path(const std::string& post, const std::string& name) {
  return "/posts/" + post + "/attachments?name=" + name;
}

http::ClientResponse attach(const std::string& who, const std::string& post,
                            const std::string& name, std::string bytes, const std::string& type) {
  return Team::get().send(who, "/posts/{post_id}/attachments", attach_path(post, name),
                          std::move(bytes), type);
}

http::ClientResponse download(const std::string& who, const std::string& id) {
  return Team::get().as(who).call("GET", Team::get().base + "/attachments/" + id);
}

TEST(CareAttachment, TheTeamIsFoundedAndItsMembersJoin) {
  Team& t = Team::get();
  auto created = t.call(kManager, "POST", "", "",
                        {{"care_profession", "care_manager"},
                         {"consent", {{"document_ref", "CARE-ATT-1"}, {"reader_allowed", true}}}});
  ASSERT_EQ(created.status, 201) << created.body;
  for (const auto& [login, prof] : std::vector<std::pair<std::string, std::string>>{
           {kNurse, "nurse"}, {kDoctor, "doctor"}, {kFamily, "family"}}) {
    auto r = t.call(kManager, "POST", "/invitations", "",
                    {{"login_id", login}, {"care_profession", prof}});
    ASSERT_EQ(r.status, 201) << login << ": " << r.body;
    t.member_id[login] = body_of(r)["member_id"];
    ASSERT_EQ(t.call(login, "POST", "/accept").status, 200) << login;
  }
  auto post = t.call(kNurse, "POST", "/posts", "",
                     {{"kind", "soap"}, {"objective", "仙骨部に発赤 2cm"}, {"plan", "除圧継続"}});
  ASSERT_EQ(post.status, 201) << post.body;
  EXPECT_EQ(body_of(post)["attachments"], json::array());
  State::get().post = body_of(post)["post_id"];
  auto other = t.call(kDoctor, "POST", "/posts", "", {{"body", "軟膏を処方しました"}});
  ASSERT_EQ(other.status, 201) << other.body;
  State::get().other_post = body_of(other)["post_id"];
}

TEST(CareAttachment, TheAuthorAttachesAPhotoAndAPdfAndTheTeamDownloadsThem) {
  Team& t = Team::get();
  State& s = State::get();
  // A Japanese name is kept for the timeline; the download is offered under a plain one.
  auto photo = attach(kNurse, s.post, "%E4%BB%99%E9%AA%A8%E9%83%A8.png", kPng, "image/png");
  ASSERT_EQ(photo.status, 201) << photo.body;
  const json p = body_of(photo);
  EXPECT_EQ(p["file_name"], "仙骨部.png");
  EXPECT_EQ(p["media_type"], "image/png");
  EXPECT_EQ(p["size_bytes"], kPng.size());
  EXPECT_EQ(p["sha256"], sha256_hex(kPng));
  s.photo = p["attachment_id"];
  auto pdf = attach(kNurse, s.post, "care-plan.pdf", kPdf, "application/pdf; charset=binary");
  ASSERT_EQ(pdf.status, 201) << pdf.body;
  s.pdf = body_of(pdf)["attachment_id"];

  // Every member sees them on the post, oldest first.
  auto page = t.call(kDoctor, "GET", "/posts");
  ASSERT_EQ(page.status, 200) << page.body;
  json mine;
  const json items = body_of(page)["items"];
  for (const auto& item : items) {
    if (item["post_id"] == s.post)
      mine = item;
  }
  ASSERT_EQ(mine["attachments"].size(), 2u) << page.body;
  EXPECT_EQ(mine["attachments"][0]["attachment_id"], s.photo);
  EXPECT_EQ(mine["attachments"][1]["file_name"], "care-plan.pdf");

  for (const auto& who : {kDoctor, kManager, kFamily}) {
    auto r = download(who, s.photo);
    ASSERT_EQ(r.status, 200) << who << ": " << r.body;
    EXPECT_EQ(r.body, kPng);
    EXPECT_EQ(header(r, "Content-Type"), "image/png");
    EXPECT_EQ(header(r, "Content-Disposition"),
              "attachment; filename=\"attachment-" + s.photo + ".png\"");
    EXPECT_EQ(header(r, "X-Content-Type-Options"), "nosniff");
    EXPECT_EQ(header(r, "Content-Security-Policy"), "sandbox; default-src 'none'");
    EXPECT_EQ(header(r, "Cache-Control"), "private, no-store");
  }
  auto r = download(kDoctor, s.pdf);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body, kPdf);
  EXPECT_EQ(header(r, "Content-Disposition"), "attachment; filename=\"care-plan.pdf\"");

  // The bytes are in the content-addressed folder, named by their digest, read-only.
  const std::string sha = sha256_hex(kPng);
  const std::string file = attachments_dir() + "/" + sha.substr(0, 2) + "/" + sha;
  EXPECT_EQ(testing::read_file(file), kPng);
  EXPECT_EQ(testing::files_under(attachments_dir()), 2u);
}

TEST(CareAttachment, EqualFilesAreStoredOnceAndACorrectionKeepsTheAttachments) {
  Team& t = Team::get();
  State& s = State::get();
  auto again = attach(kDoctor, s.other_post, "photo.png", kPng, "image/png");
  ASSERT_EQ(again.status, 201) << again.body;
  EXPECT_NE(body_of(again)["attachment_id"], s.photo);
  EXPECT_EQ(body_of(again)["sha256"], sha256_hex(kPng));
  EXPECT_EQ(testing::files_under(attachments_dir()), 2u);

  auto corrected =
      t.call(kNurse, "POST", "/posts/{post_id}/corrections", "/posts/" + s.post + "/corrections",
             {{"kind", "soap"},
              {"objective", "仙骨部に発赤 3cm"},
              {"plan", "除圧継続"},
              {"reason", "計測の誤り"}});
  ASSERT_EQ(corrected.status, 201) << corrected.body;
  EXPECT_EQ(body_of(corrected)["version"], 2);
  EXPECT_EQ(body_of(corrected)["attachments"].size(), 2u);
}

TEST(CareAttachment, BadFilesAreRefusedWithClearErrorsAndStoreNothing) {
  State& s = State::get();
  const std::size_t before = testing::files_under(attachments_dir());
  struct Case {
    std::string name, bytes, type;
    int status;
    std::string message;
  };
  const std::string html = "<html><script>alert(1)</script></html>";
  const std::vector<Case> cases = {
      {"x.png", html, "image/png", 422, "the file is not a PNG image"},
      {"x.jpg", kPng, "image/jpeg", 422, "the file is not a JPEG image"},
      {"x.pdf", kPng, "application/pdf", 422, "the file is not a PDF"},
      {"x.html", html, "text/html", 415, "the file must be a PDF, JPEG or PNG file"},
      {"x.svg", "<svg/>", "image/svg+xml", 415, "the file must be a PDF, JPEG or PNG file"},
      {"", kPng, "image/png", 422, "name: the file's name is required"},
      {"a%2Fb.png", kPng, "image/png", 422, "name: no '/'"},
      {"a%0Ab.png", kPng, "image/png", 422, "name: no '/'"},
      {"%FF%FE.png", kPng, "image/png", 422, "name: not UTF-8 text"},
      {std::string(201, 'a'), kPng, "image/png", 422, "name: at most 200 bytes"},
  };
  for (const auto& c : cases) {
    auto r = attach(kNurse, s.post, c.name, c.bytes, c.type);
    EXPECT_EQ(r.status, c.status) << c.name << " " << c.type << ": " << r.body;
    EXPECT_NE(r.body.find(c.message), std::string::npos) << c.name << ": " << r.body;
  }
  // More than 20 MiB: refused before the route runs.
  // The server answers 413 from the Content-Length and closes; a client still sending may see
  // the connection closed instead. Either way nothing is stored (checked below).
  try {
    auto big =
        attach(kNurse, s.post, "big.pdf", "%PDF-" + std::string(20u << 20, 'x'), "application/pdf");
    EXPECT_EQ(big.status, 413) << big.body.substr(0, 200);
  } catch (const std::exception&) {
  }
  // Only the author attaches to a post; no post or attachment of another id.
  auto other = attach(kNurse, s.other_post, "x.png", kPng, "image/png");
  EXPECT_EQ(other.status, 403);
  EXPECT_EQ(care_code_of(other), "not_the_author");
  EXPECT_EQ(attach(kNurse, "999999", "x.png", kPng, "image/png").status, 404);
  EXPECT_EQ(attach(kNurse, "x", "x.png", kPng, "image/png").status, 404);
  EXPECT_EQ(download(kNurse, "999999").status, 404);
  EXPECT_EQ(testing::files_under(attachments_dir()), before);
  EXPECT_GE(care_audit_count(kNurse, "failure", "unprocessable"), 8);
}

TEST(CareAttachment, APostHoldsAtMostTenFiles) {
  State& s = State::get();
  // Two attached; eight more, each a different PDF.
  for (int i = 0; i < 8; ++i) {
    auto r = attach(kNurse, s.post, "page-" + std::to_string(i) + ".pdf",
                    kPdf + "% page " + std::to_string(i) + "\n", "application/pdf");
    ASSERT_EQ(r.status, 201) << i << ": " << r.body;
  }
  auto eleventh = attach(kNurse, s.post, "page-8.pdf", kPdf + "% page 8\n", "application/pdf");
  EXPECT_EQ(eleventh.status, 409) << eleventh.body;
  EXPECT_NE(eleventh.body.find("at most 10 attachments"), std::string::npos);
}

TEST(CareAttachment, TheFamilyReaderDownloadsButDoesNotAttach) {
  Team& t = Team::get();
  auto own = t.call(kFamily, "POST", "/posts", "", {{"body", "x"}});
  EXPECT_EQ(care_code_of(own), "read_only_member");
  auto r = attach(kFamily, State::get().post, "x.png", kPng, "image/png");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(care_code_of(r), "read_only_member");
  EXPECT_EQ(download(kFamily, State::get().pdf).status, 200);
}

TEST(CareAttachment, NonMembersRemovedMembersAndAWithdrawnConsentAreRefused) {
  Team& t = Team::get();
  State& s = State::get();
  // A doctor whose facility may see the person in the viewer is still no member.
  auto outsider = download(kOutsider, s.photo);
  EXPECT_EQ(outsider.status, 403);
  EXPECT_EQ(care_code_of(outsider), "not_a_care_team_member");
  EXPECT_EQ(outsider.body.find("PNG"), std::string::npos);
  EXPECT_EQ(care_code_of(attach(kOutsider, s.post, "x.png", kPng, "image/png")),
            "not_a_care_team_member");
  EXPECT_GE(care_audit_count(kOutsider, "denied", "not_a_care_team_member"), 2);

  // A removed member: the very next download is refused.
  ASSERT_EQ(download(kDoctor, s.photo).status, 200);
  ASSERT_EQ(
      t.call(kManager, "DELETE", "/members/{member_id}", "/members/" + t.member_id[kDoctor]).status,
      204);
  EXPECT_EQ(care_code_of(download(kDoctor, s.photo)), "removed_from_care_team");

  // After the consent's withdrawal nobody downloads or attaches.
  ASSERT_EQ(t.call(kManager, "POST", "/consent/withdraw", "", {{"reason", "本人の申し出"}}).status,
            200);
  for (const auto& who : {kManager, kNurse, kFamily})
    EXPECT_EQ(care_code_of(download(who, s.photo)), "care_team_consent_withdrawn") << who;
  EXPECT_EQ(care_code_of(attach(kNurse, s.post, "y.png", kPng, "image/png")),
            "care_team_consent_withdrawn");
}

TEST(CareAttachment, EveryAttemptIsOnRecordWithoutAFileNameAndTheAnswersMatchTheSchema) {
  EXPECT_EQ(care_audit_count(kNurse, "success", "care_team_attach"), 10);
  EXPECT_GE(care_audit_count(kDoctor, "success", ""), 3);  // views and downloads
  const auto named = pg::transact(*net().pool, [](pg::Tx& tx) {
    return tx.raw()
        .exec(
            "SELECT count(*) FROM audit_log WHERE category = 'care_team' AND (detail LIKE "
            "'%.png%' OR detail LIKE '%.pdf%' OR detail LIKE '%仙骨%')")[0][0]
        .as<std::int64_t>();
  });
  EXPECT_EQ(named, 0);
  const auto downloads = pg::transact(*net().pool, [](pg::Tx& tx) {
    return tx.raw()
        .exec(
            "SELECT count(*) FROM audit_log WHERE category = 'care_team' AND event_type = 'view' "
            "AND detail LIKE 'action=care_team_attachment_read post=% attachment=%'")[0][0]
        .as<std::int64_t>();
  });
  EXPECT_EQ(downloads, 6);
  auto v = net().admin->call("POST", "/api/v1/admin/audit/verify", json::object());
  ASSERT_EQ(v.status, 200) << v.body;
  EXPECT_TRUE(body_of(v)["ok"].get<bool>()) << v.body;
  EXPECT_EQ(testing::care_schema_problems(Team::get(), "care-attachments"), "");
}

}  // namespace
}  // namespace hareyaka
