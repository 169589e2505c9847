// The markdown renderer (viewer/server/markdown.cpp): text summaries and tag descriptions are
// rendered from whatever an event file holds. Besides not crashing, the output must never
// carry a raw tag from the input (every '<' in the output opens one of the renderer's own
// tags), and it must be valid UTF-8 whatever the input bytes (it is sent as JSON).
#include <string>

#include "markdown.hpp"
#include "tblog/detail/text/utf8.hpp"

namespace {

bool own_tags_only(const std::string& html) {
    static const char* const allowed[] = {"p>", "/p>", "h1", "h2", "h3", "h4", "h5", "h6", "/h",
                                          "em>", "/em>", "strong>", "/strong>", "code", "/code>",
                                          "pre>", "/pre>", "a ", "a>", "/a>", "img ", "br", "hr",
                                          "blockquote>", "/blockquote>", "ul>", "/ul>", "ol",
                                          "/ol>", "li>", "/li>", "table>", "/table>", "thead>",
                                          "/thead>", "tbody>", "/tbody>", "tr>", "/tr>", "th",
                                          "/th>", "td", "/td>", "del>", "/del>", "!-- WARNING"};
    for (std::size_t i = html.find('<'); i != std::string::npos; i = html.find('<', i + 1)) {
        bool ok = false;
        for (const char* a : allowed)
            if (html.compare(i + 1, std::char_traits<char>::length(a), a) == 0) ok = true;
        if (!ok) return false;
    }
    return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
    const std::string_view md(reinterpret_cast<const char*>(data), size);
    const std::string html = tblog::view::markdown_to_safe_html(md);
    if (!own_tags_only(html)) __builtin_trap();
    if (!tblog::detail::utf8::is_valid(html)) __builtin_trap();  // it goes into JSON
    const std::string escaped = tblog::view::html_escape(md);
    if (escaped.find('<') != std::string::npos) __builtin_trap();
    return 0;
}
