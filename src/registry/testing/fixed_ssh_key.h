#pragma once
// One ed25519 key for the registry tests, written by `ssh-keygen -t ed25519 -N "" -C ""`
// (OpenSSH 9, 70-column lines), with what ssh-keygen and Python's `cryptography` say of it.

namespace olla::registry::testing {

inline constexpr char kFixedKey[] = R"(-----BEGIN OPENSSH PRIVATE KEY-----
b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW
QyNTUxOQAAACAfRdn932P0c1giCJeWlocylEHJsWHBzqRrBczcJ37J/AAAAIiDY6kPg2Op
DwAAAAtzc2gtZWQyNTUxOQAAACAfRdn932P0c1giCJeWlocylEHJsWHBzqRrBczcJ37J/A
AAAEBkiQrjNmAtzXyuxTE/odPXqthf4ihHvroroxitOVZWfh9F2f3fY/RzWCIIl5aWhzKU
QcmxYcHOpGsFzNwnfsn8AAAAAAECAwQF
-----END OPENSSH PRIVATE KEY-----
)";
// The base64 public key blob of its .pub line, and the whole line.
inline constexpr char kFixedPublicB64[] =
    "AAAAC3NzaC1lZDI1NTE5AAAAIB9F2f3fY/RzWCIIl5aWhzKUQcmxYcHOpGsFzNwnfsn8";
inline constexpr char kFixedPublic[] =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB9F2f3fY/RzWCIIl5aWhzKUQcmxYcHOpGsFzNwnfsn8";

}  // namespace olla::registry::testing
