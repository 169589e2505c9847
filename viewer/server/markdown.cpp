#include "markdown.hpp"

#include <cctype>
#include <vector>

#include "tblog/detail/text/utf8.hpp"

namespace tblog::view {

namespace {

std::string attr_escape(std::string_view s) {
    std::string out;
    for (char c : s) {
        if (c == '&') out += "&amp;";
        else if (c == '"') out += "&quot;";
        else if (c == '<') out += "&lt;";
        else if (c == '>') out += "&gt;";
        else out += c;
    }
    return out;
}

// bleach keeps http, https and mailto links (and relative ones).
bool safe_url(std::string_view url) {
    const auto colon = url.find(':');
    if (colon == std::string_view::npos) return true;
    const auto slash = url.find_first_of("/?#");
    if (slash != std::string_view::npos && slash < colon) return true;  // relative, ':' later
    std::string scheme;
    for (char c : url.substr(0, colon)) scheme += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return scheme == "http" || scheme == "https" || scheme == "mailto";
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

bool is_blank(std::string_view s) { return trim(s).empty(); }

// ---- inline ---------------------------------------------------------------------------------

class Inline {
public:
    explicit Inline(std::string_view s) : s_(s) {}

    std::string render() {
        std::string out;
        while (i_ < s_.size()) {
            const char c = s_[i_];
            if (c == '\\' && i_ + 1 < s_.size() && std::ispunct(static_cast<unsigned char>(s_[i_ + 1]))) {
                out += html_escape(s_.substr(i_ + 1, 1));
                i_ += 2;
            } else if (c == '`') {
                code_span(out);
            } else if (c == '*' || c == '_') {
                emphasis(out);
            } else if (c == '!' && i_ + 1 < s_.size() && s_[i_ + 1] == '[') {
                if (!link(out, true)) out += "!", ++i_;
            } else if (c == '[') {
                if (!link(out, false)) out += "[", ++i_;
            } else if (c == '<') {
                if (!autolink(out)) out += "&lt;", ++i_;
            } else if (c == '\n') {
                // Two trailing spaces make a hard break.
                std::size_t k = out.size();
                while (k > 0 && out[k - 1] == ' ') --k;
                if (out.size() - k >= 2) {
                    out.resize(k);
                    out += "<br>\n";
                } else {
                    out += '\n';
                }
                ++i_;
            } else {
                out += html_escape(s_.substr(i_, 1));
                ++i_;
            }
        }
        return out;
    }

private:
    void code_span(std::string& out) {
        std::size_t ticks = 0;
        while (i_ + ticks < s_.size() && s_[i_ + ticks] == '`') ++ticks;
        const std::string fence(ticks, '`');
        const std::size_t close = s_.find(fence, i_ + ticks);
        if (close == std::string_view::npos) {
            out += fence;
            i_ += ticks;
            return;
        }
        out += "<code>" + html_escape(trim(s_.substr(i_ + ticks, close - i_ - ticks))) + "</code>";
        i_ = close + ticks;
    }

    void emphasis(std::string& out) {
        const char c = s_[i_];
        const bool dbl = i_ + 1 < s_.size() && s_[i_ + 1] == c;
        const std::size_t n = dbl ? 2 : 1;
        const std::string marker(n, c);
        // '_' inside a word is literal (snake_case).
        const bool left_word = i_ > 0 && std::isalnum(static_cast<unsigned char>(s_[i_ - 1]));
        if (c == '_' && left_word) return out += marker, void(i_ += n);
        if (i_ + n >= s_.size() || s_[i_ + n] == ' ') return out += marker, void(i_ += n);
        std::size_t close = i_ + n;
        while ((close = s_.find(marker, close)) != std::string_view::npos) {
            const bool space_before = s_[close - 1] == ' ';
            const bool right_word = close + n < s_.size() && std::isalnum(static_cast<unsigned char>(s_[close + n]));
            if (!space_before && close > i_ + n && !(c == '_' && right_word)) break;
            close += n;
        }
        if (close == std::string_view::npos) return out += marker, void(i_ += n);
        const char* tag = dbl ? "strong" : "em";
        out += std::string("<") + tag + ">" + Inline(s_.substr(i_ + n, close - i_ - n)).render() + "</" + tag + ">";
        i_ = close + n;
    }

    // [text](url "title") or ![alt](src "title")
    bool link(std::string& out, bool image) {
        const std::size_t open = i_ + (image ? 1 : 0);
        std::size_t depth = 0, close = open;
        for (; close < s_.size(); ++close) {
            if (s_[close] == '[') ++depth;
            else if (s_[close] == ']' && --depth == 0) break;
        }
        if (close >= s_.size() || close + 1 >= s_.size() || s_[close + 1] != '(') return false;
        const std::size_t paren = s_.find(')', close + 2);
        if (paren == std::string_view::npos) return false;
        std::string_view target = trim(s_.substr(close + 2, paren - close - 2));
        std::string_view title;
        if (const auto sp = target.find_first_of(" \t"); sp != std::string_view::npos) {
            std::string_view rest = trim(target.substr(sp));
            if (rest.size() >= 2 && (rest.front() == '"' || rest.front() == '\'') && rest.back() == rest.front())
                title = rest.substr(1, rest.size() - 2);
            target = target.substr(0, sp);
        }
        if (target.size() >= 2 && target.front() == '<' && target.back() == '>') target = target.substr(1, target.size() - 2);
        const std::string_view text = s_.substr(open + 1, close - open - 1);
        const std::string href = safe_url(target) ? " " + std::string(image ? "src" : "href") + "=\"" + attr_escape(target) + "\"" : "";
        const std::string t = title.empty() ? "" : " title=\"" + attr_escape(title) + "\"";
        if (image)
            out += "<img alt=\"" + attr_escape(text) + "\"" + href + t + ">";
        else
            out += "<a" + href + t + ">" + Inline(text).render() + "</a>";
        i_ = paren + 1;
        return true;
    }

    // <http://...>, <mailto:...>
    bool autolink(std::string& out) {
        const std::size_t close = s_.find('>', i_);
        if (close == std::string_view::npos) return false;
        const std::string_view url = s_.substr(i_ + 1, close - i_ - 1);
        if (url.find(' ') != std::string_view::npos || url.find(':') == std::string_view::npos || !safe_url(url) ||
            url.find("://") == std::string_view::npos)
            return false;
        out += "<a href=\"" + attr_escape(url) + "\">" + html_escape(url) + "</a>";
        i_ = close + 1;
        return true;
    }

    std::string_view s_;
    std::size_t i_ = 0;
};

std::string inline_html(std::string_view s) { return Inline(s).render(); }

// ---- blocks ---------------------------------------------------------------------------------

std::vector<std::string_view> split_lines(std::string_view s) {
    std::vector<std::string_view> lines;
    std::size_t start = 0;
    while (start <= s.size()) {
        const std::size_t nl = s.find('\n', start);
        if (nl == std::string_view::npos) {
            lines.push_back(s.substr(start));
            break;
        }
        lines.push_back(s.substr(start, nl - start));
        start = nl + 1;
    }
    return lines;
}

bool is_hr(std::string_view l) {
    l = trim(l);
    if (l.size() < 3) return false;
    const char c = l[0];
    if (c != '-' && c != '*' && c != '_') return false;
    int n = 0;
    for (char x : l) {
        if (x == c) ++n;
        else if (x != ' ') return false;
    }
    return n >= 3;
}

int atx_level(std::string_view l) {
    int n = 0;
    while (n < static_cast<int>(l.size()) && l[n] == '#') ++n;
    return (n >= 1 && n <= 6) ? n : 0;
}

// "- x", "* x", "+ x" -> 1 (ul); "1. x" -> 2 (ol); else 0. `body` gets the item text.
int list_item(std::string_view l, std::string_view& body) {
    std::string_view t = l;
    while (!t.empty() && t.front() == ' ') t.remove_prefix(1);
    if (t.size() >= 2 && (t[0] == '-' || t[0] == '*' || t[0] == '+') && t[1] == ' ') {
        body = trim(t.substr(2));
        return 1;
    }
    std::size_t d = 0;
    while (d < t.size() && std::isdigit(static_cast<unsigned char>(t[d]))) ++d;
    if (d > 0 && d + 1 < t.size() && t[d] == '.' && t[d + 1] == ' ') {
        body = trim(t.substr(d + 2));
        return 2;
    }
    return 0;
}

std::vector<std::string_view> table_cells(std::string_view l) {
    l = trim(l);
    if (!l.empty() && l.front() == '|') l.remove_prefix(1);
    if (!l.empty() && l.back() == '|') l.remove_suffix(1);
    std::vector<std::string_view> cells;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= l.size(); ++i) {
        if (i == l.size() || (l[i] == '|' && (i == 0 || l[i - 1] != '\\'))) {
            cells.push_back(trim(l.substr(start, i - start)));
            start = i + 1;
        }
    }
    return cells;
}

bool is_table_separator(std::string_view l) {
    if (l.find('-') == std::string_view::npos || l.find('|') == std::string_view::npos) return false;
    for (char c : trim(l))
        if (c != '|' && c != '-' && c != ':' && c != ' ') return false;
    return true;
}

std::string render_blocks(const std::vector<std::string_view>& lines) {
    std::vector<std::string> blocks;
    std::size_t i = 0;
    const std::size_t n = lines.size();
    while (i < n) {
        std::string_view l = lines[i];
        if (is_blank(l)) {
            ++i;
            continue;
        }
        // Fenced code.
        if (trim(l).rfind("```", 0) == 0 || trim(l).rfind("~~~", 0) == 0) {
            const std::string fence(trim(l).substr(0, 3));
            std::string code;
            std::size_t j = i + 1;
            for (; j < n && trim(lines[j]).rfind(fence, 0) != 0; ++j) code += std::string(lines[j]) + "\n";
            blocks.push_back("<pre><code>" + html_escape(code) + "</code></pre>");
            i = j < n ? j + 1 : j;
            continue;
        }
        // Indented code.
        if (l.rfind("    ", 0) == 0 || l.rfind("\t", 0) == 0) {
            std::string code;
            std::size_t j = i;
            std::size_t last_nonblank = i;
            for (; j < n && (is_blank(lines[j]) || lines[j].rfind("    ", 0) == 0 || lines[j].rfind("\t", 0) == 0); ++j)
                if (!is_blank(lines[j])) last_nonblank = j;
            for (std::size_t k = i; k <= last_nonblank; ++k) {
                std::string_view c = lines[k];
                c.remove_prefix(c.rfind("\t", 0) == 0 ? 1 : std::min<std::size_t>(4, c.size()));
                code += std::string(c) + "\n";
            }
            blocks.push_back("<pre><code>" + html_escape(code) + "</code></pre>");
            i = last_nonblank + 1;
            continue;
        }
        if (const int level = atx_level(l)) {
            std::string_view text = trim(l.substr(static_cast<std::size_t>(level)));
            while (!text.empty() && text.back() == '#') text.remove_suffix(1);
            const std::string h = "h" + std::to_string(level);
            blocks.push_back("<" + h + ">" + inline_html(trim(text)) + "</" + h + ">");
            ++i;
            continue;
        }
        if (is_hr(l)) {
            blocks.push_back("<hr>");
            ++i;
            continue;
        }
        if (trim(l).rfind(">", 0) == 0) {
            std::vector<std::string_view> inner;
            std::size_t j = i;
            for (; j < n && !is_blank(lines[j]); ++j) {
                std::string_view q = trim(lines[j]);
                if (!q.empty() && q.front() == '>') q.remove_prefix(1);
                if (!q.empty() && q.front() == ' ') q.remove_prefix(1);
                inner.push_back(q);
            }
            blocks.push_back("<blockquote>\n" + render_blocks(inner) + "\n</blockquote>");
            i = j;
            continue;
        }
        std::string_view body;
        if (const int kind = list_item(l, body)) {
            const char* tag = kind == 1 ? "ul" : "ol";
            std::string html = std::string("<") + tag + ">\n";
            std::size_t j = i;
            while (j < n && !is_blank(lines[j])) {
                std::string_view item;
                if (list_item(lines[j], item) != kind) break;
                std::string text(item);
                for (++j; j < n && !is_blank(lines[j]) && !list_item(lines[j], item); ++j)
                    text += "\n" + std::string(trim(lines[j]));
                html += "<li>" + inline_html(text) + "</li>\n";
            }
            blocks.push_back(html + "</" + tag + ">");
            i = j;
            continue;
        }
        if (i + 1 < n && l.find('|') != std::string_view::npos && is_table_separator(lines[i + 1])) {
            const auto head = table_cells(l);
            std::string html = "<table>\n<thead>\n<tr>\n";
            for (auto c : head) html += "<th>" + inline_html(c) + "</th>\n";
            html += "</tr>\n</thead>\n<tbody>\n";
            std::size_t j = i + 2;
            for (; j < n && !is_blank(lines[j]) && lines[j].find('|') != std::string_view::npos; ++j) {
                auto cells = table_cells(lines[j]);
                html += "<tr>\n";
                for (std::size_t k = 0; k < head.size(); ++k)
                    html += "<td>" + (k < cells.size() ? inline_html(cells[k]) : std::string()) + "</td>\n";
                html += "</tr>\n";
            }
            blocks.push_back(html + "</tbody>\n</table>");
            i = j;
            continue;
        }
        // Paragraph (possibly a setext header).
        std::string text;
        std::size_t j = i;
        for (; j < n && !is_blank(lines[j]); ++j) {
            std::string_view t = lines[j];
            if (j > i && (atx_level(t) || trim(t).rfind("```", 0) == 0 || trim(t).rfind(">", 0) == 0)) break;
            if (j > i && !trim(t).empty() && (trim(t).find_first_not_of('=') == std::string_view::npos ||
                                              trim(t).find_first_not_of('-') == std::string_view::npos)) {
                const char* h = trim(t)[0] == '=' ? "h1" : "h2";
                blocks.push_back(std::string("<") + h + ">" + inline_html(text) + "</" + h + ">");
                text.clear();
                ++j;
                break;
            }
            if (j > i && is_hr(t)) break;
            std::string_view line = t;
            while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
            if (!text.empty()) text += "\n";
            text += std::string(line);
        }
        if (!text.empty()) {
            while (!text.empty() && (text.back() == ' ' || text.back() == '\r')) text.pop_back();
            blocks.push_back("<p>" + inline_html(text) + "</p>");
        }
        i = j;
    }
    std::string out;
    for (std::size_t k = 0; k < blocks.size(); ++k) {
        if (k) out += "\n";
        out += blocks[k];
    }
    return out;
}

}  // namespace

std::string html_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        if (c == '&') out += "&amp;";
        else if (c == '<') out += "&lt;";
        else if (c == '>') out += "&gt;";
        else out += c;
    }
    return out;
}

std::string markdown_to_safe_html(std::string_view markdown) {
    // Bytes that are not UTF-8 (other writers may store any bytes) become U+FFFD: the HTML
    // goes into JSON, which cannot carry them.
    const std::string decoded = tblog::detail::utf8::replace_invalid(markdown);
    std::string src;
    src.reserve(decoded.size());
    std::size_t nulls = 0;
    for (char c : decoded) {
        if (c == '\0') ++nulls;
        else if (c != '\r') src += c;
    }
    std::string warning;
    if (nulls)
        warning = "<!-- WARNING: discarded " + std::to_string(nulls) +
                  " null bytes in markdown string after UTF-8 decoding -->\n";
    return warning + render_blocks(split_lines(src));
}

}  // namespace tblog::view
