// Puts add_embedding's files on disk (summary/embedding.hpp builds their contents,
// embedding_files.hpp names them).
// Each file is written to a temporary name and renamed, so TensorBoard never reads half a
// file; projector_config.pbtxt is read, extended and replaced under a process-wide lock so
// concurrent add_embedding calls do not lose each other's blocks.
#pragma once

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <string>
#include <system_error>

#include "tblog/detail/io/embedding_files.hpp"
#include "tblog/detail/io/naming.hpp"
#include "tblog/detail/io/storage.hpp"

namespace tblog::detail {

inline void write_file_atomic(const std::filesystem::path& path, const std::string& content) {
    static std::atomic<std::uint64_t> counter{0};
    std::filesystem::path tmp = path;
    tmp += ".tmp." + std::to_string(process_id()) + "." + std::to_string(counter.fetch_add(1));
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out.write(content.data(), static_cast<std::streamsize>(content.size()));
        out.close();
        if (!out) {
            std::error_code ignored;
            std::filesystem::remove(tmp, ignored);
            throw std::system_error(std::make_error_code(std::errc::io_error),
                                    "tblog: cannot write '" + tmp.string() + "'");
        }
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
        std::error_code ignored;
        std::filesystem::remove(tmp, ignored);
        throw std::system_error(ec, "tblog: cannot replace '" + path.string() + "'");
    }
}

// The same for a log_dir in an object store (s3://...): each file is one PUT (an object is
// replaced whole, so readers never see half of one); the config is read, extended and put
// back under the same lock.
inline void write_embedding_files(Storage& storage, const std::string& log_dir, const EmbeddingFiles& f) {
    const std::string dir = log_dir + "/" + f.subdir;
    if (f.metadata_tsv) storage.put_file(dir + "/" + std::string(kMetadataTsv), *f.metadata_tsv);
    if (f.sprite_png) storage.put_file(dir + "/" + std::string(kSpritePng), *f.sprite_png);
    storage.put_file(dir + "/" + std::string(kTensorsTsv), f.tensors_tsv);
    static std::mutex config_mutex;
    std::lock_guard<std::mutex> lk(config_mutex);
    const std::string config = log_dir + "/" + std::string(kProjectorConfig);
    storage.put_file(config, storage.get_file(config).value_or("") + f.projector_block);
}

inline void write_embedding_files(const std::string& log_dir, const EmbeddingFiles& f) {
    namespace fs = std::filesystem;
    const fs::path dir = fs::path(log_dir) / f.subdir;
    std::error_code ec;
    if (fs::exists(dir, ec) && !fs::is_directory(dir, ec))
        throw std::system_error(std::make_error_code(std::errc::not_a_directory),
                                "tblog: add_embedding: '" + dir.string() + "' exists and is not a directory");
    fs::create_directories(dir, ec);
    if (ec) throw std::system_error(ec, "tblog: add_embedding: cannot create '" + dir.string() + "'");
    if (f.metadata_tsv) write_file_atomic(dir / kMetadataTsv, *f.metadata_tsv);
    if (f.sprite_png) write_file_atomic(dir / kSpritePng, *f.sprite_png);
    write_file_atomic(dir / kTensorsTsv, f.tensors_tsv);

    static std::mutex config_mutex;
    std::lock_guard<std::mutex> lk(config_mutex);
    const fs::path config = fs::path(log_dir) / kProjectorConfig;
    std::string text;
    if (std::ifstream in{config, std::ios::binary}) text.assign(std::istreambuf_iterator<char>(in), {});
    write_file_atomic(config, text + f.projector_block);
}

}  // namespace tblog::detail
