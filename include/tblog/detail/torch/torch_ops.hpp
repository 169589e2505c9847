// LibTorch operator profiling for tblog::Profiler (included by tblog/torch.hpp only).
//
// While the profiler records, a global RecordFunction callback pair (at::addGlobalCallback
// with an at::RecordFunctionCallback, LibTorch 1.13's ATen/record_function.h) turns every
// op LibTorch runs — aten:: ops, autograd nodes on whatever thread runs backward, user
// scopes such as the optimizer's — into an op span on its own thread's track: its name,
// scope, sequence number (which links a forward op to the backward node autograd made for
// it) and, with record_shapes, its input shapes. When the profiler is not recording, the
// callbacks are removed, so LibTorch pays nothing (RecordFunction is inactive without
// callbacks). Why a thread-local stack instead of an ObserverContext per op: RecordFunction
// start/end pairs nest strictly on their thread, so a reused stack frame keeps the start
// time (and shapes, as integers) without allocating per op.
#pragma once

#include <ATen/record_function.h>

#include <atomic>
#include <stdexcept>
#include <string>
#include <vector>

#include "tblog/profiler.hpp"

namespace tblog {

struct TorchOpOptions {
    // Record each op's input shapes ("Input Dims", as torch.profiler's record_shapes):
    // needs the op's inputs at its start, so it costs more per op.
    bool record_shapes = false;
};

namespace detail::torch_ops {

struct Frame {
    std::int64_t t0 = 0;
    // Input shapes as integers (detail::trace::format_input_dims), empty when not recorded;
    // keeps its capacity across ops. Made into text once per distinct list, not per op.
    std::vector<std::int64_t> dims;
};
struct Stack {
    std::vector<Frame> frames;
    std::size_t depth = 0;
};
inline thread_local Stack tls_stack;
inline std::atomic<Profiler*> active{nullptr};
inline std::atomic<bool> record_shapes{false};

inline OpScope scope_of(at::RecordScope s) {
    switch (s) {
        case at::RecordScope::FUNCTION: return OpScope::forward;
        case at::RecordScope::BACKWARD_FUNCTION: return OpScope::backward;
        case at::RecordScope::USER_SCOPE: return OpScope::user;
        case at::RecordScope::TORCHSCRIPT_FUNCTION: return OpScope::torchscript;
        default: return OpScope::other;
    }
}

// One entry per input, rank 0 for inputs that are not tensors (Kineto's "Input Dims" gives
// them an empty list, as it does scalars): "[[4,3],[3],[]]" once formatted.
inline void collect_dims(c10::ArrayRef<const c10::IValue> inputs, std::vector<std::int64_t>& out) {
    out.push_back(static_cast<std::int64_t>(inputs.size()));
    for (const auto& v : inputs) {
        if (!v.isTensor() || !v.toTensor().defined()) {
            out.push_back(0);
            continue;
        }
        const auto sizes = v.toTensor().sizes();
        out.push_back(static_cast<std::int64_t>(sizes.size()));
        out.insert(out.end(), sizes.begin(), sizes.end());
    }
}

inline std::unique_ptr<at::ObserverContext> on_start(const at::RecordFunction& fn) {
    Stack& st = tls_stack;
    if (st.depth == st.frames.size()) st.frames.emplace_back();
    Frame& f = st.frames[st.depth++];
    f.dims.clear();
    if (record_shapes.load(std::memory_order_relaxed) && fn.needsInputs()) collect_dims(fn.inputs(), f.dims);
    f.t0 = Profiler::clock_ns();
    return nullptr;
}

inline void on_end(const at::RecordFunction& fn, at::ObserverContext*) {
    const std::int64_t t1 = Profiler::clock_ns();
    Stack& st = tls_stack;
    if (st.depth == 0) return;  // started before the callbacks were added
    const Frame& f = st.frames[--st.depth];
    Profiler* p = active.load(std::memory_order_acquire);
    if (!p) return;
    const OpScope scope = scope_of(fn.scope());
    // LibTorch's thread ids (RecordFunction::currentThreadId), not OS ids, on both sides.
    const std::uint64_t fwd_thread = scope == OpScope::backward ? fn.forwardThreadId() : fn.threadId();
    p->record_op({fn.name(), f.t0, t1, scope, fn.seqNr(), fwd_thread, {}, f.dims.data(), f.dims.size()});
}

}  // namespace detail::torch_ops

// Records every LibTorch op as an op span while `profiler` records (its profile_batch window
// or start()/stop()). One at a time per process; keep it alive while the profiler may record
// and destroy it before the profiler:
//
//   tblog::Profiler prof(writer.get_logdir(), "3,5");
//   tblog::TorchOpRecorder ops(prof, {/*record_shapes=*/true});
//   for (int step = 0; ...) { prof.step(step); ...forward, backward, optimizer... }
class TorchOpRecorder {
public:
    explicit TorchOpRecorder(Profiler& profiler, TorchOpOptions options = {}) : prof_(profiler), opt_(options) {
        Profiler* expected = nullptr;
        if (!detail::torch_ops::active.compare_exchange_strong(expected, &prof_))
            throw std::invalid_argument("tblog: only one TorchOpRecorder may exist at a time");
        detail::torch_ops::record_shapes.store(opt_.record_shapes);
        hook_ = prof_.add_recording_hook([this](bool on) { on ? attach() : detach(); });
    }
    TorchOpRecorder(const TorchOpRecorder&) = delete;
    TorchOpRecorder& operator=(const TorchOpRecorder&) = delete;
    ~TorchOpRecorder() {
        prof_.remove_recording_hook(hook_);
        detach();
        detail::torch_ops::active.store(nullptr, std::memory_order_release);
    }

    // Whether LibTorch's callbacks are registered now (only while the profiler records).
    bool attached() const { return handle_ != at::INVALID_CALLBACK_HANDLE; }

private:
    void attach() {
        if (attached()) return;
        handle_ = at::addGlobalCallback(at::RecordFunctionCallback(&detail::torch_ops::on_start, &detail::torch_ops::on_end)
                                            .needsInputs(opt_.record_shapes));
    }
    void detach() {
        if (!attached()) return;
        at::removeCallback(handle_);
        handle_ = at::INVALID_CALLBACK_HANDLE;
    }

    Profiler& prof_;
    TorchOpOptions opt_;
    std::size_t hook_ = 0;
    at::CallbackHandle handle_ = at::INVALID_CALLBACK_HANDLE;
};

}  // namespace tblog
