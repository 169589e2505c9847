// See trace_columns.hpp. The JSON is read by a small validating scanner that keeps each
// event's "args" as its raw text (only metadata, counter, [memory], B/E and, for traces
// without fwdbwd flows, op args are parsed), so a million events take a fraction of what a
// DOM parse costs. Where the page's parseTrace follows JavaScript's coercions (Number(ts),
// `${pid}`, String(id)), the same coercions are made here; the web unit test
// trace_columns.test.ts checks both give the same timeline on the real server's answers.
#include "trace_columns.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <deque>
#include <limits>
#include <stdexcept>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

namespace tblog::view {

namespace {

using ojson = nlohmann::ordered_json;  // keeps args' key order, as JavaScript objects do
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// A scalar JSON value as read (objects and arrays only as raw text).
struct Val {
    enum Kind : std::uint8_t { absent, null, boolean, number, string, other } kind = absent;
    double num = 0;
    std::string str;  // string: the value; other: the raw text
};

// JavaScript's Number-to-String for a double (what `${x}` gives).
std::string js_number(double x) {
    if (std::isnan(x)) return "NaN";
    if (std::isinf(x)) return x > 0 ? "Infinity" : "-Infinity";
    if (x == 0) return "0";
    char buf[64];
    const double a = std::fabs(x);
    if (a >= 1e-6 && a < 1e21) {
        const auto r = std::to_chars(buf, buf + sizeof buf, x, std::chars_format::fixed);
        return std::string(buf, r.ptr);
    }
    auto r = std::to_chars(buf, buf + sizeof buf, x, std::chars_format::scientific);
    std::string s(buf, r.ptr);  // "1.5e-07" -> "1.5e-7", "1e+21" stays
    const auto e = s.find('e');
    std::size_t d = e + 2;
    while (d + 1 < s.size() && s[d] == '0') s.erase(d, 1);
    return s;
}

// `${v}` (v ?? fallback when absent or null).
std::string js_string(const Val& v, const char* if_nullish) {
    switch (v.kind) {
        case Val::absent: case Val::null: return if_nullish ? if_nullish : (v.kind == Val::absent ? "undefined" : "null");
        case Val::boolean: return v.num != 0 ? "true" : "false";
        case Val::number: return js_number(v.num);
        case Val::string: return v.str;
        default: return v.str;
    }
}

// Number(s) for a string: blank -> 0, decimal (or Infinity) -> its value, else NaN.
double js_string_number(std::string_view s) {
    auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; };
    while (!s.empty() && blank(s.front())) s.remove_prefix(1);
    while (!s.empty() && blank(s.back())) s.remove_suffix(1);
    if (s.empty()) return 0;
    std::string_view body = s;
    double sign = 1;
    if (body[0] == '+' || body[0] == '-') {
        if (body[0] == '-') sign = -1;
        body.remove_prefix(1);
    }
    if (body == "Infinity") return sign * std::numeric_limits<double>::infinity();
    if (body.empty() || body[0] == '+' || body[0] == '-' || body.find_first_of("iInN") != std::string_view::npos) return kNaN;
    double v = 0;
    const auto r = std::from_chars(body.data(), body.data() + body.size(), v);
    if (r.ec != std::errc() || r.ptr != body.data() + body.size()) return kNaN;
    return sign * v;
}

// Number(v).
double js_number_of(const Val& v) {
    switch (v.kind) {
        case Val::null: return 0;
        case Val::boolean: case Val::number: return v.num;
        case Val::string: return js_string_number(v.str);
        default: return kNaN;
    }
}

double js_number_of(const ojson& j) {
    if (j.is_number()) return j.get<double>();
    if (j.is_boolean()) return j.get<bool>() ? 1 : 0;
    if (j.is_null()) return 0;
    if (j.is_string()) return js_string_number(j.get_ref<const std::string&>());
    return kNaN;
}

// String(v) for a parsed args value (JSON.stringify-like for objects is not what JavaScript
// gives, but names are strings in every trace seen).
std::string js_string_of(const ojson& j) {
    if (j.is_string()) return j.get<std::string>();
    if (j.is_number()) return js_number(j.get<double>());
    if (j.is_boolean()) return j.get<bool>() ? "true" : "false";
    if (j.is_null()) return "null";
    return j.is_object() ? "[object Object]" : j.dump(-1, ' ', false, ojson::error_handler_t::replace);
}

// `s` with every byte that is not part of well-formed UTF-8 as U+FFFD.
std::string valid_utf8(const std::string& s) {
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const std::size_t n = s.size();
    std::size_t i = 0;
    std::string out;
    bool clean = true;
    while (i < n) {
        const unsigned char c = p[i];
        std::size_t len = c < 0x80 ? 1 : (c >= 0xC2 && c <= 0xDF) ? 2 : (c >= 0xE0 && c <= 0xEF) ? 3 : (c >= 0xF0 && c <= 0xF4) ? 4 : 0;
        bool ok = len != 0 && i + len <= n;
        std::uint32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
        for (std::size_t k = 1; ok && k < len; ++k) {
            ok = (p[i + k] & 0xC0) == 0x80;
            cp = (cp << 6) | (p[i + k] & 0x3F);
        }
        static const std::uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
        ok = ok && cp >= kMin[len] && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);
        if (ok && clean) {
            i += len;
            continue;
        }
        if (clean) out.assign(s, 0, i), clean = false;
        if (ok) out.append(s, i, len), i += len;
        else out += "\xEF\xBF\xBD", ++i;
    }
    return clean ? s : out;
}

