#pragma once
// Real servers on 127.0.0.1 for the HTTP tests: an httplib::Server on a free port in its own thread, and a raw socket
// server that plays a script of byte-level answers (to drop a connection mid-request).

#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace treeprint::testing {

/// Starts `server` (routes already set, or set before the first request) on a free loopback port.
class ServerThread {
 public:
  explicit ServerThread(std::unique_ptr<httplib::Server> server = std::make_unique<httplib::Server>())
      : m_server(std::move(server)) {
    m_port = m_server->bind_to_any_port("127.0.0.1");
    m_thread = std::thread([this] { m_server->listen_after_bind(); });
    // stop() does nothing to a server that is not running yet, so wait for it (a few microseconds).
    while (!m_server->is_running()) std::this_thread::yield();
  }
  ~ServerThread() {
    m_server->stop();
    m_thread.join();
  }
  ServerThread(const ServerThread&) = delete;
  ServerThread& operator=(const ServerThread&) = delete;

  httplib::Server& operator*() { return *m_server; }
  httplib::Server* operator->() { return m_server.get(); }
  int port() const { return m_port; }
  std::string url(const std::string& path = "") const { return "http://127.0.0.1:" + std::to_string(m_port) + path; }

 private:
  std::unique_ptr<httplib::Server> m_server;
  int m_port = -1;
  std::thread m_thread;
};

/// Accepts connections one at a time; for connection n it reads the request head, then writes answers[n] and closes
/// (an empty answer: closes without a word). Past the script it closes at once.
class ScriptedSocketServer {
 public:
  explicit ScriptedSocketServer(std::vector<std::string> answers) : m_answers(std::move(answers)) {
    m_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(m_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    getsockname(m_fd, reinterpret_cast<sockaddr*>(&addr), &len);
    m_port = ntohs(addr.sin_port);
    listen(m_fd, 8);
    m_thread = std::thread([this] { run(); });
  }
  ~ScriptedSocketServer() {
    m_stop = true;
    shutdown(m_fd, SHUT_RDWR);
    close(m_fd);
    m_thread.join();
  }
  ScriptedSocketServer(const ScriptedSocketServer&) = delete;
  ScriptedSocketServer& operator=(const ScriptedSocketServer&) = delete;

  std::string url(const std::string& path = "/") const { return "http://127.0.0.1:" + std::to_string(m_port) + path; }
  int connections() const { return m_connections; }

 private:
  void run() {
    while (!m_stop) {
      const int c = accept4(m_fd, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) return;
      std::string head;
      char buf[4096];
      while (head.find("\r\n\r\n") == std::string::npos) {
        const ssize_t n = read(c, buf, sizeof buf);
        if (n <= 0) break;
        head.append(buf, static_cast<size_t>(n));
      }
      const size_t i = static_cast<size_t>(m_connections++);
      if (i < m_answers.size() && !m_answers[i].empty()) {
        [[maybe_unused]] const ssize_t w = write(c, m_answers[i].data(), m_answers[i].size());
      }
      close(c);
    }
  }

  std::vector<std::string> m_answers;
  int m_fd = -1;
  int m_port = 0;
  std::atomic<int> m_connections{0};
  std::atomic<bool> m_stop{false};
  std::thread m_thread;
};

}  // namespace treeprint::testing
