// upload_artifact against real parts: Azurite as the blob store behind our fake Results service
// (tests/servers/fake-results.js), and GitHub's own client (@actions/artifact) downloading what treeprint uploaded.
// Run by tests/servers/run_artifact_tests.py, which starts the servers and sets:
//   TREEPRINT_RESULTS_URL     the fake Results service (also its test hooks under /_fake/)
//   TREEPRINT_NODE            node
//   TREEPRINT_ARTIFACT_CLIENT tests/servers/artifact-client.js

#include <gtest/gtest.h>
#include <simdjson.h>

#include <cstdio>
#include <cstdlib>
#include <random>

#include "manifest/path_encoding.h"
#include "publish/artifact_upload.h"
#include "publish/fake_control.h"
#include "publish/runtime_token.h"
#include "test_support.h"

namespace treeprint {
namespace {

using std::chrono::milliseconds;
using testing::TempDir;

std::string env(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') {
    ADD_FAILURE() << name << " is not set: run this through tests/servers/run_artifact_tests.py";
    return "http://127.0.0.1:9";
  }
  return v;
}

using testing::runtime_token;

const std::string k_token = runtime_token("Actions.ExampleScope Actions.Results:c0ffee00-run:d00dfeed-job");

std::string fake(const std::string& path, const std::string& body = "{}") {
  return testing::fake_control(env("TREEPRINT_RESULTS_URL"), path == "/_fake/state" ? "GET" : "POST", path, body);
}

/// Kinds of every request the fake received ("CreateArtifact", "PutBlock", ...), with their status.
std::vector<std::string> fake_log() {
  const std::string state = fake("/_fake/state");
  simdjson::dom::parser parser;
  simdjson::dom::array log;
  std::vector<std::string> out;
  if (parser.parse(state)["log"].get_array().get(log)) return out;
  for (simdjson::dom::element e : log) {
    std::string_view kind = e["kind"].get_string().value();
    if (kind == "twirp") kind = e["method"].get_string().value();
    std::string status;
    int64_t n = 0;
    std::string_view s;
    if (!e["status"].get_int64().get(n)) status = std::to_string(n);
    if (!e["status"].get_string().get(s)) status = std::string(s);
    out.push_back(std::string(kind) + " " + status);
  }
  return out;
}

struct Client {
  std::vector<std::string> log;
  HttpClient http{options()};
  HttpClientOptions options() {
    HttpClientOptions o;
    o.sleep = [](milliseconds) {};
    o.getenv = [](const char*) -> std::optional<std::string> { return std::nullopt; };
    o.log = [this](const std::string& l) { log.push_back(l); };
    o.read_timeout = milliseconds(5'000);
    return o;
  }
};

ArtifactRuntime runtime(const std::string& token = k_token) {
  return {token, env("TREEPRINT_RESULTS_URL") + "/", "https://github.com", "octo/hello", "4242"};
}

/// Runs GitHub's client: finds `name`, downloads it into `dir` with its digest checked; returns its JSON report.
std::string official_download(const std::string& name, const std::string& dir) {
  setenv("ACTIONS_RUNTIME_TOKEN", k_token.c_str(), 1);
  setenv("ACTIONS_RESULTS_URL", (env("TREEPRINT_RESULTS_URL") + "/").c_str(), 1);
  const std::string cmd = "'" + env("TREEPRINT_NODE") + "' '" + env("TREEPRINT_ARTIFACT_CLIENT") + "' download '" +
                          name + "' '" + dir + "' 2>/dev/null";
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return "";
  std::string out;
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  const int rc = pclose(p);
  EXPECT_EQ(rc, 0) << cmd << "\n" << out;
  // The report is the last line; the client logs before it.
  const size_t brace = out.rfind("\n{");
  return brace == std::string::npos ? out : out.substr(brace + 1);
}

std::string manifest_text(size_t files) {
  std::mt19937 rng(11);
  std::string m = "{\"schema\":\"treeprint/manifest/v1\",\"files\":[";
  for (size_t i = 0; i < files; ++i) {
    char digest[65];
    for (int j = 0; j < 64; ++j) digest[j] = "0123456789abcdef"[rng() & 15];
    digest[64] = 0;
    m += std::string(i ? "," : "") + "{\"path\":\"dir/file-" + std::to_string(i) + ".txt\",\"sha256\":\"" + digest +
         "\"}";
  }
  return m + "]}\n";
}

class ArtifactE2E : public ::testing::Test {
 protected:
  void SetUp() override { fake("/_fake/reset"); }
};

// The decisive test: treeprint uploads; GitHub's own client lists, downloads and digest-checks it, and the files come
// back byte for byte.
TEST_F(ArtifactE2E, OfficialClientDownloadsWhatTreeprintUploaded) {
  TempDir dir;
  const std::string manifest = manifest_text(20'000);  // about 2 MB: several blocks of 256 KiB
  dir.write("manifest.json", manifest);
  dir.write("manifest.sha256", "abc  dir/file-0.txt\n");
  Client c;
  ArtifactUpload up{"treeprint-manifest",
                    {{dir / "manifest.json", "manifest.json"}, {dir / "manifest.sha256", "manifest.sha256"}}};
  up.block_size = 256 << 10;
  up.retention_days = 5;
  auto r = upload_artifact(c.http, up, runtime());
  ASSERT_TRUE(r) << r.error();
  EXPECT_GT(r->blocks, 1u);
  EXPECT_EQ(r->url, "https://github.com/octo/hello/actions/runs/4242/artifacts/" + std::to_string(r->id));

  const std::string report = official_download("treeprint-manifest", dir / "down");
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_FALSE(parser.parse(report).get(doc)) << report;
  EXPECT_EQ(doc["id"].get_int64().value(), r->id);
  EXPECT_EQ(std::string_view(doc["digest"].get_string().value()), r->digest);
  EXPECT_FALSE(doc["digestMismatch"].get_bool().value());
  EXPECT_EQ(testing::read_file(dir / "down/manifest.json"), manifest);
  EXPECT_EQ(testing::read_file(dir / "down/manifest.sha256"), "abc  dir/file-0.txt\n");

  const auto log = fake_log();
  ASSERT_FALSE(log.empty());
  EXPECT_EQ(log.front(), "CreateArtifact 200");
  for (const std::string& line : c.log) EXPECT_EQ(line.find(k_token), std::string::npos) << line;
}

TEST_F(ArtifactE2E, ResultsServiceErrorIsRetried) {
  fake("/_fake/fail", R"({"method":"CreateArtifact","status":500,"count":1})");
  fake("/_fake/fail", R"({"method":"FinalizeArtifact","status":503,"count":1})");
  TempDir dir;
  dir.write("m.json", "{}\n");
  Client c;
  auto r = upload_artifact(c.http, {"retried", {{dir / "m.json", "manifest.json"}}}, runtime());
  ASSERT_TRUE(r) << r.error();
  const auto log = fake_log();
  EXPECT_EQ(log.front(), "CreateArtifact 500");
  EXPECT_EQ(log[1], "CreateArtifact 200");
  EXPECT_EQ(std::count(log.begin(), log.end(), "FinalizeArtifact 503"), 1);
  EXPECT_EQ(log.back(), "FinalizeArtifact 200");
  EXPECT_EQ(testing::read_file(dir / "m.json"), "{}\n");
  const std::string report = official_download("retried", dir / "down");
  EXPECT_NE(report.find("\"digestMismatch\":false"), std::string::npos) << report;
}

TEST_F(ArtifactE2E, DroppedBlockUploadIsRetried) {
  fake("/_fake/fail", R"({"method":"PutBlock","drop":true,"count":1})");
  TempDir dir;
  const std::string manifest = manifest_text(5'000);
  dir.write("m.json", manifest);
  Client c;
  ArtifactUpload up{"dropped", {{dir / "m.json", "manifest.json"}}};
  up.block_size = 128 << 10;
  auto r = upload_artifact(c.http, up, runtime());
  ASSERT_TRUE(r) << r.error();
  const auto log = fake_log();
  EXPECT_EQ(log[1], "PutBlock dropped");
  EXPECT_EQ(log[2], "PutBlock 201");
  const std::string report = official_download("dropped", dir / "down");
  EXPECT_NE(report.find("\"digestMismatch\":false"), std::string::npos) << report;
  EXPECT_EQ(testing::read_file(dir / "down/manifest.json"), manifest);
}

TEST_F(ArtifactE2E, DuplicateNameNeedsOverwrite) {
  TempDir dir;
  dir.write("a.json", "first\n");
  dir.write("b.json", "second\n");
  Client c;
  auto r = upload_artifact(c.http, {"dup", {{dir / "a.json", "manifest.json"}}}, runtime());
  ASSERT_TRUE(r) << r.error();
  r = upload_artifact(c.http, {"dup", {{dir / "b.json", "manifest.json"}}}, runtime());
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("an artifact named dup already exists in this run: set overwrite: true or another "
                           "artifact-name"),
            std::string::npos)
      << r.error();
  ArtifactUpload again{"dup", {{dir / "b.json", "manifest.json"}}};
  again.overwrite = true;
  r = upload_artifact(c.http, again, runtime());
  ASSERT_TRUE(r) << r.error();
  official_download("dup", dir / "down");
  EXPECT_EQ(testing::read_file(dir / "down/manifest.json"), "second\n");
}

TEST_F(ArtifactE2E, RefusedBeforeAnyRequest) {
  TempDir dir;
  dir.write("m.json", "{}\n");
  Client c;
  auto r = upload_artifact(c.http, {"bad:name", {{dir / "m.json", "manifest.json"}}}, runtime());
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("cannot contain"), std::string::npos) << r.error();
  r = upload_artifact(c.http, {"good", {{dir / "m.json", "manifest.json"}}},
                      runtime(runtime_token("Actions.ExampleScope")));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("Actions.Results"), std::string::npos) << r.error();
  EXPECT_TRUE(fake_log().empty());
}

}  // namespace
}  // namespace treeprint
