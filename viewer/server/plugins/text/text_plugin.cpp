// Text: /data/plugin/text/{tags,text}. A point is a DT_STRING tensor: a scalar is rendered
// as Markdown, a vector or matrix as an HTML table of rendered cells (higher ranks show their
// first 2-d slice after a warning), as TensorBoard's text plugin does.
#include "markdown.hpp"
#include "plugin_index.hpp"
#include "routes.hpp"
#include "tensor_util.hpp"

namespace tblog::view {

namespace {

constexpr const char* kPlugin = "text";

std::string table(const std::vector<std::string>& cells, std::size_t rows, std::size_t cols) {
    std::string out = "<table>\n<tbody>\n";
    for (std::size_t r = 0; r < rows; ++r) {
        out += "<tr>\n";
        for (std::size_t c = 0; c < cols; ++c) out += "<td>" + cells[r * cols + c] + "</td>\n";
        out += "</tr>\n";
    }
    return out + "</tbody>\n</table>";
}

// At most this much of one string is rendered per answer (a 200 MB text would otherwise cost
// seconds and gigabytes per request); the rest is announced, not sent.
constexpr std::size_t kMaxTextBytes = std::size_t{1} << 20;

std::string bounded(std::string_view s, bool markdown) {
    if (s.size() <= kMaxTextBytes) {
        const std::string text(s);
        return markdown ? markdown_to_safe_html(text) : html_escape(text);
    }
    std::size_t cut = kMaxTextBytes;
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;  // not inside a UTF-8 sequence
    const std::string text(s.substr(0, cut));
    return (markdown ? markdown_to_safe_html(text) : html_escape(text)) + "\n<p><em>(text truncated: the first " +
           std::to_string(cut) + " of " + std::to_string(s.size()) + " bytes are shown)</em></p>";
}

std::string text_to_html(const StringTensorView& t, bool markdown) {
    auto render = [&](std::string_view s) { return bounded(s, markdown); };
    const auto& strings = t.strings;
    if (t.shape.empty()) return strings.empty() ? std::string() : render(strings[0]);
    std::string warning;
    std::size_t rows = static_cast<std::size_t>(std::max<std::int64_t>(t.shape[0], 0)), cols = 1;
    if (t.shape.size() >= 2) {
        // First 2-d slice: arr[0, ..., 0, :, :], which is the first rows*cols elements.
        rows = static_cast<std::size_t>(std::max<std::int64_t>(t.shape[t.shape.size() - 2], 0));
        cols = static_cast<std::size_t>(std::max<std::int64_t>(t.shape.back(), 0));
        if (t.shape.size() > 2)
            warning = markdown_to_safe_html("**Warning:** This text summary contained data of dimensionality " +
                                            std::to_string(t.shape.size()) +
                                            ", but only   2d tables are supported. Showing a 2d slice of the data instead.");
    }
    // A shape promising more cells than there are strings (damaged or hostile data) is cut to
    // the strings present: the table never grows beyond the data.
    if (cols > strings.size()) cols = std::max<std::size_t>(strings.size(), 1);
    if (rows > strings.size() / cols + 1) rows = strings.size() / cols + 1;
    std::vector<std::string> cells;
    for (std::size_t i = 0; i < rows * cols; ++i)
        cells.push_back(i < strings.size() ? render(strings[i]) : std::string());
    return warning + table(cells, rows, cols);
}

}  // namespace

void register_text_routes(Router& srv, ServerContext& ctx) {
    // {run: [tag, ...]}
    srv.Get("/data/plugin/text/tags", [&ctx](const httplib::Request&, httplib::Response& res) {
        json out = json::object();
        for_each_series(ctx.store, kPlugin, DataClass::tensor,
                        [&](const Run& run, const std::string& tag, const Series&) { out[run.name()].push_back(tag); });
        send_json(res, out);
    });

    // [{wall_time, step, text}], text as HTML (markdown=false: escaped plain text).
    srv.Get("/data/plugin/text/text", [&ctx](const httplib::Request& req, httplib::Response& res) {
        const bool markdown = param_or(req, "markdown", "true") != "false";
        with_series(ctx, req, res, kPlugin, DataClass::tensor, [&](const Run&, const Series& s) {
            json out = json::array();
            StringTensorView t;
            for (const auto& it : s.tensors.items()) {
                // `t` views into the bytes: they are held for as long as it is used (a spilled
                // payload's bytes are a fresh copy that lives only as long as this pointer).
                const auto bytes = it.value.bytes();
                if (!parse_string_tensor(*bytes, t)) continue;
                out.push_back({{"wall_time", jnum(it.wall_time)}, {"step", it.step}, {"text", text_to_html(t, markdown)}});
            }
            send_json(res, out);
        });
    });
}

const PluginUnit& text_plugin() {
    static const PluginUnit unit{"text",
                                 {{"text", DataClass::tensor}},
                                 {{"text", "text", "tf-text-dashboard", nullptr, false, {"text"}}},
                                 register_text_routes};
    return unit;
}

}  // namespace tblog::view
