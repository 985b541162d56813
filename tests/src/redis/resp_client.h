// A minimal blocking RESP client for tests: raw bytes out, one parsed reply at a time in.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include "src/redis/resp.h"

namespace nokv::redis::testing {

struct Reply {
  // '+', '-', ':', '$', '*'; RESP3 '%' (elements: key, value, ...), '~', '_', '=' (str keeps
  // the "txt:" prefix), '#', ','; 0 = connection closed / timeout.
  char type = 0;
  std::string str;  // simple/error/bulk text, integer digits
  bool null = false;
  std::vector<Reply> elements;
  bool ok() const { return type != 0; }
};

class RespClient {
 public:
  // Connects to 127.0.0.1:port with a receive timeout so a broken server fails the test
  // instead of hanging it.
  explicit RespClient(int port, int timeout_seconds = 30) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
    timeval tv{timeout_seconds, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  }
  ~RespClient() {
    if (fd_ >= 0) close(fd_);
  }
  bool connected() const { return connected_; }

  bool SendRaw(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }
  bool Send(const Argv& argv) { return SendRaw(EncodeCommand(argv)); }
  Reply Call(const Argv& argv) {
    Send(argv);
    return Read();
  }
  void ShutdownWrite() { shutdown(fd_, SHUT_WR); }

  Reply Read() {
    Reply r;
    std::string line;
    if (!ReadLine(&line) || line.empty()) return r;
    r.type = line[0];
    r.str = line.substr(1);
    if (r.type == '_') {
      r.null = true;
      return r;
    }
    if (r.type == '$' || r.type == '=') {
      long long n = std::stoll(r.str);
      r.str.clear();
      if (n < 0) {
        r.null = true;
        return r;
      }
      if (!ReadExact(static_cast<size_t>(n) + 2, &r.str)) return Reply();
      r.str.resize(static_cast<size_t>(n));
    } else if (r.type == '*' || r.type == '~' || r.type == '%') {
      long long n = std::stoll(r.str);
      if (n < 0) {
        r.null = true;
        return r;
      }
      if (r.type == '%') n *= 2;
      for (long long i = 0; i < n; ++i) {
        r.elements.push_back(Read());
        if (!r.elements.back().ok()) return Reply();
      }
    }
    return r;
  }

  // True if the server closed the connection (EOF) before sending anything more.
  bool AtEof() {
    if (pos_ < buf_.size()) return false;
    char c;
    ssize_t n = recv(fd_, &c, 1, 0);
    if (n == 1) {
      buf_.push_back(c);
      return false;
    }
    return n == 0;
  }

 private:
  bool Fill() {
    if (pos_ > 0 && pos_ == buf_.size()) {
      buf_.clear();
      pos_ = 0;
    }
    char tmp[65536];
    ssize_t n = recv(fd_, tmp, sizeof(tmp), 0);
    if (n <= 0) return false;
    buf_.append(tmp, static_cast<size_t>(n));
    return true;
  }
  bool ReadLine(std::string* line) {
    while (true) {
      size_t e = buf_.find("\r\n", pos_);
      if (e != std::string::npos) {
        *line = buf_.substr(pos_, e - pos_);
        pos_ = e + 2;
        return true;
      }
      if (!Fill()) return false;
    }
  }
  bool ReadExact(size_t n, std::string* out) {
    while (buf_.size() - pos_ < n) {
      if (!Fill()) return false;
    }
    out->assign(buf_, pos_, n);
    pos_ += n;
    return true;
  }

  int fd_ = -1;
  bool connected_ = false;
  std::string buf_;
  size_t pos_ = 0;
};

}  // namespace nokv::redis::testing
