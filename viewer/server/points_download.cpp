#include "points_download.hpp"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <shared_mutex>

#include "http/response.hpp"
#include "scalar_json.hpp"

namespace tblog::view {

// Every point of a series, as CSV or JSON. A series longer than kStreamedPoints is sent as
// it is written, kPiecePoints points at a time, each piece under the run's lock (a 3 M-point
// CSV is ~100 MB, outside the memory budget if built whole); the answer is the same bytes,
// the points the series held when asked. Points dropped meanwhile (a restarted job's
// truncation, the run or tag gone) cut the body, as the answer can no longer be completed.
void send_points(const ServerContext& ctx, const Run& run, const std::string& tag, const Series& s, bool csv,
                 httplib::Response& res) {
    const char* type = csv ? "text/csv; charset=utf-8" : "application/json";
    std::shared_ptr<Run> owner = s.scalars.size() > kStreamedPoints ? ctx.store.find(run.name()) : nullptr;
    if (owner.get() != &run) return send_body(res, csv ? points_csv(s.scalars) : points_json(s.scalars), type);
    struct Cursor {
        std::shared_ptr<Run> run;
        std::string tag;
        const Series* series;
        std::uint64_t epoch;
        std::size_t next, end;
    };
    auto cur = std::make_shared<Cursor>(Cursor{std::move(owner), tag, &s, s.scalars.epoch(), 0, s.scalars.size()});
    http::stream_pieces(res, type, [cur, csv](std::string& out) {
        std::shared_lock lk(cur->run->mutex);
        const Series* now = cur->run->find(cur->tag);
        if (now != cur->series || now->scalars.epoch() != cur->epoch) return http::Piece::cut;  // points dropped
        const std::size_t from = cur->next, to = std::min(cur->end, from + kPiecePoints);
        if (from == 0) out += csv ? kPointsCsvHeader : "[";
        if (csv)
            append_points_csv_rows(out, now->scalars, from, to);
        else
            append_points_json_items(out, now->scalars, from, to);
        cur->next = to;
        if (to == cur->end && !csv) out += ']';
        return to < cur->end ? http::Piece::more : http::Piece::last;
    });
}

}  // namespace tblog::view