// Length in UTF-16 code units (what a JavaScript string's offsets count) of valid UTF-8.
std::size_t utf16_length(const std::string& s) {
    std::size_t n = 0;
    for (const unsigned char c : s) n += (c & 0xC0) != 0x80 ? (c >= 0xF0 ? 2 : 1) : 0;
    return n;
}

class Scanner {
public:
    explicit Scanner(std::string_view s) : b_(s.data()), p_(s.data()), e_(s.data() + s.size()) {}

    [[noreturn]] void fail(const char* what) const {
        throw std::runtime_error(std::string("trace JSON: ") + what + " at byte " + std::to_string(p_ - b_));
    }
    void ws() {
        while (p_ < e_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
    }
    char peek() {
        ws();
        return p_ < e_ ? *p_ : '\0';
    }
    bool at_end() {
        ws();
        return p_ == e_;
    }
    bool eat(char c) {
        if (peek() != c) return false;
        ++p_;
        return true;
    }
    void expect(char c) {
        if (!eat(c)) fail(c == ':' ? "':' expected" : c == ',' ? "',' expected" : "unexpected character");
    }
    // Reads an object: f(key) for each member, with the scanner at its value (f reads it).
    template <class F>
    void object(std::string& key, F&& f) {
        expect('{');
        if (eat('}')) return;
        do {
            if (peek() != '"') fail("object key expected");
            string(key);
            expect(':');
            f(key);
        } while (more('}'));
    }
    // After an element of a container closed by `close`: true if another follows.
    bool more(char close) {
        if (eat(',')) return true;
        if (eat(close)) return false;
        fail("',' or end of container expected");
    }

    void string(std::string& out) {
        out.clear();
        expect('"');
        for (;;) {
            const char* q = p_;
            while (q < e_ && *q != '"' && *q != '\\' && static_cast<unsigned char>(*q) >= 0x20) ++q;
            out.append(p_, q);
            p_ = q;
            if (p_ >= e_) fail("unterminated string");
            const char c = *p_++;
            if (c == '"') return;
            if (c != '\\') fail("control character in string");
            if (p_ >= e_) fail("unterminated string");
            switch (const char x = *p_++) {
                case '"': case '\\': case '/': out += x; break;
                case 'b': out += '\b'; break;
                case 'f': out += '\f'; break;
                case 'n': out += '\n'; break;
                case 'r': out += '\r'; break;
                case 't': out += '\t'; break;
                case 'u': {
                    std::uint32_t cp = hex4();
                    if (cp >= 0xD800 && cp <= 0xDBFF && e_ - p_ >= 6 && p_[0] == '\\' && p_[1] == 'u') {
                        const char* save = p_;
                        p_ += 2;
                        const std::uint32_t lo = hex4();
                        if (lo >= 0xDC00 && lo <= 0xDFFF) cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                        else p_ = save;
                    }
                    if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0xFFFD;  // a lone surrogate
                    utf8(cp, out);
                    break;
                }
                default: fail("bad escape in string");
            }
        }
    }

    // Skips one value, checking it is valid JSON; returns its text.
    std::string_view skip_value(int depth = 0) {
        if (depth > 512) fail("nesting too deep");
        const char c = peek();
        const char* start = p_;
        if (c == '"') {
            skip_string();
        } else if (c == '{' || c == '[') {
            ++p_;
            const char close = c == '{' ? '}' : ']';
            if (!eat(close)) {
                do {
                    if (c == '{') {
                        if (peek() != '"') fail("object key expected");
                        skip_string();
                        expect(':');
                    }
                    skip_value(depth + 1);
                } while (more(close));
            }
        } else if (c == '-' || (c >= '0' && c <= '9')) {
            number();
        } else if (!literal("true") && !literal("false") && !literal("null")) {
            fail("value expected");
        }
        return {start, static_cast<std::size_t>(p_ - start)};
    }

    void value(Val& v) {
        const char c = peek();
        if (c == '"') {
            v.kind = Val::string;
            string(v.str);
        } else if (c == '-' || (c >= '0' && c <= '9')) {
            v.kind = Val::number;
            v.num = number();
        } else if (literal("true")) {
            v.kind = Val::boolean, v.num = 1;
        } else if (literal("false")) {
            v.kind = Val::boolean, v.num = 0;
        } else if (literal("null")) {
            v.kind = Val::null;
        } else {
            v.kind = Val::other;
            v.str = std::string(skip_value());
        }
    }

    double number() {
        const char* s = p_;
        if (p_ < e_ && *p_ == '-') ++p_;
        if (p_ < e_ && *p_ == '0') ++p_;
        else if (!digits()) fail("bad number");
        if (p_ < e_ && *p_ == '.') {
            ++p_;
            if (!digits()) fail("bad number");
        }
        if (p_ < e_ && (*p_ == 'e' || *p_ == 'E')) {
            ++p_;
            if (p_ < e_ && (*p_ == '+' || *p_ == '-')) ++p_;
            if (!digits()) fail("bad number");
        }
        double v = 0;
        const auto r = std::from_chars(s, p_, v);
        if (r.ec == std::errc::result_out_of_range) return (*s == '-' ? -1 : 1) * (std::strpbrk(s, "eE") ? 0.0 : 1.0);
        if (r.ec != std::errc()) fail("bad number");
        return v;
    }

private:
    bool digits() {
        const char* s = p_;
        while (p_ < e_ && *p_ >= '0' && *p_ <= '9') ++p_;
        return p_ > s;
    }
    bool literal(const char* w) {
        const std::size_t n = std::strlen(w);
        if (static_cast<std::size_t>(e_ - p_) < n || std::memcmp(p_, w, n) != 0) return false;
        p_ += n;
        return true;
    }
    void skip_string() {
        ++p_;
        for (;;) {
            while (p_ < e_ && *p_ != '"' && *p_ != '\\' && static_cast<unsigned char>(*p_) >= 0x20) ++p_;
            if (p_ >= e_) fail("unterminated string");
            const char c = *p_++;
            if (c == '"') return;
            if (c != '\\') fail("control character in string");
            if (p_ >= e_) fail("unterminated string");
            const char x = *p_++;
            if (x == 'u') hex4();
            else if (!std::strchr("\"\\/bfnrt", x) || x == '\0') fail("bad escape in string");
        }
    }
    std::uint32_t hex4() {
        if (e_ - p_ < 4) fail("bad \\u escape");
        std::uint32_t v = 0;
        for (int i = 0; i < 4; ++i) {
            const char h = *p_++;
            v <<= 4;
            if (h >= '0' && h <= '9') v |= static_cast<std::uint32_t>(h - '0');
            else if (h >= 'a' && h <= 'f') v |= static_cast<std::uint32_t>(h - 'a' + 10);
            else if (h >= 'A' && h <= 'F') v |= static_cast<std::uint32_t>(h - 'A' + 10);
            else fail("bad \\u escape");
        }
        return v;
    }
    static void utf8(std::uint32_t cp, std::string& out) {
        if (cp < 0x80) {
            out += static_cast<char>(cp);
        } else if (cp < 0x800) {
            out += static_cast<char>(0xC0 | (cp >> 6));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            out += static_cast<char>(0xE0 | (cp >> 12));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else {
            out += static_cast<char>(0xF0 | (cp >> 18));
            out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        }
    }

    const char* b_;
    const char* p_;
    const char* e_;
};

// One trace event's fields parseTrace reads.
struct Event {
    Val ph, name, cat, ts, dur, pid, tid, id;
    std::string_view args;  // raw text; empty when absent
    void clear() {  // keeps the strings' capacity
        for (Val* v : {&ph, &name, &cat, &ts, &dur, &pid, &tid, &id}) v->kind = Val::absent, v->str.clear();
        args = {};
    }
};

// The args text as a value (null when absent; the scanner validated it, but nlohmann also
// refuses bytes that are not UTF-8, which the page would read as U+FFFD).
ojson parse_args(std::string_view text) {
    if (text.empty()) return ojson();
    try {
        return ojson::parse(text.begin(), text.end());
    } catch (const std::exception&) {
        return ojson();
    }
}

struct Span {
    double ts, dur, self;
    std::uint32_t name, cat;
    std::string_view args;
    std::int32_t parent = -1;
    std::uint32_t depth = 0;
};
struct Thread {
    std::string key, pid_text, tid_text;
    Val pid, tid;
    std::vector<Span> spans;
    std::uint32_t depth = 1;
};
struct Counter {
    std::string key, label, pid_text;
    std::vector<double> ts, values;
};
struct FlowEnd {
    bool set = false;
    std::string cat, id, tkey;
    double ts = 0;
};
struct Flow {
    std::uint32_t from_track, from_span, to_track, to_span, cat;  // cat: in strings
    std::string id;
    double from_ts;
};
struct Memory {
    double ts, bytes, allocated, reserved;
    std::string device;
};
struct OpenSpan {
    Val name, cat, pid, tid;
    double ts;
    std::string_view args;
};

// Keys compared part by part ("pid\0tid"): numerically where both parts are numbers.
bool key_less(const std::string& a, const std::string& b) {
    auto split = [](const std::string& k) {
        const auto z = k.find('\0');
        return std::pair<std::string_view, std::string_view>{std::string_view(k).substr(0, z),
                                                             z == std::string::npos ? std::string_view() : std::string_view(k).substr(z + 1)};
    };
    auto numeric = [](std::string_view s, double& v) {
        if (s.empty()) return false;
        const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
        return r.ec == std::errc() && r.ptr == s.data() + s.size() && s.find_first_of("eEiInN+") == std::string_view::npos;
    };
    auto cmp = [&](std::string_view x, std::string_view y) {
        double u, v;
        if (numeric(x, u) && numeric(y, v) && u != v) return u < v ? -1 : 1;
        return x.compare(y) < 0 ? -1 : x == y ? 0 : 1;
    };
    const auto [ap, at] = split(a);
    const auto [bp, bt] = split(b);
    const int c = cmp(ap, bp);
    return c ? c < 0 : cmp(at, bt) < 0;
}

class Builder {
public:
    void event(Event& e) {
        ++events_;
        if (e.ph.kind != Val::string || e.ph.str.size() != 1) return;
        const char ph = e.ph.str[0];
        if (ph == 'M') {
            const bool proc = e.name.kind == Val::string && e.name.str == "process_name";
            const bool thread = e.name.kind == Val::string && e.name.str == "thread_name";
            if (!proc && !thread) return;
            const ojson a = parse_args(e.args);
            const std::string name = a.is_object() && a.contains("name") && !a["name"].is_null() ? js_string_of(a["name"]) : "";
            if (proc) proc_names_[js_string(e.pid, "0")] = name;
            else thread_names_[tkey(e.pid, e.tid)] = name;
            return;
        }
        const double ts = js_number_of(e.ts);
        switch (ph) {
            case 'X':
                if (std::isfinite(ts)) {
                    const double dur = js_number_of(e.dur);
                    add_span(e.pid, e.tid, e.name, e.cat, e.args, ts, std::isnan(dur) ? 0 : dur);
                }
                break;
            case 'i': case 'I':
                if (!std::isfinite(ts)) break;
                if (e.name.kind == Val::string && e.name.str == "[memory]") {
                    const ojson a = parse_args(e.args);
                    auto num = [&](const char* k) {
                        const double v = a.is_object() && a.contains(k) ? js_number_of(a[k]) : kNaN;
                        return std::isnan(v) ? 0.0 : v;
                    };
                    const bool dev = a.is_object() && a.contains("Device Type") && !a["Device Type"].is_null();
                    memory_.push_back({ts, num("Bytes"), num("Total Allocated"), num("Total Reserved"),
                                       dev ? js_string_of(a["Device Type"]) : std::string()});
                    break;
                }
                add_span(e.pid, e.tid, e.name, e.cat, e.args, ts, 0);
                break;
            case 'B':
                open_[tkey(e.pid, e.tid)].push_back({e.name, e.cat, e.pid, e.tid, ts, e.args});
                break;
            case 'E': {
                auto it = open_.find(tkey(e.pid, e.tid));
                if (it == open_.end() || it->second.empty()) break;
                OpenSpan b = std::move(it->second.back());
                it->second.pop_back();
                if (!std::isfinite(ts) || !std::isfinite(b.ts)) break;
                // { ...b.args, ...e.args }
                ojson merged = ojson::object();
                for (const std::string_view text : {b.args, e.args}) {
                    const ojson a = parse_args(text);
                    if (a.is_object())
                        for (auto& [k, v] : a.items()) merged[k] = v;
                }
                owned_.push_back(merged.dump(-1, ' ', false, ojson::error_handler_t::replace));
                add_span(b.pid, b.tid, b.name, b.cat, owned_.back(), b.ts, ts - b.ts);
                break;
            }
            case 's': case 'f': {
                if (!std::isfinite(ts)) break;
                const std::string cat = js_string(e.cat, "");
                const std::string id = js_string(e.id, nullptr);
                std::string k = cat;
                k += '\0';
                k += id;
                auto it = flow_index_.find(k);
                if (it == flow_index_.end()) {
                    it = flow_index_.emplace(std::move(k), flow_ends_.size()).first;
                    flow_ends_.emplace_back();
                }
                FlowEnd& fe = flow_ends_[it->second][ph == 's' ? 0 : 1];
                fe = {true, cat, id, tkey(e.pid, e.tid), ts};
                break;
            }
            case 'C': {
                if (!std::isfinite(ts)) break;
                const ojson a = parse_args(e.args);
                if (!a.is_object()) break;
                const std::string pid = js_string(e.pid, "0"), name = js_string(e.name, nullptr);
                for (auto& [series, v] : a.items()) {
                    std::string k = pid;
                    (k += '\0') += name;
                    (k += '\0') += series;
                    auto it = counter_index_.find(k);
                    if (it == counter_index_.end()) {
                        it = counter_index_.emplace(k, counters_.size()).first;
                        counters_.push_back({std::move(k), name + (series != "value" ? "." + series : ""), pid, {}, {}});
                    }
                    Counter& c = counters_[it->second];
                    c.ts.push_back(ts);
                    c.values.push_back(js_number_of(v));
                    start_ = std::min(start_, ts);
                    end_ = std::max(end_, ts);
                }
                break;
            }
            default: break;
        }
    }

    std::string finish();

private:
    static std::string tkey(const Val& pid, const Val& tid) {
        std::string k = js_string(pid, "0");
        k += '\0';
        k += js_string(tid, "0");
        return k;
    }
    std::uint32_t intern(const Val& v, std::string& last, std::uint32_t& last_id) {
        if (v.kind == Val::string && last_id != kNone && v.str == last) return last_id;  // runs of one cat
        last = v.kind == Val::string ? v.str : js_string(v, "");
        // find before emplace: emplace makes a node (an allocation) even for a known key
        if (const auto it = string_index_.find(last); it != string_index_.end()) return last_id = it->second;
        last_id = static_cast<std::uint32_t>(strings_.size());
        string_index_.emplace(last, last_id);
        strings_.push_back(valid_utf8(last));
        return last_id;
    }
    std::uint32_t intern(const std::string& s) {
        std::string last;
        std::uint32_t id = kNone;
        return intern(Val{Val::string, 0, s}, last, id);
    }
    static bool same(const Val& a, const Val& b) { return a.kind == b.kind && a.num == b.num && a.str == b.str; }
    void add_span(const Val& pid, const Val& tid, const Val& name, const Val& cat, std::string_view args, double ts, double dur) {
        if (threads_.empty() || !same(pid, last_pid_) || !same(tid, last_tid_)) {
            last_thread_ = thread(pid, tid);
            last_pid_ = pid, last_tid_ = tid;
        }
        const double d = dur > 0 ? dur : 0;
        threads_[last_thread_].spans.push_back({ts, d, d, intern(name, last_name_, last_name_id_), intern(cat, last_cat_, last_cat_id_), args});
        start_ = std::min(start_, ts);
        end_ = std::max(end_, ts + d);
    }
    std::size_t thread(const Val& pid, const Val& tid) {
        const std::string k = tkey(pid, tid);
        auto [it, fresh] = thread_index_.emplace(k, threads_.size());
        if (fresh) {
            threads_.emplace_back();
            Thread& t = threads_.back();
            t.key = k;
            t.pid = pid.kind == Val::absent || pid.kind == Val::null ? Val{Val::number, 0, {}} : pid;
            t.tid = tid.kind == Val::absent || tid.kind == Val::null ? Val{Val::number, 0, {}} : tid;
            t.pid_text = js_string(pid, "0");
            t.tid_text = js_string(tid, "0");
        }
        return it->second;
    }
    // The deepest span of `t` holding time x (parseTrace's spanAt).
    static std::int64_t span_at(const Thread& t, double x) {
        const auto& sp = t.spans;
        std::size_t lo = 0, hi = sp.size();
        while (lo < hi) {
            const std::size_t m = (lo + hi) / 2;
            if (sp[m].ts <= x) lo = m + 1;
            else hi = m;
        }
        for (std::int64_t i = static_cast<std::int64_t>(lo) - 1, n = 0; i >= 0 && n < 256; --i, ++n)
            if (sp[i].ts + sp[i].dur >= x) return i;
        return -1;
    }
    void sequence_flows(std::vector<Flow>& out);

    std::size_t events_ = 0;
    double start_ = std::numeric_limits<double>::infinity(), end_ = -std::numeric_limits<double>::infinity();
    std::vector<std::string> strings_;
    std::unordered_map<std::string, std::uint32_t> string_index_;
    std::unordered_map<std::string, std::string> proc_names_, thread_names_;
    std::vector<Thread> threads_;
    std::unordered_map<std::string, std::size_t> thread_index_;
    Val last_pid_, last_tid_;
    std::size_t last_thread_ = 0;
    std::string last_name_, last_cat_;
    static constexpr std::uint32_t kNone = UINT32_MAX;
    std::uint32_t last_name_id_ = kNone, last_cat_id_ = kNone;
    std::vector<Counter> counters_;
    std::unordered_map<std::string, std::size_t> counter_index_;
    std::vector<std::array<FlowEnd, 2>> flow_ends_;
    std::unordered_map<std::string, std::size_t> flow_index_;
    std::unordered_map<std::string, std::vector<OpenSpan>> open_;
    std::vector<Memory> memory_;
    std::deque<std::string> owned_;  // args made here (B/E pairs); spans point into them
};

void Builder::sequence_flows(std::vector<Flow>& out) {
    struct Op {
        std::uint32_t track, span;
        double ts;
    };
    std::vector<std::pair<double, Op>> fwd, bwd;  // by first sight of the number, as a Map
    std::unordered_map<double, std::size_t> fwd_at, bwd_at;
    const std::uint32_t cpu_op = string_index_.count("cpu_op") ? string_index_["cpu_op"] : UINT32_MAX;
    for (std::uint32_t ti = 0; ti < threads_.size(); ++ti) {
        const Thread& t = threads_[ti];
        for (std::uint32_t si = 0; si < t.spans.size(); ++si) {
            const Span& s = t.spans[si];
            if (s.cat != cpu_op || s.args.empty()) continue;
            const ojson a = parse_args(s.args);
            if (!a.is_object() || !a.contains("Sequence number")) continue;
            const double seq = js_number_of(a["Sequence number"]);
            if (!std::isfinite(seq) || seq < 0) continue;
            const std::string& name = strings_[s.name];
            const bool backward = (a.contains("scope") && a["scope"].is_string() && a["scope"] == "backward") ||
                                  name.find("Backward") != std::string::npos || name.find("autograd::engine") != std::string::npos;
            auto& list = backward ? bwd : fwd;
            auto& at = backward ? bwd_at : fwd_at;
            const Op op{ti, si, s.ts};
            auto [it, fresh] = at.emplace(seq + 0.0, list.size());  // + 0.0: -0 and 0 are one key
            if (fresh) list.push_back({seq, op});
            else if (s.ts < list[it->second].second.ts) list[it->second].second = op;
        }
    }
    const std::uint32_t cat = intern("fwdbwd");
    for (const auto& [seq, b] : bwd) {
        const auto f = fwd_at.find(seq + 0.0);
        if (f == fwd_at.end()) continue;
        const Op& a = fwd[f->second].second;
        out.push_back({a.track, a.span, b.track, b.span, cat, js_number(seq), a.ts});
    }
}

// Appends `n` elements at `v` to `body` at a multiple of 8, recorded under `name` in `arrays`.
template <class T>
void put_array(std::string& body, nlohmann::json& arrays, const char* name, const T* v, std::size_t n) {
    body.resize((body.size() + 7) & ~std::size_t(7), '\0');
    arrays[name] = {body.size(), n};
    body.append(reinterpret_cast<const char*>(v), n * sizeof(T));
}
template <class T>
void put_array(std::string& body, nlohmann::json& arrays, const char* name, const std::vector<T>& v) {
    put_array(body, arrays, name, v.data(), v.size());
}

// Strings as one UTF-8 text ("<name>") and where each starts in it in UTF-16 code units
// ("<name>_at", one more than strings), which is how the page cuts them out.
void put_strings(std::string& body, nlohmann::json& arrays, const std::string& name, const std::vector<std::string>& v) {
    std::string text;
    std::vector<std::uint32_t> at{0};
    at.reserve(v.size() + 1);
    for (const std::string& str : v) {
        text += str;
        at.push_back(static_cast<std::uint32_t>(at.back() + utf16_length(str)));
    }
    put_array(body, arrays, (name + "_at").c_str(), at);
    put_array(body, arrays, name.c_str(), text.data(), text.size());
}

std::string Builder::finish() {
    using nlohmann::json;
    std::sort(threads_.begin(), threads_.end(), [](const Thread& a, const Thread& b) { return key_less(a.key, b.key); });
    std::size_t total = 0;
    for (Thread& t : threads_) {
        auto& sp = t.spans;
        std::stable_sort(sp.begin(), sp.end(), [](const Span& a, const Span& b) { return a.ts < b.ts || (a.ts == b.ts && a.dur > b.dur); });
        // nesting: a span sits below every still-open span that holds it; its time comes off
        // its parent's self time
        std::vector<std::int32_t> stack;
        for (std::size_t i = 0; i < sp.size(); ++i) {
            Span& s = sp[i];
            while (!stack.empty() && sp[stack.back()].ts + sp[stack.back()].dur <= s.ts) stack.pop_back();
            s.depth = static_cast<std::uint32_t>(stack.size());
            if (!stack.empty()) {
                Span& p = sp[stack.back()];
                s.parent = stack.back();
                p.self -= std::min(s.dur, p.self);
            }
            t.depth = std::max(t.depth, s.depth + 1);
            stack.push_back(static_cast<std::int32_t>(i));
        }
        total += sp.size();
    }
    std::unordered_map<std::string, std::uint32_t> track_of;
    for (std::uint32_t i = 0; i < threads_.size(); ++i) track_of[threads_[i].key] = i;

    // flows: "s" on its span, "f" on the span holding its time
    std::vector<Flow> flows;
    bool fwdbwd = false;
    for (const auto& [s, f] : flow_ends_) {
        if (!s.set || !f.set) continue;
        const auto a = track_of.find(s.tkey), b = track_of.find(f.tkey);
        if (a == track_of.end() || b == track_of.end()) continue;
        const auto as = span_at(threads_[a->second], s.ts), bs = span_at(threads_[b->second], f.ts);
        if (as < 0 || bs < 0) continue;
        flows.push_back({a->second, static_cast<std::uint32_t>(as), b->second, static_cast<std::uint32_t>(bs),
                         intern(s.cat), valid_utf8(s.id), threads_[a->second].spans[as].ts});
        fwdbwd = fwdbwd || s.cat == "fwdbwd";
    }
    if (!fwdbwd) sequence_flows(flows);
    std::stable_sort(flows.begin(), flows.end(), [](const Flow& a, const Flow& b) { return a.from_ts < b.from_ts; });
    std::stable_sort(memory_.begin(), memory_.end(), [](const Memory& a, const Memory& b) { return a.ts < b.ts; });
    std::sort(counters_.begin(), counters_.end(), [](const Counter& a, const Counter& b) { return a.key + ',' < b.key + ','; });

    std::vector<double> ts, dur, self, cts, cval;
    std::vector<std::uint32_t> name, cat, depth, args_at;
    std::vector<std::int32_t> parent;
    std::string args;
    for (auto* v : {&ts, &dur, &self}) v->reserve(total);
    for (auto* v : {&name, &cat, &depth}) v->reserve(total);
    parent.reserve(total);
    args_at.reserve(total + 1);
    json threads = json::array(), counters = json::array(), memory = json::array();
    auto proc_name = [&](const std::string& pid) {
        const auto it = proc_names_.find(pid);
        return it != proc_names_.end() && !it->second.empty() ? it->second : "pid " + pid;
    };
    auto jval = [](const Val& v) { return v.kind == Val::number ? json(v.num) : v.kind == Val::boolean ? json(v.num != 0) : json(v.str); };
    for (const Thread& t : threads_) {
        const auto tn = thread_names_.find(t.key);
        const std::string tname = tn != thread_names_.end() && !tn->second.empty() ? tn->second : "tid " + t.tid_text;
        threads.push_back({{"key", t.key}, {"label", proc_name(t.pid_text) + " / " + tname}, {"pid", jval(t.pid)},
                           {"tid", jval(t.tid)}, {"spans", t.spans.size()}, {"depth", t.depth}});
        for (const Span& s : t.spans) {
            ts.push_back(s.ts), dur.push_back(s.dur), self.push_back(s.self);
            name.push_back(s.name), cat.push_back(s.cat), parent.push_back(s.parent), depth.push_back(s.depth);
            args_at.push_back(static_cast<std::uint32_t>(args.size()));
            args.append(s.args);
            if (args.size() > UINT32_MAX) throw std::runtime_error("trace args exceed 4 GiB");
        }
    }
    args_at.push_back(static_cast<std::uint32_t>(args.size()));
    for (Counter& c : counters_) {
        std::vector<std::size_t> order(c.ts.size());
        for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
        std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return c.ts[a] < c.ts[b]; });
        double mx = 0, mn = 0;
        for (const std::size_t i : order) {
            cts.push_back(c.ts[i]);
            cval.push_back(c.values[i]);
            if (std::isfinite(c.values[i])) mx = std::max(mx, c.values[i]), mn = std::min(mn, c.values[i]);
        }
        counters.push_back({{"key", c.key}, {"label", proc_name(c.pid_text) + " / " + c.label}, {"n", c.ts.size()}, {"max", mx}, {"min", mn}});
    }
    for (const Memory& m : memory_) memory.push_back({m.ts, m.bytes, m.allocated, m.reserved, m.device});
    std::vector<std::uint32_t> ft, fs, tt, tsp, fc;
    std::vector<std::string> fid;
    for (Flow& f : flows)
        ft.push_back(f.from_track), fs.push_back(f.from_span), tt.push_back(f.to_track), tsp.push_back(f.to_span),
            fc.push_back(f.cat), fid.push_back(std::move(f.id));
    if (!std::isfinite(start_)) start_ = 0, end_ = 1;
    json arrays = json::object();
    std::string body;
    put_array(body, arrays, "span_ts", ts);
    put_array(body, arrays, "span_dur", dur);
    put_array(body, arrays, "span_self", self);
    put_array(body, arrays, "span_name", name);
    put_array(body, arrays, "span_cat", cat);
    put_array(body, arrays, "span_parent", parent);
    put_array(body, arrays, "span_depth", depth);
    put_array(body, arrays, "span_args", args_at);
    put_array(body, arrays, "counter_ts", cts);
    put_array(body, arrays, "counter_value", cval);
    put_array(body, arrays, "flow_from_track", ft);
    put_array(body, arrays, "flow_from_span", fs);
    put_array(body, arrays, "flow_to_track", tt);
    put_array(body, arrays, "flow_to_span", tsp);
    put_array(body, arrays, "flow_cat", fc);
    put_strings(body, arrays, "flow_ids", fid);
    put_strings(body, arrays, "strings", strings_);
    put_array(body, arrays, "args", args.data(), args.size());
    json header = {{"events", events_}, {"start", start_}, {"end", std::max(end_, start_ + 1)},
                   {"threads", threads}, {"counters", counters}, {"memory", memory}};
    header["arrays"] = arrays;
    std::string head = header.dump(-1, ' ', false, json::error_handler_t::replace);
    std::string out = "TBTRACE1";
    const auto n = static_cast<std::uint32_t>(head.size());
    for (int i = 0; i < 4; ++i) out += static_cast<char>((n >> (8 * i)) & 0xFF);
    out.append(4, '\0');
    out += head;
    out.resize((out.size() + 7) & ~std::size_t(7), '\0');
    out += body;
    return out;
}

}  // namespace

