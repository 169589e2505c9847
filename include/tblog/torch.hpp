// LibTorch adapter: log torch::Tensor values and TorchScript graphs exactly as PyTorch's
// torch.utils.tensorboard does, and profile every LibTorch op (tblog::TorchOpRecorder, in
// detail/torch/torch_ops.hpp). The only tblog header that includes <torch/torch.h> (with
// detail/torch/torch_graph.hpp and detail/torch/torch_ops.hpp, which only it includes); the rest of
// tblog never needs LibTorch.
//
//   #include <tblog/torch.hpp>
//   tblog::TorchSummaryWriter writer("runs/exp1");      // a tblog::SummaryWriter, plus
//   writer.add_scalar("loss/train", loss, step);        // overloads taking torch::Tensor
//   writer.add_histogram("fc1.weight", model->fc1->weight, epoch);
//   writer.add_parameter_histograms(model->named_parameters(), epoch);  // weights + .grad
//   writer.add_images("samples", batch.slice(0, 0, 16), step);
//   writer.add_graph(scripted_module, example_input);   // torch::jit::Module
//
// Any dtype and device: a tensor is detached, moved to the CPU, made contiguous (dense,
// dequantized) and, where tblog's TensorView has no such element type, converted: bool,
// half and bfloat16 -> float32 (so a bool image is white where true, as numpy's bool * 255
// makes it), int8 and int16 -> int32. Then the TensorView method does the work, so both
// paths give identical events for identical values. A plain SummaryWriter takes tensors
// through tblog::TorchView:  writer.add_histogram("w", tblog::TorchView(t), step);
#pragma once

#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <torch/torch.h>

#include "tblog/detail/torch/torch_graph.hpp"
#include "tblog/detail/torch/torch_ops.hpp"
#include "tblog/writer.hpp"

namespace tblog {

// A CPU, contiguous copy of a tensor (or the tensor itself when it already is one) seen as
// a TensorView. Keep it alive while the view is in use (a temporary lives for the whole
// add_* call it is written in).
class TorchView {
public:
    explicit TorchView(const torch::Tensor& t, std::string_view tag = "tensor") : host_(to_host(t, tag)) {
        TensorView::Shape shape(host_.sizes().begin(), host_.sizes().end());
        view_ = TensorView(host_.data_ptr(), dtype_of(host_.scalar_type()), std::move(shape));
    }

    operator const TensorView&() const { return view_; }  // NOLINT: implicit on purpose
    const TensorView& view() const { return view_; }
    const torch::Tensor& host() const { return host_; }

    // What TorchView does to any tensor: detached, dense, on the CPU, contiguous, with an
    // element type TensorView has.
    static torch::Tensor to_host(const torch::Tensor& t, std::string_view tag) {
        if (!t.defined()) summary::invalid(tag, "the tensor is undefined (e.g. .grad() before backward())");
        if (t.is_meta()) summary::invalid(tag, "a meta tensor has no values");
        if (t.is_complex()) summary::invalid(tag, "complex tensors are not supported");
        torch::Tensor h = t.detach();
        if (h.is_quantized()) h = h.dequantize();
        if (h.layout() != torch::kStrided) h = h.to_dense();
        h = h.to(torch::kCPU);
        switch (h.scalar_type()) {
            case torch::kFloat: case torch::kDouble: case torch::kByte: case torch::kInt: case torch::kLong:
                break;
            case torch::kChar: case torch::kShort:
                h = h.to(torch::kInt);
                break;
            case torch::kBool: case torch::kHalf: case torch::kBFloat16:
                h = h.to(torch::kFloat);
                break;
            default:
                summary::invalid(tag, std::string("unsupported dtype ") + c10::toString(h.scalar_type()));
        }
        return h.contiguous();
    }

private:
    static DType dtype_of(torch::ScalarType s) {
        switch (s) {
            case torch::kFloat: return DType::float32;
            case torch::kDouble: return DType::float64;
            case torch::kByte: return DType::uint8;
            case torch::kInt: return DType::int32;
            default: return DType::int64;  // to_host leaves nothing else
        }
    }

    torch::Tensor host_;
    TensorView view_;
};

// Integer labels of a 1-D tensor, as Python's labels.tolist() gives them to add_embedding.
inline std::vector<std::int64_t> tolist_int64(const torch::Tensor& labels) {
    const auto h = TorchView::to_host(labels, "metadata").to(torch::kLong).reshape({-1});
    return std::vector<std::int64_t>(h.data_ptr<std::int64_t>(), h.data_ptr<std::int64_t>() + h.numel());
}

// tblog::SummaryWriter with PyTorch's tensor-taking signatures added (the TensorView ones
// remain). Same constructors, same files.
class TorchSummaryWriter : public SummaryWriter {
public:
    using SummaryWriter::SummaryWriter;
    using SummaryWriter::add_audio;
    using SummaryWriter::add_embedding;
    using SummaryWriter::add_graph;
    using SummaryWriter::add_histogram;
    using SummaryWriter::add_histogram_raw;
    using SummaryWriter::add_image;
    using SummaryWriter::add_image_with_boxes;
    using SummaryWriter::add_images;
    using SummaryWriter::add_mesh;
    using SummaryWriter::add_pr_curve;
    using SummaryWriter::add_pr_curve_raw;
    using SummaryWriter::add_scalar;
    using SummaryWriter::add_scalars;
    using SummaryWriter::add_video;

