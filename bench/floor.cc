// The floor of the warm-cache scan on this machine: the system calls treeprint makes per file (open, read, fstat,
// close) over the same files, on 2 threads, with and without SHA-256 of the bytes (OpenSSL EVP, as treeprint uses).
// No walking, sorting or output: the file list is read from a file first. bench/run.sh builds and runs it.
//
//   floor FILE_LIST [hash]
#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>
int main(int argc, char** argv) {
  std::ifstream in(argv[1]);
  const bool hash = argc > 2;
  std::vector<std::string> paths;
  for (std::string l; std::getline(in, l);) paths.push_back(l);
  std::atomic<size_t> next{0};
  auto t0 = std::chrono::steady_clock::now();
  auto work = [&] {
    std::vector<char> buf(256 << 10);
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    const EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    for (size_t i; (i = next.fetch_add(16)) < paths.size();) {
      for (size_t k = i; k < std::min(paths.size(), i + 16); ++k) {
        int fd = open(paths[k].c_str(), O_RDONLY | O_NOATIME);
        if (hash) EVP_DigestInit_ex(ctx, md, nullptr);
        ssize_t n;
        while ((n = read(fd, buf.data(), buf.size())) > 0) {
          if (hash) EVP_DigestUpdate(ctx, buf.data(), n);
          if (n < (ssize_t)buf.size()) break;
        }
        struct stat st;
        fstat(fd, &st);
        unsigned char out[32];
        unsigned len;
        if (hash) EVP_DigestFinal_ex(ctx, out, &len);
        close(fd);
      }
    }
  };
  std::thread t(work);
  work();
  t.join();
  std::printf("%s: %.3f s\n", hash ? "syscalls+sha" : "syscalls only",
              std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
}
