#include "registry/ssh_key.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstdint>
#include <memory>

#include "base/base64.h"
#include "base/str_cat.h"
#include "registry/auth.h"

namespace olla::registry {

namespace {

constexpr std::string_view kBegin = "-----BEGIN OPENSSH PRIVATE KEY-----";
constexpr std::string_view kEnd = "-----END OPENSSH PRIVATE KEY-----";
constexpr std::string_view kMagic{"openssh-key-v1\0", 15};
constexpr std::string_view kKeyType = "ssh-ed25519";
constexpr size_t kMaxFile = 16 << 10;  // an ed25519 key file is about 400 bytes
constexpr size_t kBlockSize = 8;       // cipher "none"

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// SSH wire format (RFC 4251 §5): big-endian uint32, and strings prefixed by their uint32 length.
void PutU32(std::string& out, uint32_t v) {
  for (int shift : {24, 16, 8, 0}) out.push_back(static_cast<char>((v >> shift) & 0xff));
}
void PutString(std::string& out, std::string_view s) {
  PutU32(out, static_cast<uint32_t>(s.size()));
  out.append(s);
}

class Reader {
 public:
  Reader(std::string_view data, std::string_view what) : data_(data), what_(what) {}
  Result<uint32_t> U32(std::string_view field) {
    if (data_.size() - pos_ < 4) return Truncated(field);
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = v << 8 | static_cast<unsigned char>(data_[pos_ + i]);
    pos_ += 4;
    return v;
  }
  Result<std::string_view> String(std::string_view field) {
    OLLA_ASSIGN_OR_RETURN(uint32_t n, U32(field));
    if (data_.size() - pos_ < n) return Truncated(field);
    std::string_view s = data_.substr(pos_, n);
    pos_ += n;
    return s;
  }
  std::string_view Rest() const { return data_.substr(pos_); }
  bool done() const { return pos_ == data_.size(); }

 private:
  Status Truncated(std::string_view field) const {
    return Status::Corrupt(StrCat(what_, ": truncated at ", field));
  }
  std::string_view data_;
  std::string_view what_;
  size_t pos_ = 0;
};

// The public key of a seed, through OpenSSL.
Result<std::string> DerivePublic(std::string_view seed) {
  Pkey key(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, Bytes(seed), seed.size()));
  if (!key) return Status::Internal("openssl: cannot create an Ed25519 key");
  std::string pub(32, '\0');
  size_t len = pub.size();
  if (EVP_PKEY_get_raw_public_key(key.get(), reinterpret_cast<unsigned char*>(pub.data()), &len) !=
          1 ||
      len != 32) {
    return Status::Internal("openssl: cannot read an Ed25519 public key");
  }
  return pub;
}

// The base64 payload between the PEM armour lines, whitespace removed, decoded.
Result<std::string> Unarmor(std::string_view text) {
  size_t begin = text.find(kBegin);
  if (begin == std::string_view::npos) {
    return Status::Corrupt(StrCat("openssh key: no \"", kBegin, "\" line"));
  }
  size_t body = begin + kBegin.size();
  size_t end = text.find(kEnd, body);
  if (end == std::string_view::npos) {
    return Status::Corrupt(StrCat("openssh key: no \"", kEnd, "\" line"));
  }
  std::string b64;
  for (char c : text.substr(body, end - body)) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
    if (c == ':') return Status::Unsupported("openssh key: PEM headers are not supported");
    b64.push_back(c);
  }
  if (b64.empty()) return Status::Corrupt("openssh key: empty");
  Result<std::string> raw = Base64Decode(b64);
  if (!raw.ok()) return Status::Corrupt("openssh key: invalid base64");
  return raw;
}

// A key type for an error message: printable ASCII and short, else "?".
std::string TypeName(std::string_view type) {
  if (type.size() > 64) return "?";
  for (char c : type) {
    if (c < 0x21 || c > 0x7e) return "?";
  }
  return std::string(type);
}

Status UnsupportedType(std::string_view what, std::string_view type) {
  return Status::Unsupported(
      StrCat(what, ": key type \"", TypeName(type), "\" is not supported (only ssh-ed25519)"));
}