    // A one-element tensor (any shape, e.g. loss or loss.item()'s source), as PyTorch.
    void add_scalar(std::string_view tag, const torch::Tensor& scalar_value, Step global_step = std::nullopt,
                    WallTime walltime = std::nullopt, bool new_style = false, bool double_precision = false) {
        SummaryWriter::add_scalar(tag, item(tag, scalar_value), global_step, walltime, new_style, double_precision);
    }

    void add_scalars(std::string_view main_tag, const std::map<std::string, torch::Tensor>& tag_scalar_dict,
                     Step global_step = std::nullopt, WallTime walltime = std::nullopt) {
        std::map<std::string, double> values;
        for (const auto& [k, v] : tag_scalar_dict) values[k] = item(main_tag, v);
        SummaryWriter::add_scalars(main_tag, values, global_step, walltime);
    }

    void add_histogram(std::string_view tag, const torch::Tensor& values, Step global_step = std::nullopt,
                       const Bins& bins = "tensorflow", WallTime walltime = std::nullopt,
                       std::optional<int> max_bins = std::nullopt) {
        SummaryWriter::add_histogram(tag, TorchView(values, tag), global_step, bins, walltime, max_bins);
    }

    void add_histogram_raw(std::string_view tag, double min, double max, double num, double sum,
                           double sum_squares, const torch::Tensor& bucket_limits,
                           const torch::Tensor& bucket_counts, Step global_step = std::nullopt,
                           WallTime walltime = std::nullopt) {
        SummaryWriter::add_histogram_raw(tag, min, max, num, sum, sum_squares, TorchView(bucket_limits, tag),
                                         TorchView(bucket_counts, tag), global_step, walltime);
    }

    // Every parameter of `named_parameters` (model->named_parameters()) as a histogram
    // named after it, and its gradient as "<name><grad_suffix>" when it has one — the loop
    // PyTorch users write by hand:
    //   for name, p in model.named_parameters():
    //       writer.add_histogram(name, p, epoch); writer.add_histogram(name + '.grad', p.grad, epoch)
    void add_parameter_histograms(const torch::OrderedDict<std::string, torch::Tensor>& named_parameters,
                                  Step global_step = std::nullopt, bool with_grads = true,
                                  std::string_view grad_suffix = ".grad", const Bins& bins = "tensorflow",
                                  WallTime walltime = std::nullopt) {
        for (const auto& item : named_parameters) {
            add_histogram(item.key(), item.value(), global_step, bins, walltime);
            if (with_grads && item.value().grad().defined())
                add_histogram(item.key() + std::string(grad_suffix), item.value().grad(), global_step, bins,
                              walltime);
        }
    }

    // The same for a TorchScript module's module.named_parameters() ("0.weight", ...).
    void add_parameter_histograms(const torch::jit::named_parameter_list& named_parameters,
                                  Step global_step = std::nullopt, bool with_grads = true,
                                  std::string_view grad_suffix = ".grad", const Bins& bins = "tensorflow",
                                  WallTime walltime = std::nullopt) {
        torch::OrderedDict<std::string, torch::Tensor> dict;
        for (const auto& p : named_parameters) dict.insert(p.name, p.value);
        add_parameter_histograms(dict, global_step, with_grads, grad_suffix, bins, walltime);
    }

    void add_image(std::string_view tag, const torch::Tensor& img_tensor, Step global_step = std::nullopt,
                   WallTime walltime = std::nullopt, std::string_view dataformats = "CHW") {
        SummaryWriter::add_image(tag, TorchView(img_tensor, tag), global_step, walltime, dataformats);
    }

    void add_images(std::string_view tag, const torch::Tensor& img_tensor, Step global_step = std::nullopt,
                    WallTime walltime = std::nullopt, std::string_view dataformats = "NCHW") {
        SummaryWriter::add_images(tag, TorchView(img_tensor, tag), global_step, walltime, dataformats);
    }

    void add_image_with_boxes(std::string_view tag, const torch::Tensor& img_tensor, const torch::Tensor& box_tensor,
                              Step global_step = std::nullopt, WallTime walltime = std::nullopt,
                              double rescale = 1, std::string_view dataformats = "CHW",
                              const OptionalList<std::string>& labels = std::nullopt) {
        SummaryWriter::add_image_with_boxes(tag, TorchView(img_tensor, tag), TorchView(box_tensor, tag), global_step,
                                            walltime, rescale, dataformats, labels);
    }

