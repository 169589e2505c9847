// Where an exported answer lives: one name per request, computed the same way by the exporter
// (C++, here) and by the web UI's static transport (web/src/lib/staticKey.ts), so that a page
// opened from an export finds the file its request maps to. viewer/tests/data/static_keys.json
// holds cases both implementations are tested against.
//
//   key  = METHOD " " route [ "?" k=v ("&" k=v)* ] [ "\n" canonical JSON body ]
//          route without the leading "/data/"; parameters ordered by name (byte order), equal
//          names in the order given; names and values percent-encoded except A-Z a-z 0-9 - _ . ~
//          (UTF-8); a JSON body with object keys sorted, no spaces.
//   name = 16 lowercase hex digits of the 64-bit FNV-1a hash of the key's UTF-8 bytes.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tblog::view::exporting {

using Params = std::vector<std::pair<std::string, std::string>>;

// `params` in any order (sorted here, stably); `json_body` already canonical (or empty).
std::string static_key(std::string_view method, std::string_view route, Params params, std::string_view json_body = {});
std::string static_name(std::string_view key);

}  // namespace tblog::view::exporting