Result<std::string> ParseBlob(std::string_view blob, std::string_view what) {
  Reader r(blob, what);
  OLLA_ASSIGN_OR_RETURN(std::string_view type, r.String("key type"));
  if (type != kKeyType) return UnsupportedType(what, type);
  OLLA_ASSIGN_OR_RETURN(std::string_view pub, r.String("public key"));
  if (pub.size() != 32) return Status::Corrupt(StrCat(what, ": public key is not 32 bytes"));
  if (!r.done()) return Status::Corrupt(StrCat(what, ": trailing bytes after the public key"));
  return std::string(pub);
}

// Wipes a string holding secret bytes when it goes out of scope.
struct Wipe {
  std::string& s;
  ~Wipe() { OPENSSL_cleanse(s.data(), s.size()); }
};

}  // namespace

Ed25519Key::~Ed25519Key() {
  if (!seed_.empty()) OPENSSL_cleanse(seed_.data(), seed_.size());
}

Result<Ed25519Key> Ed25519Key::Generate() {
  std::string seed(32, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(seed.data()), static_cast<int>(seed.size())) !=
      1) {
    return Status::Internal("openssl: no random bytes for a new key");
  }
  Result<Ed25519Key> key = FromSeed(seed);
  OPENSSL_cleanse(seed.data(), seed.size());
  return key;
}

Result<Ed25519Key> Ed25519Key::FromSeed(std::string_view seed) {
  if (seed.size() != 32) {
    return Status::InvalidArgument(StrCat("ed25519: a seed has 32 bytes, not ", seed.size()));
  }
  OLLA_ASSIGN_OR_RETURN(std::string pub, DerivePublic(seed));
  return Ed25519Key(std::string(seed), std::move(pub));
}

Result<Ed25519Key> Ed25519Key::ParseOpenSsh(std::string_view text) {
  if (text.size() > kMaxFile) return Status::Corrupt("openssh key: file too large");
  OLLA_ASSIGN_OR_RETURN(std::string raw, Unarmor(text));
  Wipe wipe{raw};
  std::string_view data = raw;
  if (data.substr(0, kMagic.size()) != kMagic) {
    return Status::Corrupt("openssh key: not an openssh-key-v1 key");
  }
  Reader outer(data.substr(kMagic.size()), "openssh key");
  OLLA_ASSIGN_OR_RETURN(std::string_view cipher, outer.String("cipher name"));
  OLLA_ASSIGN_OR_RETURN(std::string_view kdf, outer.String("kdf name"));
  OLLA_ASSIGN_OR_RETURN(std::string_view kdf_options, outer.String("kdf options"));
  if (cipher != "none" || kdf != "none") {
    return Status::Unsupported(
        StrCat("openssh key: encrypted keys are not supported (cipher ", cipher, ")"));
  }
  if (!kdf_options.empty()) return Status::Corrupt("openssh key: kdf options without a kdf");
  OLLA_ASSIGN_OR_RETURN(uint32_t nkeys, outer.U32("key count"));
  if (nkeys != 1) {
    return Status::Unsupported(StrCat("openssh key: ", nkeys, " keys in the file, expected 1"));
  }
  OLLA_ASSIGN_OR_RETURN(std::string_view pub_blob, outer.String("public key"));
  OLLA_ASSIGN_OR_RETURN(std::string_view priv_list, outer.String("private keys"));
  if (!outer.done()) return Status::Corrupt("openssh key: trailing bytes");
  OLLA_ASSIGN_OR_RETURN(std::string pub, ParseBlob(pub_blob, "openssh key"));

  if (priv_list.size() % kBlockSize != 0) {
    return Status::Corrupt("openssh key: private section is not a multiple of the block size");
  }
  Reader priv(priv_list, "openssh key private section");
  OLLA_ASSIGN_OR_RETURN(uint32_t check1, priv.U32("check words"));
  OLLA_ASSIGN_OR_RETURN(uint32_t check2, priv.U32("check words"));
  if (check1 != check2) return Status::Corrupt("openssh key: check words differ");
  OLLA_ASSIGN_OR_RETURN(std::string_view type, priv.String("key type"));
  if (type != kKeyType) return UnsupportedType("openssh key", type);
  OLLA_ASSIGN_OR_RETURN(std::string_view priv_pub, priv.String("public key"));
  OLLA_ASSIGN_OR_RETURN(std::string_view secret, priv.String("private key"));
  OLLA_RETURN_IF_ERROR(priv.String("comment").status());
  // Padding 1, 2, 3, ... up to the block size.
  std::string_view pad = priv.Rest();
  if (pad.size() >= kBlockSize) return Status::Corrupt("openssh key: too much padding");
  for (size_t i = 0; i < pad.size(); ++i) {
    if (static_cast<unsigned char>(pad[i]) != i + 1) {
      return Status::Corrupt("openssh key: bad padding");
    }
  }
  if (priv_pub.size() != 32) return Status::Corrupt("openssh key: public key is not 32 bytes");
  if (secret.size() != 64) return Status::Corrupt("openssh key: private key is not 64 bytes");
  if (priv_pub != pub || secret.substr(32) != pub) {
    return Status::Corrupt("openssh key: public and private parts do not match");
  }
  OLLA_ASSIGN_OR_RETURN(Ed25519Key key, FromSeed(secret.substr(0, 32)));
  if (key.public_key() != pub) {
    return Status::Corrupt("openssh key: the public key is not the private key's");
  }
  return key;
}

