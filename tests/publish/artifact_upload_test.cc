// Artifact upload: the token's scope, the Twirp bodies, block ids, and whole uploads against an in-process server that
// plays the Results service and the blob store (the streamed zip read back with minizip and Python's zipfile, bounded
// blocks, no Authorization header to the blob host, nothing secret in the log).

#include "publish/artifact_upload.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <mutex>
#include <random>

#include "manifest/path_encoding.h"
#include "publish/local_server.h"
#include "publish/runtime_token.h"
#include "publish/zip_reader.h"
#include "test_support.h"
#include "util/format.h"
#include "util/sha256.h"

namespace treeprint {
namespace {

using testing::ServerThread;
using testing::TempDir;

using testing::runtime_token;

const std::string k_token = runtime_token("Actions.ExampleScope Actions.Results:run-id-1:job-id-2");

TEST(ArtifactUploadTest, BackendIdsFromTheScpClaim) {
  auto ids = backend_ids_from_token(k_token);
  ASSERT_TRUE(ids) << ids.error();
  EXPECT_EQ(ids->workflow_run, "run-id-1");
  EXPECT_EQ(ids->workflow_job_run, "job-id-2");
  // Integers as ids work too (act uses them).
  ids = backend_ids_from_token(runtime_token("Actions.Results:17:42"));
  ASSERT_TRUE(ids);
  EXPECT_EQ(ids->workflow_run, "17");

  for (const std::string& bad :
       {runtime_token("Actions.ExampleScope"), runtime_token("Actions.Results:only-one"),
        runtime_token("Actions.Results:a:b:c"), runtime_token("Actions.Results::b"), runtime_token("")}) {
    auto r = backend_ids_from_token(bad);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().find("Actions.Results"), std::string::npos) << r.error();
  }
  EXPECT_FALSE(backend_ids_from_token("not-a-jwt"));
  EXPECT_FALSE(backend_ids_from_token("a.!!!.c"));
}

TEST(ArtifactUploadTest, RuntimeFromEnvironmentNeedsTokenAndResultsUrl) {
  EXPECT_FALSE(artifact_runtime_from_env(environment_from({{"ACTIONS_RUNTIME_TOKEN", "t"}})));
  EXPECT_FALSE(artifact_runtime_from_env(environment_from({{"ACTIONS_RESULTS_URL", "http://x/"}})));
  EXPECT_FALSE(artifact_runtime_from_env(
      environment_from({{"ACTIONS_RUNTIME_TOKEN", " "}, {"ACTIONS_RESULTS_URL", "http://x/"}})));
  auto r = artifact_runtime_from_env(environment_from({{"ACTIONS_RUNTIME_TOKEN", "t"},
                                                       {"ACTIONS_RESULTS_URL", "http://x/"},
                                                       {"GITHUB_SERVER_URL", "https://github.com"},
                                                       {"GITHUB_REPOSITORY", "o/r"},
                                                       {"GITHUB_RUN_ID", "9"}}));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->runtime_token, "t");
  EXPECT_EQ(r->results_url, "http://x/");
  EXPECT_EQ(r->repository, "o/r");
  EXPECT_EQ(r->run_id, "9");
}