    void add_video(std::string_view tag, const torch::Tensor& vid_tensor, Step global_step = std::nullopt,
                   double fps = 4, WallTime walltime = std::nullopt) {
        SummaryWriter::add_video(tag, TorchView(vid_tensor, tag), global_step, fps, walltime);
    }

    void add_audio(std::string_view tag, const torch::Tensor& snd_tensor, Step global_step = std::nullopt,
                   double sample_rate = 44100, WallTime walltime = std::nullopt) {
        SummaryWriter::add_audio(tag, TorchView(snd_tensor, tag), global_step, sample_rate, walltime);
    }

    void add_pr_curve(std::string_view tag, const torch::Tensor& labels, const torch::Tensor& predictions,
                      Step global_step = std::nullopt, int num_thresholds = 127,
                      const std::optional<torch::Tensor>& weights = std::nullopt, WallTime walltime = std::nullopt) {
        const auto w = optional_view(weights, tag);
        SummaryWriter::add_pr_curve(tag, TorchView(labels, tag), TorchView(predictions, tag), global_step,
                                    num_thresholds, as_view(w), walltime);
    }

    void add_pr_curve_raw(std::string_view tag, const torch::Tensor& true_positive_counts,
                          const torch::Tensor& false_positive_counts, const torch::Tensor& true_negative_counts,
                          const torch::Tensor& false_negative_counts, const torch::Tensor& precision,
                          const torch::Tensor& recall, Step global_step = std::nullopt, int num_thresholds = 127,
                          const std::optional<torch::Tensor>& weights = std::nullopt,
                          WallTime walltime = std::nullopt) {
        const auto w = optional_view(weights, tag);
        SummaryWriter::add_pr_curve_raw(tag, TorchView(true_positive_counts, tag), TorchView(false_positive_counts, tag),
                                        TorchView(true_negative_counts, tag), TorchView(false_negative_counts, tag),
                                        TorchView(precision, tag), TorchView(recall, tag), global_step,
                                        num_thresholds, as_view(w), walltime);
    }

    void add_mesh(std::string_view tag, const torch::Tensor& vertices,
                  const std::optional<torch::Tensor>& colors = std::nullopt,
                  const std::optional<torch::Tensor>& faces = std::nullopt,
                  const std::optional<Json>& config_dict = std::nullopt, Step global_step = std::nullopt,
                  WallTime walltime = std::nullopt) {
        const auto c = optional_view(colors, tag), f = optional_view(faces, tag);
        SummaryWriter::add_mesh(tag, TorchView(vertices, tag), as_view(c), as_view(f), config_dict, global_step,
                                walltime);
    }

    void add_embedding(const torch::Tensor& mat, const OptionalMetadata& metadata = std::nullopt,
                       const std::optional<torch::Tensor>& label_img = std::nullopt,
                       Step global_step = std::nullopt, std::string_view tag = "default",
                       const OptionalList<std::string>& metadata_header = std::nullopt) {
        const auto img = optional_view(label_img, tag);
        SummaryWriter::add_embedding(TorchView(mat, tag), metadata, as_view(img), global_step, tag, metadata_header);
    }

    // The graph of a TorchScript module run on example inputs, as PyTorch's add_graph
    // writes it (see detail/torch/torch_graph.hpp): scope-named nodes (Sequential/Linear[0]/...),
    // op kinds, inputs, _output_shapes. The module is run once, in eval mode, without grad.
    void add_graph(torch::jit::Module& model, const std::vector<torch::jit::IValue>& input_to_model,
                   bool verbose = false) {
        const auto nodes = detail::torch_graph::graph_nodes(model, input_to_model);
        if (verbose) std::printf("%s\n", detail::torch_graph::describe(nodes).c_str());
        SummaryWriter::add_graph(nodes);
    }
    void add_graph(torch::jit::Module& model, const torch::Tensor& input_to_model, bool verbose = false) {
        add_graph(model, std::vector<torch::jit::IValue>{input_to_model}, verbose);
    }
    // A module saved with torch.jit.save / torch::jit::Module::save (scripted or traced:
    // both keep the submodule calls the scopes come from).
    void add_graph(const std::string& torchscript_file, const std::vector<torch::jit::IValue>& input_to_model,
                   bool verbose = false) {
        auto m = torch::jit::load(torchscript_file);
        add_graph(m, input_to_model, verbose);
    }

private:
    static double item(std::string_view tag, const torch::Tensor& t) {
        const auto h = TorchView::to_host(t, tag);
        if (h.numel() != 1)
            summary::invalid(tag, "add_scalar needs a tensor with one element, got shape " + c10::str(h.sizes()));
        return h.to(torch::kDouble).item<double>();
    }

    static std::optional<TorchView> optional_view(const std::optional<torch::Tensor>& t, std::string_view tag) {
        if (!t) return std::nullopt;
        return std::optional<TorchView>(std::in_place, *t, tag);
    }
    static std::optional<TensorView> as_view(const std::optional<TorchView>& v) {
        if (!v) return std::nullopt;
        return v->view();
    }
};

}  // namespace tblog
