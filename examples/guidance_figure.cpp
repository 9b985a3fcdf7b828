// guidance_figure: the pictures of docs/guidance.md, one grid per class at
// several guidance weights (docs/math.md (12.1)-(12.2)): rows are classes,
// columns weights; every cell is sampled by DDIM (eta 0) from the same x_T,
// so a row shows what the weight alone does. Points are drawn over the data
// (grey); images as a strip of samples.
// Run: ./build/bin/guidance_figure MODEL OUT.png [WEIGHTS [N [STEPS [CLASSIFIER [CLASSES]]]]]
//   MODEL: a `diffuse train --conditional` run directory, or gmm:FILE.json (the oracle)
//   WEIGHTS: comma list (default 0,1,3); N: samples per cell (default 1000 points or 8 images)
//   CLASSIFIER: FILE.safetensors of train-classifier --noisy (or "oracle"): classifier guidance instead
//     ("" for none, to give CLASSES)
//   CLASSES: comma list of the rows' classes (default: every class)
// Deterministic: same arguments, same PNG.
#include <fmt/core.h>

#include <exception>
#include <string>
#include <vector>

#include "apps/commands/guided_model.h"
#include "apps/commands/noisy_classifier.h"
#include "apps/data/dataset.h"
#include "apps/error.h"
#include "apps/io/canvas.h"
#include "apps/io/figures.h"
#include "autograd/grad_mode.h"
#include "diffusion/ddim.h"
#include "diffusion/timesteps.h"
#include "tensor/ops.h"

namespace {

using apps::Color;
using apps::Image;

const std::vector<Color> kClassColors = {{31, 119, 180},  {255, 127, 14}, {44, 160, 44},   {214, 39, 40},
                                         {148, 103, 189}, {140, 86, 75},  {227, 119, 194}, {127, 127, 127},
                                         {188, 189, 34},  {23, 190, 207}};

// "0,1,3" -> {0, 1, 3}: the weights, or the classes.
std::vector<double> parse_list(const std::string& text) {
  std::vector<double> weights;
  size_t start = 0;
  while (start < text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    weights.push_back(std::stod(text.substr(start, comma - start)));
    start = comma + 1;
  }
  return weights;
}

// One scatter cell: the data in light grey, the samples in the class's colour.
Image scatter_cell(const tensor::Tensor& data, const tensor::Tensor& samples, Color color, double range) {
  apps::Panel panel(200, -range, range, -range, range);
  panel.grid(1.0);
  const std::vector<float> d = data.to_vector<float>(), s = samples.to_vector<float>();
  for (size_t i = 0; i + 1 < d.size(); i += 2) panel.dot(d[i], d[i + 1], {200, 200, 200}, 1.0);
  for (size_t i = 0; i + 1 < s.size(); i += 2) panel.dot(s[i], s[i + 1], color, 1.2, 0.6);
  return panel.image();
}

Image to_rgb(const Image& image) {
  if (image.channels == 3) return image;
  Image rgb(image.width, image.height, 3);
  for (int y = 0; y < image.height; ++y)
    for (int x = 0; x < image.width; ++x) {
      const uint8_t v = image.pixels[size_t(y) * image.width + x];
      uint8_t* p = rgb.at(x, y);
      p[0] = p[1] = p[2] = v;
    }
  return rgb;
}

// Images stacked top to bottom, left-aligned, `gap` pixels apart.
Image vstack(const std::vector<Image>& rows, int gap = 6) {
  int width = 0, height = gap * static_cast<int>(rows.size() - 1);
  for (const Image& row : rows) {
    width = std::max(width, row.width);
    height += row.height;
  }
  Image out(width, height, 3, 255);
  int top = 0;
  for (const Image& row : rows) {
    apps::paste(out, row, 0, top);
    top += row.height + gap;
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    fmt::print(stderr, "usage: {} MODEL OUT.png [WEIGHTS [N [STEPS [CLASSIFIER [CLASSES]]]]]\n", argv[0]);
    return 2;
  }
  try {
    const std::string source = argv[1], out = argv[2];
    const std::vector<double> weights = parse_list(argc > 3 ? argv[3] : "0,1,3");
    apps::ModelSourceOptions options;
    (source.rfind("gmm:", 0) == 0 ? options.oracle : options.ckpt) = source;
    apps::LoadedModel model = apps::load_model(options);
    const bool images = model.config.data_shape.size() == 3;
    const int64_t n = argc > 4 ? std::stoll(argv[4]) : images ? 8 : 1000;
    const int64_t steps = argc > 5 ? std::stoll(argv[5]) : 50;
    const std::string classifier = argc > 6 ? argv[6] : "";
    const int64_t classes = !classifier.empty() && classifier != "oracle"
                                ? apps::load_noisy_classifier(classifier).classes
                            : model.gmm ? model.gmm->K()
                                        : model.network->num_classes();
    if (classes == 0) throw apps::Error(source + ": the model has no classes (train it with --conditional)");
    std::vector<int64_t> rows_classes;
    if (argc > 7) {
      for (double c : parse_list(argv[7])) rows_classes.push_back(static_cast<int64_t>(c));
    } else {
      for (int64_t c = 0; c < classes; ++c) rows_classes.push_back(c);
    }
    const tensor::Tensor data = images ? tensor::Tensor() : apps::load_data(model.config.data, model.config.seed, 2000);
    double range = 0;  // a square around the data with a margin
    if (!images) range = 1.15 * tensor::amax(tensor::abs(data)).item();

    autograd::NoGradGuard no_grad;
    const diffusion::DdimSampler ddim{model.schedule, diffusion::even_timesteps(model.schedule.T, steps), 0.0, images};
    std::vector<Image> rows;
    std::vector<Image> header;
    for (double w : weights)
      header.push_back(apps::add_title(Image(images ? 8 * 58 : 200, 1, 3), fmt::format("w = {}", w)));
    rows.push_back(apps::hstack(header, 12));
    for (const int64_t c : rows_classes) {
      std::vector<Image> cells;
      for (double w : weights) {
        apps::GuidanceFlags flags;
        flags.class_index = c;
        flags.weight = w;
        flags.classifier = classifier;
        apps::apply_guidance(model, flags);
        const tensor::Tensor x = ddim.sample(model.discrete_eps(), model.batch_shape(n), /*seed=*/1);
        cells.push_back(images ? to_rgb(apps::image_grid(x, static_cast<int>(n), 2))
                               : scatter_cell(data, x, kClassColors[c % kClassColors.size()], range));
      }
      Image row = apps::hstack(cells, 12);
      Image labelled(row.width + 90, row.height, 3);
      apps::draw_text(labelled, 4, row.height / 2 - 8, fmt::format("class {}", c), {0, 0, 0}, 2);
      apps::paste(labelled, row, 90, 0);
      rows.push_back(labelled);
      fmt::print("class {} done\n", c);
    }
    Image header_row(rows[0].width + 90, rows[0].height, 3);
    apps::paste(header_row, rows[0], 90, 0);
    rows[0] = header_row;
    apps::write_png(out, vstack(rows));
    fmt::print("wrote {}\n", out);
  } catch (const std::exception& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return 2;
  }
  return 0;
}
