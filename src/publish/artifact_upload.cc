// Artifact upload, protocol v4: Twirp calls to the Results service, and a zip streamed to Azure block blob storage
// as it is deflated. See artifact_upload.h.

#include "publish/artifact_upload.h"

#include <fcntl.h>
#include <simdjson.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cctype>
#include <ctime>
#include <memory>

#include "manifest/path_encoding.h"
#include "util/artifact_name.h"
#include "publish/zip_reader.h"
#include "util/format.h"
#include "util/json.h"
#include "util/sha256.h"

namespace treeprint {
namespace {

constexpr const char* k_service = "/twirp/github.actions.results.api.v1.ArtifactService/";
constexpr const char* k_blob_api_version = "2021-08-06";
constexpr uint64_t k_max_blocks = 50'000;
constexpr uint64_t k_zip32_max = 0xFFFFFFFFull;

// A Twirp request body: an object that starts with the backend ids.
JsonWriter ids_object(const BackendIds& ids) {
  JsonWriter out;
  out.begin_object();
  out.field("workflow_run_backend_id", ids.workflow_run);
  out.field("workflow_job_run_backend_id", ids.workflow_job_run);
  return out;
}

/// A string or integer member (int64 values come as strings, some servers send numbers): "" when absent.
std::string member_text(simdjson::dom::element doc, std::initializer_list<const char*> keys) {
  for (const char* key : keys) {
    simdjson::dom::element e;
    if (doc[key].get(e)) continue;
    std::string_view s;
    if (!e.get_string().get(s)) return std::string(s);
    int64_t i = 0;
    if (!e.get_int64().get(i)) return std::to_string(i);
  }
  return "";
}

// `bytes` little-endian bytes of `v`; past the eighth, zeros (a shift by 64 or more is undefined).
void put_le(std::string& out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(i < 8 ? static_cast<char>((v >> (8 * i)) & 0xFF) : '\0');
}

/// DOS date and time of `t` (UTC), as zip headers hold them.
std::pair<uint16_t, uint16_t> dos_time(time_t t) {
  tm u{};
  gmtime_r(&t, &u);
  if (u.tm_year < 80) return {0, (1 << 5) | 1};  // 1980-01-01
  const auto time = static_cast<uint16_t>((u.tm_hour << 11) | (u.tm_min << 5) | (u.tm_sec / 2));
  const auto date = static_cast<uint16_t>(((u.tm_year - 80) << 9) | ((u.tm_mon + 1) << 5) | u.tm_mday);
  return {time, date};
}

/// Receives the zip stream, sends it as Azure blocks of `block_size` bytes and hashes it.
class BlockWriter {
 public:
  BlockWriter(HttpClient& http, std::string url, size_t block_size)
      : m_http(http), m_url(std::move(url)), m_block_size(block_size) {
    m_buffer.reserve(block_size);
  }

  Status write(const void* data, size_t n) {
    const char* p = static_cast<const char*>(data);
    m_sha.update(p, n);
    m_total += n;
    while (n > 0) {
      const size_t take = std::min(n, m_block_size - m_buffer.size());
      m_buffer.append(p, take);
      p += take;
      n -= take;
      if (m_buffer.size() == m_block_size) {
        if (Status s = flush(); !s) return s;
      }
    }
    return ok_status();
  }

  /// Sends the last block and commits the list.
  Status finish() {
    if (!m_buffer.empty() || m_blocks == 0) {
      if (Status s = flush(); !s) return s;
    }
    HttpRequest r;
    r.method = "PUT";
    r.url = m_url + (m_url.find('?') == std::string::npos ? "?" : "&") + "comp=blocklist";
    r.headers = {{"x-ms-version", k_blob_api_version},
                 {"Content-Type", "application/xml"},
                 {"x-ms-blob-content-type", "application/zip"}};
    r.body = block_list_xml(m_blocks);
    r.idempotent = true;
    auto res = m_http.send(r);
    if (!res) return Status::failure("committing the uploaded blocks: " + res.error());
    if (res->status / 100 != 2) {
      return Status::failure("committing the uploaded blocks: HTTP " + std::to_string(res->status) + " " +
                             printable(truncate(res->body)));
    }
    return ok_status();
  }

  uint64_t total() const { return m_total; }
  uint64_t blocks() const { return m_blocks; }
  std::string hex_digest() { return to_hex(m_sha.finish()); }

 private:
  static std::string truncate(const std::string& s) { return s.size() > 300 ? s.substr(0, 300) + "..." : s; }

