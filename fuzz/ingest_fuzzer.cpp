// The viewer's event ingest (viewer/server/ingest.cpp): a sequence of records applied to one
// run, then every stored tensor decoded as the plugin routes decode it.
// Input: records one after another, each as a little-endian u32 length and that many bytes;
// what is left at the end is the last record (so a bare Event is an input too).
#include <cstring>
#include <mutex>
#include <vector>

#include "ingest.hpp"
#include "tensor_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
    using namespace tblog::view;
    Run run("fuzz", "/nonexistent");
    SamplingPolicy policy;
    policy.tensors = 4;
    policy.blob_sequences = 3;
    std::unique_lock<std::shared_mutex> lk(run.mutex);
    RunIngestor ingest(run, policy);
    const char* p = reinterpret_cast<const char*>(data);
    std::size_t left = size;
    while (left > 0) {
        std::uint32_t len = 0;
        if (left >= 4) std::memcpy(&len, p, 4);
        if (left < 4 || len > left - 4) {
            ingest.apply(std::string_view(p, left));
            break;
        }
        ingest.apply(std::string_view(p + 4, len));
        p += 4 + len;
        left -= 4 + len;
    }
    std::vector<double> values;
    for (const auto& [tag, series] : run.series) {
        for (const auto& item : series.tensors.items()) {
            const auto bytes = item.value.bytes();  // kept while `t` may point into it
            Tensor t;
            if (parse_tensor(*bytes, t) && !t.is_string()) t.to_doubles(values);
        }
    }
    return 0;
}