std::string Ed25519Key::PublicKeyBlob() const {
  std::string out;
  PutString(out, kKeyType);
  PutString(out, public_);
  return out;
}

std::string Ed25519Key::AuthorizedKey() const {
  return StrCat(kKeyType, " ", Base64Encode(PublicKeyBlob()));
}

std::string Ed25519Key::ToOpenSsh() const {
  uint32_t check = 0;
  if (RAND_bytes(reinterpret_cast<unsigned char*>(&check), sizeof(check)) != 1) check = 0;
  std::string priv;
  PutU32(priv, check);
  PutU32(priv, check);
  PutString(priv, kKeyType);
  PutString(priv, public_);
  PutString(priv, StrCat(seed_, public_));
  PutString(priv, "");  // comment
  for (char pad = 1; priv.size() % kBlockSize != 0; ++pad) priv.push_back(pad);

  std::string raw(kMagic);
  PutString(raw, "none");
  PutString(raw, "none");
  PutString(raw, "");
  PutU32(raw, 1);
  PutString(raw, PublicKeyBlob());
  PutString(raw, priv);
  std::string b64 = Base64Encode(raw);
  OPENSSL_cleanse(priv.data(), priv.size());
  OPENSSL_cleanse(raw.data(), raw.size());

  std::string out = StrCat(kBegin, "\n");
  for (size_t i = 0; i < b64.size(); i += 64) {
    out.append(b64, i, 64);
    out.push_back('\n');
  }
  OPENSSL_cleanse(b64.data(), b64.size());
  return StrCat(out, kEnd, "\n");
}

Result<std::string> Ed25519Key::Sign(std::string_view data) const {
  Pkey key(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, Bytes(seed_), seed_.size()));
  MdCtx ctx(EVP_MD_CTX_new());
  if (!key || !ctx) return Status::Internal("openssl: cannot set up Ed25519 signing");
  std::string sig(64, '\0');
  size_t len = sig.size();
  if (EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, Bytes(data),
                     data.size()) != 1 ||
      len != 64) {
    return Status::Internal("openssl: Ed25519 signing failed");
  }
  return sig;
}

bool VerifyEd25519(std::string_view public_key, std::string_view data, std::string_view signature) {
  if (public_key.size() != 32 || signature.size() != 64) return false;
  Pkey key(
      EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, Bytes(public_key), public_key.size()));
  MdCtx ctx(EVP_MD_CTX_new());
  if (!key || !ctx) return false;
  return EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) == 1 &&
         EVP_DigestVerify(ctx.get(), Bytes(signature), signature.size(), Bytes(data),
                          data.size()) == 1;
}

Result<std::string> ParsePublicKeyBlob(std::string_view blob) {
  return ParseBlob(blob, "ssh public key");
}

}  // namespace olla::registry
