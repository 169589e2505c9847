// Training a small MLP with LibTorch and logging it to TensorBoard the way a PyTorch script
// does with torch.utils.tensorboard.SummaryWriter — the same calls, line for line.
//
// Data: synthetic 8x8 grayscale images of three classes (horizontal bar, vertical bar,
// diagonal) with noise. Logged: per step loss / accuracy / lr; per epoch weight and gradient
// histograms and a grid of sample images; the model graph; an embedding of the hidden
// features with labels and thumbnails; hparams with the final metrics; a profiler trace of
// steps 20..24 with every LibTorch op (tblog::TorchOpRecorder, input shapes included) under
// the data / forward / backward / optimizer spans, as JSON and as XSpace.
//
//   ./example_libtorch_train [logdir]        then: tensorboard --logdir <logdir>
#include <cstdio>
#include <string>
#include <tuple>

#include <tblog/profiler.hpp>
#include <tblog/torch.hpp>

// class Net(nn.Module): fc1 = Linear(64, 32); fc2 = Linear(32, 3)
struct NetImpl : torch::nn::Module {
    NetImpl() : fc1(register_module("fc1", torch::nn::Linear(64, 32))), fc2(register_module("fc2", torch::nn::Linear(32, 3))) {}
    torch::Tensor hidden(torch::Tensor x) { return torch::relu(fc1->forward(x.flatten(1))); }
    torch::Tensor forward(torch::Tensor x) { return fc2->forward(hidden(x)); }
    torch::nn::Linear fc1, fc2;
};
TORCH_MODULE(Net);

// n images (n, 1, 8, 8) in [0, 1] and their labels.
static std::pair<torch::Tensor, torch::Tensor> make_batch(int n) {
    auto labels = torch::randint(0, 3, {n}, torch::kLong);
    auto images = torch::rand({n, 1, 8, 8}) * 0.3;
    for (int i = 0; i < n; ++i) {
        const int k = static_cast<int>(torch::randint(1, 7, {1}).item<int64_t>());
        switch (labels[i].item<int64_t>()) {
            case 0: images[i][0][k] += 0.7; break;                              // horizontal bar
            case 1: images[i][0].select(1, k) += 0.7; break;                    // vertical bar
            default: images[i][0] += torch::eye(8) * 0.7; break;                 // diagonal
        }
    }
    return {images.clamp(0, 1), labels};
}

// LibTorch's C++ modules cannot be traced, so the graph is drawn from TorchScript: the same
// architecture written as a script module that shares the trained parameters (in Python one
// would call writer.add_graph(model, images) directly).
static torch::jit::Module scripted(const Net& net) {
    auto linear = [](const torch::nn::Linear& l) {
        torch::jit::Module m("Linear");
        m.register_parameter("weight", l->weight, false);
        m.register_parameter("bias", l->bias, false);
        m.define("def forward(self, input):\n    return torch.linear(input, self.weight, self.bias)\n");
        return m;
    };
    torch::jit::Module m("Net");
    m.register_module("fc1", linear(net->fc1));
    m.register_module("fc2", linear(net->fc2));
    m.define("def forward(self, x):\n    return self.fc2.forward(torch.relu(self.fc1.forward(torch.flatten(x, 1))))\n");
    return m;
}

int main(int argc, char** argv) {
    torch::manual_seed(0);
    const double lr = 0.1;
    const int epochs = 5, steps_per_epoch = 10, batch_size = 64;

    tblog::TorchSummaryWriter writer(argc > 1 ? argv[1] : "runs/libtorch_train");
    tblog::Profiler prof(writer.get_logdir(), "20,24");  // like profile_batch='20,24'
    // torch.profiler.profile(record_shapes=True): LibTorch's ops, only while prof records
    tblog::TorchOpRecorder ops(prof, {/*record_shapes=*/true});

    Net model;
    torch::optim::SGD optimizer(model->parameters(), torch::optim::SGDOptions(lr).momentum(0.9));
    torch::optim::StepLR scheduler(optimizer, /*step_size=*/2, /*gamma=*/0.5);

    auto [val_images, val_labels] = make_batch(256);
    auto script = scripted(model);
    writer.add_graph(script, val_images.slice(0, 0, 1));

    int64_t global_step = 0;
    double accuracy = 0, loss_value = 0;
    for (int epoch = 0; epoch < epochs; ++epoch) {
        model->train();
        for (int i = 0; i < steps_per_epoch; ++i, ++global_step) {
            prof.step(global_step);
            torch::Tensor images, labels, loss, output;
            {
                auto s = prof.span("data");
                std::tie(images, labels) = make_batch(batch_size);
            }
            {
                auto s = prof.span("forward");
                output = model->forward(images);
                loss = torch::nn::functional::cross_entropy(output, labels);
            }
            {
                auto s = prof.span("backward");
                optimizer.zero_grad();
                loss.backward();
            }
            {
                auto s = prof.span("optimizer.step");
                optimizer.step();
            }
            const auto acc = (output.argmax(1) == labels).to(torch::kFloat).mean();
            writer.add_scalar("Loss/train", loss, global_step);
            writer.add_scalar("Accuracy/train", acc, global_step);
            writer.add_scalar("lr", optimizer.param_groups()[0].options().get_lr(), global_step);
        }
        scheduler.step();

        // for name, param in model.named_parameters(): add_histogram(name, param); add_histogram(name + '.grad', param.grad)
        writer.add_parameter_histograms(model->named_parameters(), epoch);
        writer.add_images("samples", val_images.slice(0, 0, 16), epoch);

        torch::NoGradGuard no_grad;
        model->eval();
        const auto val_out = model->forward(val_images);
        loss_value = torch::nn::functional::cross_entropy(val_out, val_labels).item<double>();
        accuracy = (val_out.argmax(1) == val_labels).to(torch::kFloat).mean().item<double>();
        writer.add_scalar("Loss/val", loss_value, epoch);
        writer.add_scalar("Accuracy/val", accuracy, epoch);
        std::printf("epoch %d: val loss %.4f, val accuracy %.3f\n", epoch, loss_value, accuracy);
    }

    {
        torch::NoGradGuard no_grad;
        const auto features = model->hidden(val_images.slice(0, 0, 100));
        writer.add_embedding(features, tblog::tolist_int64(val_labels.slice(0, 0, 100)),
                             val_images.slice(0, 0, 100), global_step, "hidden");
    }
    writer.add_hparams({{"lr", lr}, {"batch_size", std::int64_t{batch_size}}, {"optimizer", std::string("sgd")}},
                       {{"hparam/accuracy", accuracy}, {"hparam/loss", loss_value}});
    prof.stop();
    writer.close();
    for (const auto& f : prof.trace_files()) std::printf("profile: %s\n", f.c_str());
    for (const auto& f : prof.xspace_files()) std::printf("profile: %s\n", f.c_str());
    std::printf("wrote %s\n", writer.get_logdir().c_str());
    return accuracy > 0.5 ? 0 : 1;  // the classes are easy: a model that did not learn is a bug
}
