// tblog-view: serves TensorBoard's data API (and tblog's web UI) for a logdir.
//
//   tblog-view --logdir runs            then open the printed URL
//   tblog-view export --logdir runs --out report/   a static snapshot (export/exporter.hpp)
#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <pthread.h>
#include <string_view>
#include <thread>

#include "export/exporter.hpp"
#include "record_scan.hpp"
#include "store.hpp"
#include "version.hpp"
#include "viewer.hpp"

namespace {

int export_main(int argc, char** argv) {
    using namespace tblog::view::exporting;
    ExportOptions opt;
    try {
        opt = parse_export_options(argc, argv);
    } catch (const std::invalid_argument& e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 2;
    }
    if (opt.viewer.help) {
        std::fputs(export_usage().c_str(), stdout);
        return 0;
    }
    try {
        const ExportSummary s = run_export(opt);
        const auto& where = opt.single_file.empty() ? opt.out : opt.single_file;
        std::printf("tblog-view %s: exported %zu answers, %.1f MB, to %s\n", tblog::view::kVersion, s.files,
                    s.bytes / 1e6, where.string().c_str());
        if (s.spilled_bytes)
            std::printf("  (%.1f MB of the logdir's data waited in the cache file: --max_memory)\n", s.spilled_bytes / 1e6);
        std::fflush(stdout);
        if (opt.open)
            serve_folder(opt.out, opt.viewer.port, [](const std::string& url) {
                std::printf("serving the export at %s (Press CTRL+C to quit)\n", url.c_str());
                std::fflush(stdout);
            });
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 1;
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    using namespace tblog::view;
    if (argc > 1 && std::string_view(argv[1]) == "export") return export_main(argc - 2, argv + 2);
    Options opt;
    try {
        opt = parse_options(argc, argv);
    } catch (const std::invalid_argument& e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 2;
    }
    if (opt.help) {
        std::fputs(usage().c_str(), stdout);
        return 0;
    }

    // SIGINT/SIGTERM are taken by a thread (sigwait) rather than an async handler, so that
    // stopping runs ordinary code. Blocked before any other thread starts, so all inherit it.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

    Viewer viewer(opt);
    // --max_memory bounds the process, not only the store's data: what the process holds
    // before it loads anything (code, libraries, the embedded UI, the HTTP server) and what
    // each loading thread holds while it reads (its 4 MiB read buffer, one batch ingested
    // before the budget is enforced again) and the chunk pool's few warm free blocks are set
    // aside from the budget first.
    if (opt.max_memory) {
        const unsigned threads = opt.load_threads > 0 ? static_cast<unsigned>(opt.load_threads)
                                                      : std::max(1u, std::thread::hardware_concurrency());
        viewer.store().budget().reserve(static_cast<std::int64_t>(process_resident_bytes() + threads * 2 * kScanChunk +
                                                                  ChunkPool::kWarmBlocks * ChunkPool::kBlockBytes));
    }
    try {
        viewer.bind();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 1;
    }
    std::atomic<bool> served{false};
    std::thread([&] {
        int sig = 0;
        sigwait(&stop_signals, &sig);
        // serve() returns and main stops the rest; retried in case the signal came before
        // the server started listening (a stop then would be a no-op).
        while (!served) {
            viewer.interrupt();
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    }).detach();

    std::printf("tblog-view %s at %s (Press CTRL+C to quit)\n", kVersion, viewer.url().c_str());
    if (!opt.bind_all && opt.host != "127.0.0.1" && opt.host != "localhost" && opt.host != "::1")
        std::printf("Note: --host %s may expose the data beyond this machine.\n", opt.host.c_str());
    std::fflush(stdout);
    viewer.serve();
    served = true;
    viewer.stop();
    return 0;
}
