// add_hparams against PyTorch's golden run (shared/reference/pytorch/hparams): the main run
// holds only the header; each trial's sub-run holds experiment, session_start_info,
// session_end_info and the metric scalars, with equal HParamsPluginData.
#include <catch2/catch.hpp>

#include <regex>

#include "plugin_hparams.pb.h"
#include "support/expect_invalid.hpp"
#include "support/golden_events.hpp"
#include "tblog/writer.hpp"

namespace fs = std::filesystem;
using tbtest::TempDir;

namespace {

tensorboard::hparams::HParamsPluginData plugin_data(const tensorboard::Event& e) {
    tensorboard::hparams::HParamsPluginData d;
    REQUIRE(d.ParseFromString(e.summary().value(0).metadata().plugin_data().content()));
    return d;
}

// protobuf's deterministic serialization: map entries sorted by key.
std::string deterministic(const google::protobuf::Message& m) {
    std::string out;
    {
        google::protobuf::io::StringOutputStream s(&out);
        google::protobuf::io::CodedOutputStream c(&s);
        c.SetSerializationDeterministic(true);
        m.SerializeToCodedStream(&c);
    }
    return out;
}

void write_like_golden(const std::string& dir) {
    tblog::SummaryWriter w(dir);
    // make_golden.py's hparams section
    w.add_hparams({{"lr", 0.1}, {"batch_size", 32}, {"optimizer", "sgd"}, {"use_bn", false}},
                  {{"hparam/accuracy", 0.8}, {"hparam/loss", 0.5}}, {}, "trial0");
    w.add_hparams({{"lr", 0.01}, {"batch_size", 64}, {"optimizer", "adam"}, {"use_bn", true}},
                  {{"hparam/accuracy", 0.8 + 0.1}, {"hparam/loss", 0.5 - 0.1}}, {}, "trial1");
}

}  // namespace

TEST_CASE("add_hparams equals PyTorch's golden layout and plugin data") {
    TempDir tmp;
    write_like_golden(tmp.str());
    CHECK(tbtest::body_events(tmp.path()).empty());  // the main run: header only, as PyTorch's
    CHECK(tbtest::golden_body_events("hparams").empty());
    for (const char* trial : {"trial0", "trial1"}) {
        INFO(trial);
        const auto ours = tbtest::body_events(tmp.path() / trial);
        const auto theirs = tbtest::golden_body_events(std::string("hparams/") + trial);
        REQUIRE(ours.size() == 5);
        REQUIRE(theirs.size() == 5);
        for (std::size_t i = 0; i < 5; ++i) {
            INFO("event " << i);
            const auto& a = ours[i].summary().value(0);
            const auto& b = theirs[i].summary().value(0);
            CHECK(a.tag() == b.tag());
            CHECK(ours[i].step() == theirs[i].step());
            CHECK(a.simple_value() == b.simple_value());
            CHECK(a.has_metadata() == b.has_metadata());
            CHECK(ours[i].wall_time() > 1.7e9);  // PyTorch uses the clock here, so do we
        }
        // Experiment and session_end_info: same content bytes.
        CHECK(ours[0].summary().value(0).metadata().plugin_data().content() ==
              theirs[0].summary().value(0).metadata().plugin_data().content());
        CHECK(ours[2].summary().value(0).metadata().plugin_data().content() ==
              theirs[2].summary().value(0).metadata().plugin_data().content());
        // session_start_info: equal as messages; our map order is protobuf's deterministic one.
        const auto ssi_ours = plugin_data(ours[1]);
        const auto ssi_theirs = plugin_data(theirs[1]);
        CHECK(tbtest::message_diff(ssi_ours, ssi_theirs) == "");
        CHECK(ours[1].summary().value(0).metadata().plugin_data().content() == deterministic(ssi_theirs));
        for (std::size_t i : {0, 2, 3, 4}) {  // everything else, field by field
            auto a = ours[i], b = theirs[i];
            a.clear_wall_time();
            b.clear_wall_time();
            CHECK(tbtest::message_diff(a, b) == "");
        }
    }
    const auto exp = plugin_data(tbtest::body_events(tmp.path() / "trial0")[0]).experiment();
    REQUIRE(exp.hparam_infos_size() == 4);
    CHECK(exp.hparam_infos(0).name() == "lr");  // dict order kept
    CHECK(exp.hparam_infos(2).type() == tensorboard::hparams::DATA_TYPE_STRING);
    CHECK(exp.hparam_infos(3).type() == tensorboard::hparams::DATA_TYPE_FLOAT64);  // bool, as PyTorch
}

