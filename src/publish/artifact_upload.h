#pragma once
// Uploads files as a workflow artifact by itself, with the artifact v4 protocol that GitHub's own client uses:
//
//   1. the workflow run and job backend ids come from the runtime token's `scp` claim
//      (Actions.Results:<run>:<job>); a token without that scope is refused before any request;
//   2. with `overwrite`, ListArtifacts by name and DeleteArtifact what it finds;
//   3. CreateArtifact (Twirp JSON over POST to ACTIONS_RESULTS_URL, Bearer runtime token) gives a signed blob URL;
//   4. the zip is built while it is sent: files are deflated with zlib into a stream (data descriptors, so nothing is
//      ever rewritten), cut into blocks of `block_size` bytes, each sent as an Azure Put Block to the signed URL (no
//      Authorization header: the SAS is in the URL) and hashed on the way; Put Block List commits them. Memory stays
//      at about two blocks, whatever the size of the files;
//   5. FinalizeArtifact with the exact size and sha256:<hex of the uploaded bytes>.
//
// Retries are the HttpClient's: 429, 5xx and dropped connections. Put Block, Put Block List and ListArtifacts are
// safe to send twice and are marked so; the other Twirp calls are retried only when an answer
// came back. Nothing throws; every failure is an error value naming the step. The runtime token is registered with
// the HttpClient as a secret, so it never reaches a log line or a message.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/env.h"
#include "publish/http_client.h"
#include "util/fs.h"
#include "util/result.h"

namespace treeprint {

struct ArtifactFile {
  std::string path;         // on disk
  std::string name_in_zip;  // relative, '/'-separated
};

struct ArtifactUpload {
  std::string name;
  std::vector<ArtifactFile> files;
  unsigned retention_days = 0;  // 0: the repository's default
  bool overwrite = false;
  /// Bytes per Put Block (the official client uses 8 MiB). At most 50,000 blocks are allowed.
  size_t block_size = 8u << 20;
  int compression_level = 6;  // zlib's, as the official client
  /// Where the files are read (null: the real filesystem).
  FileSystem* fs = nullptr;
};

/// What the runner gives a job for artifacts.
struct ArtifactRuntime {
  std::string runtime_token;      // ACTIONS_RUNTIME_TOKEN, a secret
  std::string results_url;        // ACTIONS_RESULTS_URL; only its origin is used
  std::string github_server_url;  // GITHUB_SERVER_URL
  std::string repository;         // GITHUB_REPOSITORY, owner/repo
  std::string run_id;             // GITHUB_RUN_ID
};

struct UploadedArtifact {
  int64_t id = 0;
  /// <GITHUB_SERVER_URL>/<repo>/actions/runs/<run_id>/artifacts/<id>, when those three are known.
  std::optional<std::string> url;
  uint64_t size = 0;   // bytes of the zip
  std::string digest;  // "sha256:<hex of the zip>"
  uint64_t blocks = 0;
};

struct BackendIds {
  std::string workflow_run;
  std::string workflow_job_run;
};

/// The runtime settings, present only when ACTIONS_RUNTIME_TOKEN and ACTIONS_RESULTS_URL are both set (not blank).
std::optional<ArtifactRuntime> artifact_runtime_from_env(const EnvLookup& env);

/// The backend ids from the runtime token's `scp` claim; the JWT's signature is not checked (the service does that).
Result<BackendIds> backend_ids_from_token(std::string_view token);

/// Twirp request bodies, protobuf JSON with the proto field names; int64 values are strings.
std::string create_artifact_body(const BackendIds& ids, std::string_view name, std::string_view expires_at);
std::string finalize_artifact_body(const BackendIds& ids, std::string_view name, uint64_t size,
                                   std::string_view digest);
std::string list_artifacts_body(const BackendIds& ids, std::string_view name_filter);
std::string delete_artifact_body(const BackendIds& ids, std::string_view name);

/// RFC 3339 UTC time `days` after `now` (seconds since the epoch): "2026-01-02T03:04:05Z".
std::string expires_at(int64_t now, unsigned days);

/// The base64 block id of block `index`: every id of a blob has the same length, as Azure requires.
std::string block_id(uint64_t index);
/// The Put Block List body for blocks 0 .. count-1.
std::string block_list_xml(uint64_t count);

/// Refuses a name the artifact service would refuse, and an unsafe or forbidden name inside the zip: "" when fine.
std::string artifact_upload_problem(const ArtifactUpload& upload);

/// Uploads `upload` as described above. `now` gives seconds since the epoch (for expires_at); unset: the clock.
Result<UploadedArtifact> upload_artifact(HttpClient& http, const ArtifactUpload& upload, const ArtifactRuntime& runtime,
                                         const std::function<int64_t()>& now = {});

}  // namespace treeprint