TEST(ArtifactUploadTest, TwirpBodiesUseProtoNamesAndStringInt64) {
  const BackendIds ids{"r1", "j1"};
  EXPECT_EQ(create_artifact_body(ids, "m", ""),
            R"({"workflow_run_backend_id":"r1","workflow_job_run_backend_id":"j1","name":"m","version":4})");
  EXPECT_EQ(create_artifact_body(ids, "m", "2026-01-02T03:04:05Z"),
            R"({"workflow_run_backend_id":"r1","workflow_job_run_backend_id":"j1","name":"m",)"
            R"("expires_at":"2026-01-02T03:04:05Z","version":4})");
  EXPECT_EQ(finalize_artifact_body(ids, "m", 12345678901, "sha256:ab"),
            R"({"workflow_run_backend_id":"r1","workflow_job_run_backend_id":"j1","name":"m","size":"12345678901",)"
            R"("hash":"sha256:ab"})");
  EXPECT_EQ(list_artifacts_body(ids, "m"),
            R"({"workflow_run_backend_id":"r1","workflow_job_run_backend_id":"j1","name_filter":"m"})");
  EXPECT_EQ(delete_artifact_body(ids, "a \"q\""),
            R"({"workflow_run_backend_id":"r1","workflow_job_run_backend_id":"j1","name":"a \"q\""})");
  EXPECT_EQ(expires_at(1'700'000'000, 5), "2023-11-19T22:13:20Z");
}

TEST(ArtifactUploadTest, BlockIdsAreBase64OfEqualLength) {
  const std::string first = block_id(0);
  EXPECT_EQ(first.size(), 32u);
  EXPECT_EQ(first, base64_encode("treeprint-block-00000000"));
  EXPECT_NE(block_id(1), first);
  EXPECT_EQ(block_id(49'999).size(), first.size());
  EXPECT_EQ(block_list_xml(2), "<?xml version=\"1.0\" encoding=\"utf-8\"?><BlockList><Latest>" + block_id(0) +
                                   "</Latest><Latest>" + block_id(1) + "</Latest></BlockList>");
}

TEST(ArtifactUploadTest, RefusesBadNames) {
  ArtifactUpload u{"ok-name", {{"/x", "manifest.json"}}};
  EXPECT_EQ(artifact_upload_problem(u), "");
  for (const char* bad : {"a/b", "a:b", "a\nb", "a*", "a\\b", ""}) {
    u.name = bad;
    EXPECT_NE(artifact_upload_problem(u), "") << bad;
  }
  u.name = "ok";
  for (const char* bad : {"../x", "/abs", "a|b", "a\\b"}) {
    u.files = {{"/x", bad}};
    EXPECT_NE(artifact_upload_problem(u), "") << bad;
  }
}

/// The Results service and the blob store in one in-process server: records every request.
struct FakeService {
  struct Seen {
    std::string method, path, query, body;
    bool authorization = false;
  };
  std::mutex mu;
  std::vector<Seen> seen;
  std::map<std::string, std::string> blocks;  // block id -> bytes
  std::string committed;
  std::string finalize_body;
  size_t largest_block = 0;
  int create_status = 200;
  bool listed = false;
  ServerThread server;

  FakeService() {
    server->Post(R"(/twirp/github\.actions\.results\.api\.v1\.ArtifactService/(\w+))",
                 [this](const httplib::Request& req, httplib::Response& res) {
                   std::lock_guard lock(mu);
                   const std::string method = req.matches[1];
                   seen.push_back({"POST", method, "", req.body, req.has_header("Authorization")});
                   if (req.get_header_value("Authorization") != "Bearer " + k_token) {
                     res.status = 401;
                     return;
                   }
                   if (method == "CreateArtifact") {
                     res.status = create_status;
                     if (res.status == 409) {
                       res.set_content(R"({"code":"already_exists","msg":"exists"})", "application/json");
                     } else {
                       res.set_content(
                           R"({"ok":true,"signed_upload_url":")" + server.url("/blob/a.zip?sig=SECRET") + R"("})",
                           "application/json");
                     }
                   } else if (method == "FinalizeArtifact") {
                     finalize_body = req.body;
                     res.set_content(R"({"ok":true,"artifact_id":"77"})", "application/json");
                   } else if (method == "ListArtifacts") {
                     res.set_content(listed ? R"({"artifacts":[{"workflow_run_backend_id":"run-id-1",)"
                                              R"("workflow_job_run_backend_id":"other-job","database_id":"5",)"
                                              R"("name":"manifest","size":"1"}]})"
                                            : R"({"artifacts":[]})",
                                     "application/json");
                   } else if (method == "DeleteArtifact") {
                     res.set_content(R"({"ok":true,"artifact_id":"5"})", "application/json");
                   }
                 });
    server->Put("/blob/a.zip", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mu);
      seen.push_back({"PUT", "/blob/a.zip", req.get_param_value("comp"), "", req.has_header("Authorization")});
      if (req.get_param_value("sig") != "SECRET") {
        res.status = 403;
        return;
      }
      if (req.get_param_value("comp") == "block") {
        blocks[req.get_param_value("blockid")] = req.body;
        largest_block = std::max(largest_block, req.body.size());
      } else if (req.get_param_value("comp") == "blocklist") {
        // Reassemble in the listed order.
        committed.clear();
        for (size_t at = req.body.find("<Latest>"); at != std::string::npos; at = req.body.find("<Latest>", at + 1)) {
          const size_t end = req.body.find("</Latest>", at);
          committed += blocks.at(req.body.substr(at + 8, end - at - 8));
        }
      }
      res.status = 201;
    });
  }

  ArtifactRuntime runtime() const {
    return {k_token, server.url("/some/path"), "https://github.com", "octo/hello", "123"};
  }
  std::vector<std::string> calls() {
    std::lock_guard lock(mu);
    std::vector<std::string> out;
    for (const Seen& s : seen) out.push_back(s.method + " " + s.path + (s.query.empty() ? "" : "?" + s.query));
    return out;
  }
};

HttpClientOptions quiet(std::vector<std::string>* log) {
  HttpClientOptions o;
  o.sleep = [](std::chrono::milliseconds) {};
  o.getenv = [](const char*) -> std::optional<std::string> { return std::nullopt; };
  o.log = [log](const std::string& l) { log->push_back(l); };
  return o;
}

std::string random_bytes(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng() & 0xFF);
  return s;
}