std::string trace_columns(std::string_view json_text) {
    Scanner sc(json_text);
    Builder b;
    Event e;
    std::string key;
    auto events = [&] {
        sc.expect('[');
        if (sc.eat(']')) return;
        do {
            if (sc.peek() != '{') {
                sc.skip_value();
                Event none;
                b.event(none);
                continue;
            }
            e.clear();
            sc.object(key, [&](const std::string& k) {
                Val* field = nullptr;
                switch (k.size()) {
                    case 2: field = k == "ph" ? &e.ph : k == "ts" ? &e.ts : k == "id" ? &e.id : nullptr; break;
                    case 3: field = k == "cat" ? &e.cat : k == "dur" ? &e.dur : k == "pid" ? &e.pid : k == "tid" ? &e.tid : nullptr; break;
                    case 4:
                        if (k == "args") {
                            e.args = sc.skip_value();
                            return;
                        }
                        field = k == "name" ? &e.name : nullptr;
                        break;
                    default: break;
                }
                if (field) sc.value(*field);
                else sc.skip_value();
            });
            b.event(e);
        } while (sc.more(']'));
    };
    const char c = sc.peek();
    if (c == '[') {
        events();
    } else if (c == '{') {
        sc.object(key, [&](const std::string& k) {
            if (k != "traceEvents") sc.skip_value();
            else if (sc.peek() == '[') events();
            else if (Val v; sc.value(v), v.kind != Val::null) sc.fail("traceEvents is not an array");
        });
    } else {
        sc.skip_value();
    }
    if (!sc.at_end()) sc.fail("trailing characters");
    return b.finish();
}

}  // namespace tblog::view
