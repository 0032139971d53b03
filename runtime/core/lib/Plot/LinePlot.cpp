//===- LinePlot.cpp - Line charts as PNG images ---------------------------===//

#include "spike/core/Plot/LinePlot.h"

#include "Canvas.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace spike::core {

using plot::Canvas;

std::string renderPng(const LinePlot &plot) {
  // A legend below the axes adds a row per series to the height.
  int below = plot.legendBelow ? 22 * int(plot.series.size()) + 10 : 0;
  int height = plot.height + below;
  Canvas c(plot.width, height);
  const uint32_t ink = 0x222222, grid = 0xdddddd;
  int left = 110, right = plot.width - 30, top = 50, bottom = plot.height - 70;
  auto ty = [&](double y) { return plot.logY ? std::log10(y) : y; };
  double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
  for (const auto &s : plot.series)
    for (auto [x, y] : s.points) {
      if (!std::isfinite(x) || !std::isfinite(y) || (plot.logY && y <= 0))
        continue;
      x0 = std::min(x0, x), x1 = std::max(x1, x);
      y0 = std::min(y0, ty(y)), y1 = std::max(y1, ty(y));
    }
  if (!(x0 <= x1))
    x0 = 0, x1 = 1, y0 = 0, y1 = 1;
  if (x1 == x0)
    x1 = x0 + 1;
  if (plot.logY)
    y0 = std::floor(y0), y1 = std::ceil(y1);
  if (y1 == y0)
    y1 = y0 + 1;
  auto px = [&](double x) {
    return left + int(std::lround((x - x0) / (x1 - x0) * (right - left)));
  };
  auto py = [&](double y) {
    return bottom - int(std::lround((ty(y) - y0) / (y1 - y0) * (bottom - top)));
  };

  // Grid and ticks: decades on a log axis, 5 steps otherwise.
  std::vector<double> yTicks;
  if (plot.logY) {
    int decades = int(y1 - y0);
    int stride = std::max(1, decades / 8);
    for (int e = int(y0); e <= int(y1); e += stride)
      yTicks.push_back(std::pow(10.0, e));
  } else {
    for (int i = 0; i <= 5; ++i)
      yTicks.push_back(y0 + (y1 - y0) * i / 5);
  }
  for (double t : yTicks) {
    int y = py(t);
    c.line(left, y, right, y, grid);
    std::string label = plot.logY ? "1E" + plot::formatNumber(std::log10(t))
                                  : plot::formatNumber(t);
    c.text(left - 10 - Canvas::textWidth(label), y - 7, label, ink);
  }
  // At most ~10 ticks on whole numbers (a block index, a time step); a
  // span under 5 (a rate) takes steps of 1, 2 or 5 x a power of ten.
  double span = x1 - x0, xStep = std::max(1.0, std::ceil(span / 10));
  if (span < 5) {
    double unit = std::pow(10.0, std::floor(std::log10(span / 5)));
    xStep = span / 5 <= unit       ? unit
            : span / 5 <= 2 * unit ? 2 * unit
                                   : 5 * unit;
  }
  for (double t = x0; t <= x1 + 1e-9; t += xStep) {
    int x = px(t);
    c.line(x, top, x, bottom, grid);
    std::string label = plot::formatNumber(std::round(t * 100) / 100);
    c.text(x - Canvas::textWidth(label) / 2, bottom + 10, label, ink);
  }
  c.line(left, top, left, bottom, ink, 2);
  c.line(left, bottom, right, bottom, ink, 2);

  for (const auto &s : plot.series) {
    bool have = false;
    int lx = 0, ly = 0;
    for (auto [x, y] : s.points) {
      if (!std::isfinite(x) || !std::isfinite(y) || (plot.logY && y <= 0)) {
        have = false;
        continue;
      }
      int X = px(x), Y = py(y);
      if (have)
        c.line(lx, ly, X, Y, s.rgb, 2);
      if (s.markers || s.points.size() == 1)
        c.rect(X - 3, Y - 3, X + 3, Y + 3, s.rgb);
      have = true, lx = X, ly = Y;
    }
  }

  c.text((plot.width - Canvas::textWidth(plot.title)) / 2, 15, plot.title, ink);
  c.text((left + right - Canvas::textWidth(plot.xLabel)) / 2, plot.height - 30,
         plot.xLabel, ink);
  c.text(8, top - 30, plot.yLabel, ink);
  // Legend in the top-left corner (the curves here rise to the right), or
  // below the axes.
  int ly = plot.legendBelow ? plot.height : top + 10;
  for (const auto &s : plot.series) {
    int lx = left + 20;
    c.rect(lx, ly + 3, lx + 20, ly + 9, s.rgb);
    c.text(lx + 28, ly, s.label, ink);
    ly += 22;
  }
  return plot::encodePng(c);
}

} // namespace spike::core