  Status flush() {
    if (m_blocks == k_max_blocks) {
      return Status::failure("the zip needs more than " + std::to_string(k_max_blocks) +
                             " blocks; use a larger block size");
    }
    HttpRequest r;
    r.method = "PUT";
    r.url = m_url + (m_url.find('?') == std::string::npos ? "?" : "&") +
            "comp=block&blockid=" + url_encode(block_id(m_blocks));
    r.headers = {{"x-ms-version", k_blob_api_version}, {"Content-Type", "application/octet-stream"}};
    r.body = std::move(m_buffer);
    r.idempotent = true;  // the same block id with the same bytes: sending it twice changes nothing
    auto res = m_http.send(r);
    m_buffer = std::string();
    m_buffer.reserve(m_block_size);
    const std::string what = "uploading block " + std::to_string(m_blocks + 1);
    if (!res) return Status::failure(what + ": " + res.error());
    if (res->status / 100 != 2) {
      return Status::failure(what + ": HTTP " + std::to_string(res->status) + " " + printable(truncate(res->body)));
    }
    ++m_blocks;
    return ok_status();
  }

  HttpClient& m_http;
  std::string m_url;
  size_t m_block_size;
  std::string m_buffer;
  Sha256 m_sha;
  uint64_t m_total = 0;
  uint64_t m_blocks = 0;
};

struct CentralEntry {
  std::string name;
  uint32_t crc = 0;
  uint64_t compressed = 0;
  uint64_t size = 0;
  uint64_t offset = 0;
  uint16_t time = 0;
  uint16_t date = 0;
};

/// Writes one deflated entry (local header, data, data descriptor) from the file at `path`.
Status write_entry(BlockWriter& out, FileSystem& fs, const ArtifactFile& file, int level, CentralEntry& entry) {
  const std::string what = "adding '" + printable(file.path) + "' to the zip";
  const int fd = fs.open_file(AT_FDCWD, file.path.c_str(), true);
  if (fd < 0) return Status::failure(what + ": " + errno_text(-fd));
  struct Closer {
    FileSystem& fs;
    int fd;
    ~Closer() { fs.close(fd); }
  } closer{fs, fd};
  struct stat st {};
  if (fs.fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return Status::failure(what + ": not a regular file");
  entry.name = file.name_in_zip;
  entry.offset = out.total();
  std::tie(entry.time, entry.date) = dos_time(st.st_mtime);
  if (entry.offset > k_zip32_max) return Status::failure(what + ": the zip would pass 4 GiB (zip64 is not written)");

  std::string header;
  put_le(header, 0x04034b50, 4);
  put_le(header, 20, 2);      // version needed: 2.0 (deflate)
  put_le(header, 0x0808, 2);  // bit 3: sizes in the data descriptor; bit 11: the name is UTF-8
  put_le(header, 8, 2);       // deflate
  put_le(header, entry.time, 2);
  put_le(header, entry.date, 2);
  put_le(header, 0, 12);  // crc and sizes: in the data descriptor
  put_le(header, entry.name.size(), 2);
  put_le(header, 0, 2);
  header += entry.name;
  if (Status s = out.write(header.data(), header.size()); !s) return s;

  z_stream z{};
  if (deflateInit2(&z, level, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return Status::failure(what + ": zlib cannot start");
  }
  const std::unique_ptr<z_stream, int (*)(z_stream*)> zguard(&z, deflateEnd);
  std::vector<unsigned char> in(256 << 10);
  std::vector<unsigned char> deflated(256 << 10);
  uLong crc = crc32(0, nullptr, 0);
  for (bool eof = false; !eof;) {
    const long n = fs.read(fd, in.data(), in.size());
    if (n < 0) return Status::failure(what + ": " + errno_text(static_cast<int>(-n)));
    eof = n == 0;
    crc = crc32(crc, in.data(), static_cast<uInt>(n));
    entry.size += static_cast<uint64_t>(n);
    z.next_in = in.data();
    z.avail_in = static_cast<uInt>(n);
    int rc = Z_OK;
    do {
      z.next_out = deflated.data();
      z.avail_out = static_cast<uInt>(deflated.size());
      rc = deflate(&z, eof ? Z_FINISH : Z_NO_FLUSH);
      if (rc == Z_STREAM_ERROR) return Status::failure(what + ": zlib failed");
      const size_t have = deflated.size() - z.avail_out;
      entry.compressed += have;
      if (Status s = out.write(deflated.data(), have); !s) return s;
    } while (z.avail_out == 0 || (eof && rc != Z_STREAM_END));
  }
  entry.crc = static_cast<uint32_t>(crc);
  if (entry.size > k_zip32_max || entry.compressed > k_zip32_max) {
    return Status::failure(what + ": larger than 4 GiB (zip64 is not written)");
  }
  std::string descriptor;
  put_le(descriptor, 0x08074b50, 4);
  put_le(descriptor, entry.crc, 4);
  put_le(descriptor, entry.compressed, 4);
  put_le(descriptor, entry.size, 4);
  return out.write(descriptor.data(), descriptor.size());
}

Status write_central_directory(BlockWriter& out, const std::vector<CentralEntry>& entries) {
  const uint64_t start = out.total();
  std::string cd;
  for (const CentralEntry& e : entries) {
    put_le(cd, 0x02014b50, 4);
    put_le(cd, (3 << 8) | 20, 2);  // made by: Unix, 2.0
    put_le(cd, 20, 2);
    put_le(cd, 0x0808, 2);
    put_le(cd, 8, 2);
    put_le(cd, e.time, 2);
    put_le(cd, e.date, 2);
    put_le(cd, e.crc, 4);
    put_le(cd, e.compressed, 4);
    put_le(cd, e.size, 4);
    put_le(cd, e.name.size(), 2);
    put_le(cd, 0, 2);  // extra
    put_le(cd, 0, 2);  // comment
    put_le(cd, 0, 2);  // disk
    put_le(cd, 0, 2);  // internal attributes
    put_le(cd, static_cast<uint64_t>(0100644) << 16, 4);
    put_le(cd, e.offset, 4);
    cd += e.name;
  }
  if (start + cd.size() > k_zip32_max || entries.size() > 0xFFFF) {
    return Status::failure("the zip would pass 4 GiB or 65535 files (zip64 is not written)");
  }
  put_le(cd, 0x06054b50, 4);
  put_le(cd, 0, 4);  // disk numbers
  put_le(cd, entries.size(), 2);
  put_le(cd, entries.size(), 2);
  put_le(cd, cd.size() - 12, 4);  // the directory, without the 12 bytes of this record written so far
  put_le(cd, start, 4);
  put_le(cd, 0, 2);
  return out.write(cd.data(), cd.size());
}

class Twirp {
 public:
  Twirp(HttpClient& http, const std::string& results_url, const std::string& token) : m_http(http), m_token(token) {
    auto u = parse_url(results_url);
    m_origin = u ? u->origin() : results_url;
  }

  Result<HttpResponse> call(const std::string& method, std::string body, bool idempotent) {
    HttpRequest r;
    r.method = "POST";
    r.url = m_origin + k_service + method;
    r.headers = {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + m_token}};
    r.body = std::move(body);
    r.idempotent = idempotent;
    auto res = m_http.send(r);
    if (!res) return Result<HttpResponse>::failure(m_http.redact(method + ": " + res.error()));
    if (res->status / 100 != 2) {
      std::string msg = method + ": HTTP " + std::to_string(res->status);
      simdjson::dom::parser parser;
      simdjson::dom::element doc;
      std::string detail;
      if (!parser.parse(res->body).get(doc) && doc.is_object()) detail = member_text(doc, {"msg", "message"});
      if (detail.empty()) detail = res->body.substr(0, 300);
      if (!detail.empty()) msg += ": " + printable(detail);
      Result<HttpResponse> failed = Result<HttpResponse>::failure(m_http.redact(msg));
      m_last_status = res->status;
      return failed;
    }
    m_last_status = res->status;
    return res;
  }

  int last_status() const { return m_last_status; }

 private:
  HttpClient& m_http;
  std::string m_origin;
  std::string m_token;
  int m_last_status = 0;
};

}  // namespace

std::optional<ArtifactRuntime> artifact_runtime_from_env(const EnvLookup& env) {
  const auto get = [&](const char* name) {
    std::string v = env(name).value_or("");
    const auto blank = v.find_first_not_of(" \t\r\n");
    return blank == std::string::npos ? std::string() : v;
  };
  ArtifactRuntime r;
  r.runtime_token = get("ACTIONS_RUNTIME_TOKEN");
  r.results_url = get("ACTIONS_RESULTS_URL");
  if (r.runtime_token.empty() || r.results_url.empty()) return std::nullopt;
  r.github_server_url = get("GITHUB_SERVER_URL");
  r.repository = get("GITHUB_REPOSITORY");
  r.run_id = get("GITHUB_RUN_ID");
  return r;
}

Result<BackendIds> backend_ids_from_token(std::string_view token) {
  using R = Result<BackendIds>;
  const std::string invalid =
      "the runtime token (ACTIONS_RUNTIME_TOKEN) has no Actions.Results:<run>:<job> scope in its scp claim";
  const size_t dot1 = token.find('.');
  const size_t dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos) return R::failure("the runtime token (ACTIONS_RUNTIME_TOKEN) is not a JWT");
  const auto payload = base64url_decode(token.substr(dot1 + 1, dot2 - dot1 - 1));
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  std::string_view scp;
  if (!payload || parser.parse(*payload).get(doc) || !doc.is_object()) {
    return R::failure("the runtime token (ACTIONS_RUNTIME_TOKEN) is not a JWT: its payload is not JSON");
  }
  if (doc["scp"].get_string().get(scp)) return R::failure(invalid);
  while (!scp.empty()) {
    const size_t space = scp.find(' ');
    const std::string_view scope = scp.substr(0, space);
    scp = space == std::string_view::npos ? std::string_view() : scp.substr(space + 1);
    const size_t c1 = scope.find(':');
    if (scope.substr(0, c1) != "Actions.Results") continue;
    const size_t c2 = c1 == std::string_view::npos ? c1 : scope.find(':', c1 + 1);
    if (c2 == std::string_view::npos || scope.find(':', c2 + 1) != std::string_view::npos) return R::failure(invalid);
    BackendIds ids{std::string(scope.substr(c1 + 1, c2 - c1 - 1)), std::string(scope.substr(c2 + 1))};
    if (ids.workflow_run.empty() || ids.workflow_job_run.empty()) return R::failure(invalid);
    return ids;
  }
  return R::failure(invalid);
}

std::string create_artifact_body(const BackendIds& ids, std::string_view name, std::string_view expires) {
  JsonWriter out = ids_object(ids);
  out.field("name", name);
  if (!expires.empty()) out.field("expires_at", expires);
  return out.field("version", 4).end_object().take();
}

std::string finalize_artifact_body(const BackendIds& ids, std::string_view name, uint64_t size,
                                   std::string_view digest) {
  JsonWriter out = ids_object(ids);
  out.field("name", name);
  out.field("size", std::to_string(size));  // Twirp's JSON carries an int64 as a string
  out.field("hash", digest);
  return out.end_object().take();
}

std::string list_artifacts_body(const BackendIds& ids, std::string_view name_filter) {
  JsonWriter out = ids_object(ids);
  out.field("name_filter", name_filter);
  return out.end_object().take();
}

std::string delete_artifact_body(const BackendIds& ids, std::string_view name) {
  JsonWriter out = ids_object(ids);
  out.field("name", name);
  return out.end_object().take();
}

std::string expires_at(int64_t now, unsigned days) {
  const auto t = static_cast<time_t>(now + static_cast<int64_t>(days) * 86'400);
  tm u{};
  gmtime_r(&t, &u);
  char buf[32];
  strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &u);
  return buf;
}

std::string block_id(uint64_t index) {
  char buf[48];
  snprintf(buf, sizeof buf, "treeprint-block-%08llu", static_cast<unsigned long long>(index % 100'000'000));
  return base64_encode(buf);  // 24 bytes: 32 characters, no padding, the same length for every block
}

std::string block_list_xml(uint64_t count) {
  std::string out = "<?xml version=\"1.0\" encoding=\"utf-8\"?><BlockList>";
  for (uint64_t i = 0; i < count; ++i) out.append("<Latest>").append(block_id(i)).append("</Latest>");
  out.append("</BlockList>");
  return out;
}

std::string artifact_upload_problem(const ArtifactUpload& upload) {
  if (upload.name.empty()) return "the artifact name is empty";
  if (const std::string bad = forbidden_artifact_name_chars(upload.name); !bad.empty()) {
    return "the artifact name '" + printable(upload.name) + "' contains " + printable(bad) +
           "; an artifact name cannot contain any of \" : < > | * ? \\ / or a line break";
  }
  if (upload.files.empty()) return "no files to upload";
  for (const ArtifactFile& f : upload.files) {
    if (!is_safe_zip_name(f.name_in_zip) || f.name_in_zip.find_first_of("\":<>|*?\r\n") != std::string::npos) {
      return "'" + printable(f.name_in_zip) + "' cannot be a file name in an artifact";
    }
  }
  if (upload.block_size == 0) return "the block size is 0";
  return "";
}

Result<UploadedArtifact> upload_artifact(HttpClient& http, const ArtifactUpload& upload, const ArtifactRuntime& runtime,
                                         const std::function<int64_t()>& now) {
  using R = Result<UploadedArtifact>;
  http.add_secret(runtime.runtime_token);
  const std::string what = "uploading artifact '" + printable(upload.name) + "'";
  const auto fail = [&](const std::string& msg) { return R::failure(http.redact(what + ": " + msg)); };
  if (const std::string problem = artifact_upload_problem(upload); !problem.empty()) return fail(problem);
  auto ids = backend_ids_from_token(runtime.runtime_token);
  if (!ids) return fail(ids.error());
  for (const ArtifactFile& f : upload.files) {
    struct stat st {};
    if (stat(f.path.c_str(), &st) != 0) return fail("'" + printable(f.path) + "': " + errno_text(errno));
  }
  Twirp twirp(http, runtime.results_url, runtime.runtime_token);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;

  if (upload.overwrite) {
    auto listed = twirp.call("ListArtifacts", list_artifacts_body(*ids, upload.name), true);
    if (!listed) return fail(listed.error());
    simdjson::dom::array artifacts;
    if (parser.parse(listed->body)["artifacts"].get_array().get(artifacts)) artifacts = {};
    for (simdjson::dom::element a : artifacts) {
      if (member_text(a, {"name"}) != upload.name) continue;
      // As upload-artifact does: delete with the backend ids the listing gives for the artifact.
      BackendIds owner{member_text(a, {"workflow_run_backend_id", "workflowRunBackendId"}),
                       member_text(a, {"workflow_job_run_backend_id", "workflowJobRunBackendId"})};
      if (owner.workflow_run.empty() || owner.workflow_job_run.empty()) owner = *ids;
      auto deleted = twirp.call("DeleteArtifact", delete_artifact_body(owner, upload.name), false);
      if (!deleted) return fail("overwrite: " + deleted.error());
      break;
    }
  }

  const std::string expires =
      upload.retention_days > 0
          ? expires_at(now ? now() : static_cast<int64_t>(std::time(nullptr)), upload.retention_days)
          : "";
  auto created = twirp.call("CreateArtifact", create_artifact_body(*ids, upload.name, expires), false);
  if (!created) {
    if (twirp.last_status() == 409) {
      return fail("an artifact named " + printable(upload.name) +
                  " already exists in this run: set overwrite: true or another artifact-name");
    }
    return fail(created.error());
  }
  std::string signed_url;
  bool ok = false;
  if (parser.parse(created->body).get(doc) || doc["ok"].get_bool().get(ok) || !ok ||
      (signed_url = member_text(doc, {"signed_upload_url", "signedUploadUrl"})).empty()) {
    return fail("CreateArtifact: the answer is not ok or has no signed_upload_url");
  }
  http.add_secret(
      signed_url.substr(signed_url.find('?') == std::string::npos ? signed_url.size() : signed_url.find('?') + 1));

  BlockWriter writer(http, signed_url, upload.block_size);
  std::vector<CentralEntry> entries;
  for (const ArtifactFile& f : upload.files) {
    CentralEntry e;
    FileSystem& fs = upload.fs != nullptr ? *upload.fs : real_file_system();
    if (Status s = write_entry(writer, fs, f, upload.compression_level, e); !s) return fail(s.error());
    entries.push_back(std::move(e));
  }
  if (Status s = write_central_directory(writer, entries); !s) return fail(s.error());
  if (Status s = writer.finish(); !s) return fail(s.error());

  UploadedArtifact result;
  result.size = writer.total();
  result.blocks = writer.blocks();
  result.digest = "sha256:" + writer.hex_digest();
  auto finalized =
      twirp.call("FinalizeArtifact", finalize_artifact_body(*ids, upload.name, result.size, result.digest), false);
  if (!finalized) return fail(finalized.error());
  std::string id_text;
  if (parser.parse(finalized->body).get(doc) || doc["ok"].get_bool().get(ok) || !ok ||
      (id_text = member_text(doc, {"artifact_id", "artifactId"})).empty()) {
    return fail("FinalizeArtifact: the answer is not ok or has no artifact_id");
  }
  result.id = std::strtoll(id_text.c_str(), nullptr, 10);
  if (result.id <= 0) return fail("FinalizeArtifact: bad artifact_id '" + printable(id_text) + "'");
  if (!runtime.github_server_url.empty() && !runtime.repository.empty() && !runtime.run_id.empty()) {
    std::string server = runtime.github_server_url;
    while (!server.empty() && server.back() == '/') server.pop_back();
    result.url = server + "/" + runtime.repository + "/actions/runs/" + runtime.run_id + "/artifacts/" +
                 std::to_string(result.id);
  }
  return result;
}

}  // namespace treeprint
