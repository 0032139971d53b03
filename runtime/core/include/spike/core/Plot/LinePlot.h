//===- LinePlot.h - Line charts as PNG images -------------------*- C++ -*-===//
//
// Enough plotting for the reports the tools write (the layer-wise error of
// calibration, like the paper's Figures 3 and 4) without a plotting
// dependency: lines with markers, linear or log-10 y axis, ticks, a legend
// and a title in a built-in 5x7 bitmap font (lower case is drawn as upper
// case). The PNG is 8-bit RGB with stored (uncompressed) deflate blocks.
//
//===----------------------------------------------------------------------===//

#ifndef SPIKE_CORE_PLOT_LINEPLOT_H
#define SPIKE_CORE_PLOT_LINEPLOT_H

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace spike::core {

struct LinePlot {
  struct Series {
    std::string label;
    std::vector<std::pair<double, double>> points; ///< (x, y)
    uint32_t rgb = 0;                              ///< 0xRRGGBB
    bool markers = true; ///< a square at each point (always for one point)
  };
  std::string title, xLabel, yLabel;
  bool logY = false; ///< non-positive y values are skipped on a log axis
  std::vector<Series> series;
  int width = 900, height = 540; ///< the axes' area; a legend below adds
  bool legendBelow = false;      ///< else in the top-left corner
};

/// The PNG file's bytes.
std::string renderPng(const LinePlot &plot);

} // namespace spike::core

#endif // SPIKE_CORE_PLOT_LINEPLOT_H