TEST_CASE("hparam_domain_discrete becomes the hparam's domain_discrete list") {
    const auto s = tblog::summary::hparams({{"opt", "sgd"}, {"lr", 0.1}, {"bn", true}}, {{"acc", 1.0}},
                                           {{"opt", {"sgd", "adam"}}, {"bn", {true, false}}});
    tensorboard::Summary sum;
    REQUIRE(sum.ParseFromString(s.experiment));
    tensorboard::hparams::HParamsPluginData d;
    REQUIRE(d.ParseFromString(sum.value(0).metadata().plugin_data().content()));
    const auto& infos = d.experiment().hparam_infos();
    REQUIRE(infos.size() == 3);
    REQUIRE(infos[0].domain_discrete().values_size() == 2);
    CHECK(infos[0].domain_discrete().values(1).string_value() == "adam");
    CHECK_FALSE(infos[1].has_domain_discrete());
    REQUIRE(infos[2].domain_discrete().values_size() == 2);
    CHECK(infos[2].domain_discrete().values(0).number_value() == 1.0);
}

TEST_CASE("default run_name is str(time.time()), names must stay inside the log_dir") {
    TempDir tmp;
    const double before = tblog::detail::now_seconds();
    {
        tblog::SummaryWriter w(tmp.str());
        w.add_hparams({{"a", 1}}, {{"m", 2.0}});
    }
    std::vector<std::string> subdirs;
    for (auto& e : fs::directory_iterator(tmp.path()))
        if (e.is_directory()) subdirs.push_back(e.path().filename().string());
    REQUIRE(subdirs.size() == 1);
    CHECK(std::regex_match(subdirs[0], std::regex(R"(\d{10}\.\d+)")));
    CHECK(std::stod(subdirs[0]) >= before - 1e-6);
    CHECK(tblog::summary::hparams_run_name(std::nullopt, 1700000000.25) == "1700000000.25");
    CHECK(tblog::summary::hparams_run_name(std::string(), 1700000000.0) == "1700000000.0");
    CHECK(tblog::summary::hparams_run_name(std::string("a/b"), 0) == "a/b");
}

TEST_CASE("bad hparams input throws naming the problem and writes nothing") {
    TempDir tmp;
    {
        tblog::SummaryWriter w(tmp.str());
        auto bad = [&](auto&& f, const std::string& what) {
            INFO(what);
            tbtest::expect_invalid(f, {"add_hparams", what});
        };
        bad([&] { w.add_hparams({{"lr", 0.1}, {"lr", 0.2}}, {}); }, "'lr' twice");
        bad([&] { w.add_hparams({{"", 0.1}}, {}); }, "empty name");
        bad([&] { w.add_hparams({{"lr", 0.1}}, {{"m", 1.0}, {"m", 2.0}}); }, "'m' twice");
        bad([&] { w.add_hparams({{"lr", 0.1}}, {}, {{"bs", {1, 2}}}); }, "'bs', which is not in hparam_dict");
        bad([&] { w.add_hparams({{"lr", 0.1}}, {}, {{"lr", {1, 2}}}); }, "same type");
        for (const char* name : {"../x", "/abs", "a/../../b", "a//b", "."})
            bad([&] { w.add_hparams({{"lr", 0.1}}, {}, {}, std::string(name)); }, "inside the log_dir");
    }
    CHECK(tbtest::body_events(tmp.path()).empty());
    for (auto& e : fs::directory_iterator(tmp.path())) CHECK_FALSE(e.is_directory());
}