TEST(ArtifactUploadTest, StreamsTheZipInBoundedBlocks) {
  FakeService fake;
  TempDir dir;
  const std::string manifest = "{\"files\":[]}\n" + std::string(100'000, 'x');
  const std::string big = random_bytes(3u << 20, 7);  // incompressible: the zip is bigger than 3 MiB
  dir.write("manifest.json", manifest);
  dir.write("big.bin", big);
  std::vector<std::string> log;
  HttpClient http(quiet(&log));
  ArtifactUpload up{"manifest", {{dir / "manifest.json", "manifest.json"}, {dir / "big.bin", "sub/big.bin"}}};
  up.block_size = 64 << 10;
  up.retention_days = 3;
  auto r = upload_artifact(http, up, fake.runtime(), [] { return int64_t{1'700'000'000}; });
  ASSERT_TRUE(r) << r.error();

  EXPECT_EQ(r->id, 77);
  EXPECT_EQ(r->url, "https://github.com/octo/hello/actions/runs/123/artifacts/77");
  EXPECT_GT(r->blocks, 48u);  // > 3 MiB in 64 KiB blocks
  EXPECT_LE(fake.largest_block, size_t{64} << 10);
  EXPECT_EQ(fake.blocks.size(), r->blocks);
  ASSERT_EQ(fake.committed.size(), r->size);
  EXPECT_EQ(r->digest, "sha256:" + to_hex(Sha256::of(fake.committed)));
  EXPECT_EQ(fake.finalize_body, finalize_artifact_body({"run-id-1", "job-id-2"}, "manifest", r->size, r->digest));
  const auto calls = fake.calls();
  ASSERT_GE(calls.size(), 4u);
  EXPECT_EQ(calls.front(), "POST CreateArtifact");
  EXPECT_EQ(fake.seen.front().body, create_artifact_body({"run-id-1", "job-id-2"}, "manifest", "2023-11-17T22:13:20Z"));
  EXPECT_EQ(calls[calls.size() - 2], "PUT /blob/a.zip?blocklist");
  EXPECT_EQ(calls.back(), "POST FinalizeArtifact");
  for (const auto& s : fake.seen) EXPECT_EQ(s.authorization, s.method == "POST") << s.method << " " << s.path;

  // minizip reads it back, and so does Python's zipfile (its CRC check included).
  auto m = read_zip_entry(fake.committed, "manifest.json");
  ASSERT_TRUE(m) << m.error();
  EXPECT_EQ(*m, manifest);
  ZipLimits limits;
  auto b = read_zip_entry(fake.committed, "sub/big.bin", limits);
  ASSERT_TRUE(b) << b.error();
  EXPECT_EQ(*b, big);
  dir.write("out.zip", fake.committed);
  const std::string cmd = "python3 -m zipfile -t '" + (dir / "out.zip") + "' >/dev/null 2>&1";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;

  for (const std::string& line : log) EXPECT_EQ(line.find(k_token), std::string::npos) << line;
}

// The disk fails while a file is read into the zip: the upload fails with the file's path and the cause, and
// nothing is finalized.
TEST(ArtifactUploadTest, AReadErrorNamesTheFileAndFinalizesNothing) {
  FakeService fake;
  TempDir dir;
  dir.write("m.json", "{\"files\":[]}");
  std::vector<std::string> log;
  HttpClient http(quiet(&log));
  testing::FaultFileSystem fs;
  int reads = 0;
  fs.on_read = [&](int, void*, size_t) -> std::optional<long> {
    ++reads;
    return -EIO;
  };
  ArtifactUpload up{"manifest", {{dir / "m.json", "m.json"}}};
  up.fs = &fs;
  auto r = upload_artifact(http, up, fake.runtime());
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("adding '" + (dir / "m.json") + "' to the zip: Input/output error"), std::string::npos)
      << r.error();
  EXPECT_EQ(reads, 1);
  for (const std::string& call : fake.calls()) EXPECT_NE(call, "POST FinalizeArtifact");
}

TEST(ArtifactUploadTest, RefusedBeforeAnyRequest) {
  FakeService fake;
  TempDir dir;
  dir.write("m.json", "{}");
  std::vector<std::string> log;
  HttpClient http(quiet(&log));
  ArtifactUpload up{"bad/name", {{dir / "m.json", "m.json"}}};
  auto r = upload_artifact(http, up, fake.runtime());
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("cannot contain"), std::string::npos) << r.error();

  up.name = "good";
  ArtifactRuntime rt = fake.runtime();
  rt.runtime_token = runtime_token("Actions.ExampleScope");
  r = upload_artifact(http, up, rt);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("Actions.Results"), std::string::npos) << r.error();
  EXPECT_TRUE(fake.calls().empty());
}

TEST(ArtifactUploadTest, DuplicateNameIsAClearErrorAndOverwriteDeletesFirst) {
  FakeService fake;
  TempDir dir;
  dir.write("m.json", "{}");
  std::vector<std::string> log;
  HttpClient http(quiet(&log));
  ArtifactUpload up{"manifest", {{dir / "m.json", "m.json"}}};
  fake.create_status = 409;
  auto r = upload_artifact(http, up, fake.runtime());
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("an artifact named manifest already exists in this run: set overwrite: true"),
            std::string::npos)
      << r.error();
  EXPECT_EQ(fake.calls(), std::vector<std::string>{"POST CreateArtifact"});  // a 409 is not retried

  fake.create_status = 200;
  fake.listed = true;
  fake.seen.clear();
  up.overwrite = true;
  r = upload_artifact(http, up, fake.runtime());
  ASSERT_TRUE(r) << r.error();
  const auto calls = fake.calls();
  ASSERT_GE(calls.size(), 3u);
  EXPECT_EQ(calls[0], "POST ListArtifacts");
  EXPECT_EQ(calls[1], "POST DeleteArtifact");
  EXPECT_EQ(calls[2], "POST CreateArtifact");
  // Deleted with the ids the listing gave for the artifact, as upload-artifact does.
  EXPECT_NE(fake.seen[1].body.find("\"other-job\""), std::string::npos) << fake.seen[1].body;
}

}  // namespace
}  // namespace treeprint
