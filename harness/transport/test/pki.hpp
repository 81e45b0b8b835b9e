#pragma once
// A throwaway PKI for the TLS tests, made at test time by the `openssl` command in a fresh
// directory (no private key is committed): a test CA, a server certificate and a client
// certificate it signed, a second CA that signed nothing of ours, and a self-signed certificate.
// Everything is removed when the object goes.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

namespace transport_test {

struct test_pki {
  std::filesystem::path dir;

  test_pki() {
    std::random_device rd;
    dir = std::filesystem::temp_directory_path() /
          ("sipwright-pki-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "leaf.cnf") << "basicConstraints=CA:FALSE\n"
                                       "keyUsage=digitalSignature\n"
                                       "extendedKeyUsage=serverAuth,clientAuth\n"
                                       "subjectAltName=IP:127.0.0.1,IP:::1,DNS:sip.test\n";
    ca("ca");
    ca("other-ca");
    leaf("server", "ca");
    leaf("client", "ca");
    run("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout self.key "
        "-out self.pem -days 3650 -subj /CN=self -addext subjectAltName=IP:127.0.0.1,IP:::1");
  }
  ~test_pki() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  test_pki(const test_pki&) = delete;
  test_pki& operator=(const test_pki&) = delete;

  std::string file(const std::string& name) const { return (dir / name).string(); }

  // One more server certificate of the test CA, NAME.pem and NAME.key, with subject CN=`cn` and
  // the subjectAltName `san` in openssl's syntax ("DNS:*.example.test,URI:sip:example.test");
  // none when empty.
  void server_with(const std::string& name, const std::string& cn, const std::string& san) const {
    std::ofstream(dir / (name + ".cnf"))
        << "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n"
        << (san.empty() ? "" : "subjectAltName=" + san + "\n");
    leaf(name, "ca", cn, name + ".cnf");
  }

private:
  void run(const std::string& cmd) const {
    const std::string full = "cd '" + dir.string() + "' && (" + cmd + ") >>openssl.log 2>&1";
    INFO(full);
    REQUIRE(std::system(full.c_str()) == 0);
  }
  void ca(const std::string& name) const {
    run("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " + name +
        ".key -out " + name + ".pem -days 3650 -subj '/CN=sipwright test " + name +
        "' -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign");
  }
  void leaf(const std::string& name, const std::string& issuer, const std::string& cn = {},
            const std::string& extensions = "leaf.cnf") const {
    run("openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " + name +
        ".key -out " + name + ".csr -subj '/CN=" + (cn.empty() ? name : cn) +
        "' && openssl x509 -req -in " + name + ".csr -CA " + issuer + ".pem -CAkey " + issuer +
        ".key -set_serial 2 -days 3650 -out " + name + ".pem -extfile " + extensions);
  }
};

} // namespace transport_test
