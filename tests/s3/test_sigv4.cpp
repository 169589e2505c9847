// SigV4 signing against AWS's published test vectors, re-typed here (values, not files):
// - "Signature Version 4 test suite" (docs.aws.amazon.com/general/latest/gr/signature-v4-test-suite.html):
//   credentials AKIDEXAMPLE, region us-east-1, service "service", 2015-08-30T12:36:00Z.
// - Amazon S3 API reference, "Examples: Signature Calculations" for header-based
//   authentication (docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html):
//   credentials AKIAIOSFODNN7EXAMPLE, bucket examplebucket, 2013-05-24.
#include <catch2/catch.hpp>

#include "tblog/detail/io/sigv4.hpp"

namespace sig = tblog::detail::sigv4;

namespace {

const std::string kEmptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

sig::Credentials suite_creds() {
    return {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "us-east-1", "service"};
}
sig::Credentials s3_creds() {
    return {"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "us-east-1", "s3"};
}

sig::Request suite_get(std::string path, std::vector<std::pair<std::string, std::string>> query = {}) {
    sig::Request r;
    r.method = "GET";
    r.path = std::move(path);
    r.query = std::move(query);
    r.headers = {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", "20150830T123600Z"}};
    r.payload_hash = kEmptyHash;
    return r;
}

std::string suite_auth(const std::string& signed_headers, const std::string& signature) {
    return "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=" +
           signed_headers + ", Signature=" + signature;
}

}  // namespace

TEST_CASE("sha256 and hmac-sha256 match known digests") {
    CHECK(sig::sha256_hex("") == kEmptyHash);
    // RFC 4231 test case 2.
    const auto mac = sig::hmac_sha256("Jefe", "what do ya want for nothing?");
    CHECK(sig::hex(reinterpret_cast<const unsigned char*>(mac.data()), mac.size()) ==
          "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST_CASE("suite get-vanilla: canonical request, string to sign, authorization") {
    const auto r = suite_get("/");
    CHECK(sig::canonical_request(r) ==
          "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" + kEmptyHash);
    CHECK(sig::string_to_sign(r, suite_creds()) ==
          "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
          "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63");
    CHECK(sig::authorization(r, suite_creds()) ==
          suite_auth("host;x-amz-date", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"));
}

TEST_CASE("suite get-vanilla-query-order-key-case: query sorted by name") {
    const auto r = suite_get("/", {{"Param2", "value2"}, {"Param1", "value1"}});
    CHECK(sig::canonical_query(r) == "Param1=value1&Param2=value2");
    CHECK(sig::signature(r, suite_creds()) == "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500");
}

TEST_CASE("suite get-vanilla-query-order-value: equal names sorted by value") {
    const auto r = suite_get("/", {{"Param1", "value2"}, {"Param1", "value1"}});
    CHECK(sig::signature(r, suite_creds()) == "5772eed61e12b33fae39ee5e7012498b51d56abc0abb7c60486157bd471c4694");
}

TEST_CASE("suite get-unreserved: unreserved characters stay as they are") {
    const std::string path = "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    CHECK(sig::uri_encode(path, true) == path);
    CHECK(sig::signature(suite_get(path), suite_creds()) ==
          "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f");
}

TEST_CASE("suite get-utf8 and get-space: the canonical path is percent-encoded") {
    CHECK(sig::uri_encode("/\xE1\x88\xB4", true) == "/%E1%88%B4");
    CHECK(sig::uri_encode("/example space/", true) == "/example%20space/");
}

TEST_CASE("suite get-vanilla-utf8-query: query names are percent-encoded") {
    const auto r = suite_get("/", {{"\xE1\x88\xB4", "bar"}});
    CHECK(sig::canonical_query(r) == "%E1%88%B4=bar");
    CHECK(sig::signature(r, suite_creds()) == "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04");
}

TEST_CASE("suite get-header-value-trim: values trimmed, inner spaces collapsed") {
    auto r = suite_get("/");
    r.headers.push_back({"My-Header1", " value1"});
    r.headers.push_back({"My-Header2", "\"a   b   c\""});
    CHECK(sig::canonical_request(r).find("my-header1:value1\nmy-header2:\"a b c\"\n") != std::string::npos);
    CHECK(sig::authorization(r, suite_creds()) ==
          suite_auth("host;my-header1;my-header2;x-amz-date",
                     "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"));
}

TEST_CASE("suite get-header-key-duplicate: repeated headers joined in order") {
    auto r = suite_get("/");
    r.headers.push_back({"My-Header1", "value2"});
    r.headers.push_back({"My-Header1", "value2"});
    r.headers.push_back({"My-Header1", "value1"});
    CHECK(sig::signature(r, suite_creds()) == "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea");
}

TEST_CASE("suite post-x-www-form-urlencoded: the payload hash is signed") {
    sig::Request r;
    r.method = "POST";
    r.path = "/";
    r.headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                 {"Host", "example.amazonaws.com"},
                 {"X-Amz-Date", "20150830T123600Z"}};
    r.payload_hash = sig::sha256_hex("Param1=value1");
    CHECK(sig::authorization(r, suite_creds()) ==
          suite_auth("content-type;host;x-amz-date", "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"));
}

TEST_CASE("suite get-vanilla-with-session-token: the token header is signed") {
    auto r = suite_get("/");
    r.headers.push_back({"X-Amz-Security-Token", "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267"});
    CHECK(sig::authorization(r, suite_creds()) ==
          suite_auth("host;x-amz-date;x-amz-security-token",
                     "07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8"));
}

TEST_CASE("S3 example GET Object with a Range header") {
    sig::Request r;
    r.method = "GET";
    r.path = "/test.txt";
    r.headers = {{"Host", "examplebucket.s3.amazonaws.com"},
                 {"Range", "bytes=0-9"},
                 {"x-amz-content-sha256", kEmptyHash},
                 {"x-amz-date", "20130524T000000Z"}};
    r.payload_hash = kEmptyHash;
    CHECK(sig::string_to_sign(r, s3_creds()) ==
          "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
          "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
    CHECK(sig::authorization(r, s3_creds()) ==
          "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
          "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
          "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST_CASE("S3 example PUT Object: '$' in the key is encoded, the body hash signed") {
    const std::string body = "Welcome to Amazon S3.";
    sig::Request r;
    r.method = "PUT";
    r.path = sig::uri_encode("/test$file.text", true);
    CHECK(r.path == "/test%24file.text");
    r.payload_hash = sig::sha256_hex(body);
    CHECK(r.payload_hash == "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
    r.headers = {{"Host", "examplebucket.s3.amazonaws.com"},
                 {"Date", "Fri, 24 May 2013 00:00:00 GMT"},
                 {"x-amz-date", "20130524T000000Z"},
                 {"x-amz-storage-class", "REDUCED_REDUNDANCY"},
                 {"x-amz-content-sha256", r.payload_hash}};
    CHECK(sig::signed_headers(r) == "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class");
    CHECK(sig::signature(r, s3_creds()) == "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
}

TEST_CASE("S3 examples GET Bucket Lifecycle and List Objects: query parameters") {
    sig::Request r;
    r.method = "GET";
    r.path = "/";
    r.headers = {{"Host", "examplebucket.s3.amazonaws.com"},
                 {"x-amz-date", "20130524T000000Z"},
                 {"x-amz-content-sha256", kEmptyHash}};
    r.payload_hash = kEmptyHash;
    r.query = {{"lifecycle", ""}};
    CHECK(sig::signature(r, s3_creds()) == "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
    r.query = {{"prefix", "J"}, {"max-keys", "2"}};
    CHECK(sig::canonical_query(r) == "max-keys=2&prefix=J");
    CHECK(sig::signature(r, s3_creds()) == "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}
