// Must NOT compile: SummaryWriter given a LibTorch tensor, as a TensorView argument and as
// add_scalar's value. ctest compile_fail_torch_tensor (check.cmake) runs the compiler on it
// and passes only if both calls fail with the error naming tblog::TorchSummaryWriter and
// <tblog/torch.hpp>. A stand-in with at::Tensor's members keeps LibTorch out of the build.
#include <cstdint>
#include <vector>

#include "tblog/writer.hpp"

namespace at {
enum class ScalarType { Float };
struct Tensor {
    std::vector<std::int64_t> sizes() const { return {2}; }
    ScalarType scalar_type() const { return ScalarType::Float; }
    void* data_ptr() const { return nullptr; }
};
}  // namespace at

int main() {
    tblog::SummaryWriter w("runs/never");
    at::Tensor t;
    w.add_image("img", t);
    w.add_scalar("loss", t, 0);
}
