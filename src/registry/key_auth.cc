#include "registry/key_auth.h"

#include <fcntl.h>
#include <openssl/rand.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>

#include "base/base64.h"
#include "base/file.h"
#include "base/sha256.h"
#include "base/str_cat.h"
#include "registry/auth.h"

namespace olla::registry {

namespace {

constexpr int64_t kMaxKeyFile = 16 << 10;

Status Errno(std::string_view what, const std::string& path, int err) {
  return Status::IoError(StrCat(what, " ", path, ": ", std::strerror(err)));
}

std::string Base64UrlNoPad(std::string_view data) {
  std::string out = Base64Encode(data);
  while (!out.empty() && out.back() == '=') out.pop_back();
  for (char& c : out) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return out;
}

// mkdir -p with mode 0755 for the directories it creates.
Status MakeDirs(const std::string& dir) {
  for (size_t pos = 1; pos <= dir.size(); ++pos) {
    if (pos != dir.size() && dir[pos] != '/') continue;
    std::string prefix = dir.substr(0, pos);
    if (::mkdir(prefix.c_str(), 0755) != 0 && errno != EEXIST) {
      return Errno("cannot create directory", prefix, errno);
    }
  }
  return Status::Ok();
}

// Writes `data` to a new file `path` with mode 0600, never replacing an existing one: a private
// temporary file is linked into place. kAlreadyExists if `path` appeared meanwhile.
Status WriteNewPrivateFile(const std::string& path, std::string_view data) {
  unsigned char rnd[8];
  if (RAND_bytes(rnd, sizeof(rnd)) != 1) return Status::Internal("openssl: no random bytes");
  std::string tmp = StrCat(path, ".tmp-", ::getpid(), "-",
                           Base64UrlNoPad({reinterpret_cast<const char*>(rnd), sizeof(rnd)}));
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Errno("cannot create", tmp, errno);
  Status s;
  for (size_t done = 0; done < data.size() && s.ok();) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno != EINTR) s = Errno("cannot write", tmp, errno);
    if (n > 0) done += static_cast<size_t>(n);
  }
  if (s.ok() && ::fsync(fd) != 0) s = Errno("cannot fsync", tmp, errno);
  ::close(fd);
  if (s.ok() && ::link(tmp.c_str(), path.c_str()) != 0) {
    s = errno == EEXIST ? Status::AlreadyExists(StrCat(path, " exists"))
                        : Errno("cannot create", path, errno);
  }
  ::unlink(tmp.c_str());
  return s;
}

}  // namespace

Result<std::string> DefaultKeyPath() {
  std::string home;
  if (const char* h = std::getenv("HOME"); h != nullptr && *h != '\0') {
    home = h;
  } else if (const struct passwd* pw = ::getpwuid(::getuid()); pw != nullptr && pw->pw_dir) {
    home = pw->pw_dir;
  }
  if (home.empty()) return Status::NotFound("cannot determine the home directory for the key");
  return StrCat(home, "/.ollama/id_ed25519");
}

Result<Ed25519Key> LoadKey(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > kMaxKeyFile) {
    return Status::Corrupt(StrCat(path, ": openssh key: file too large"));
  }
  OLLA_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  Result<Ed25519Key> key = Ed25519Key::ParseOpenSsh(text);
  if (!key.ok()) return key.status().WithPrefix(path);
  return key;
}

Result<EnsuredKey> EnsureKeyPair(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) return EnsuredKey{};
  // Missing (ENOTDIR: a parent is not a directory; MakeDirs names it). Other errors are
  // reported rather than ignored as Ollama does: the key would be unusable anyway.
  if (errno != ENOENT && errno != ENOTDIR) return Errno("cannot stat", path, errno);
  size_t slash = path.find_last_of('/');
  if (slash != std::string::npos && slash > 0) {
    OLLA_RETURN_IF_ERROR(MakeDirs(path.substr(0, slash)));
  }
  OLLA_ASSIGN_OR_RETURN(Ed25519Key key, Ed25519Key::Generate());
  std::string pem = key.ToOpenSsh();
  Status s = WriteNewPrivateFile(path, pem);
  std::fill(pem.begin(), pem.end(), '\0');
  if (s.code() == StatusCode::kAlreadyExists) return EnsuredKey{};  // another process won
  OLLA_RETURN_IF_ERROR(s);
  EnsuredKey out{true, key.AuthorizedKey()};
  OLLA_RETURN_IF_ERROR(WriteFileAtomic(StrCat(path, ".pub"), StrCat(out.public_line, "\n")));
  return out;
}

std::string SignaturePayload(std::string_view method, std::string_view url, std::string_view body) {
  return StrCat(method, ",", url, ",", Base64Encode(Sha256Hex(body)));
}

Result<std::string> SignAuthorization(const Ed25519Key& key, std::string_view data) {
  OLLA_ASSIGN_OR_RETURN(std::string signature, key.Sign(data));
  return StrCat(Base64Encode(key.PublicKeyBlob()), ":", Base64Encode(signature));
}

SignFn SignWithKeyFile(std::string path) {
  return [path = std::move(path)](std::string_view data) -> Result<std::string> {
    OLLA_ASSIGN_OR_RETURN(Ed25519Key key, LoadKey(path));
    return SignAuthorization(key, data);
  };
}

SignFn SignWithDefaultKey() {
  return [](std::string_view data) -> Result<std::string> {
    OLLA_ASSIGN_OR_RETURN(std::string path, DefaultKeyPath());
    return SignWithKeyFile(path)(data);
  };
}

Result<std::string> NewNonce() {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) return Status::Internal("openssl: no random bytes");
  return Base64UrlNoPad({reinterpret_cast<const char*>(bytes), sizeof(bytes)});
}

int64_t UnixSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace olla::registry
