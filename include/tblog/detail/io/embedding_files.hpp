// What one add_embedding call puts on disk, as TensorBoard's projector reads it: the contract
// between the builder that makes the contents (summary/embedding.hpp, pure) and the code that
// writes them (projector_files.hpp). Only names and bytes here: no I/O.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tblog::detail {

inline constexpr std::string_view kProjectorConfig = "projector_config.pbtxt";  // in the logdir
inline constexpr std::string_view kTensorsTsv = "tensors.tsv";                  // in <subdir>
inline constexpr std::string_view kMetadataTsv = "metadata.tsv";
inline constexpr std::string_view kSpritePng = "sprite.png";

// Paths relative to the logdir.
struct EmbeddingFiles {
    std::string subdir;                       // "<step:05d>/<encoded tag>"
    std::string tensors_tsv;
    std::optional<std::string> metadata_tsv;
    std::optional<std::string> sprite_png;
    std::string projector_block;              // appended to projector_config.pbtxt
};

}  // namespace tblog::detail
