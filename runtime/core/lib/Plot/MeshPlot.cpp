//===- MeshPlot.cpp - A core mesh as a PNG heat map -----------------------===//

#include "spike/core/Plot/MeshPlot.h"

#include "Canvas.h"

#include <algorithm>
#include <cmath>

namespace spike::core {

namespace {

/// White (0) to dark red (1), through yellow and orange.
uint32_t heat(double t) {
  t = std::clamp(t, 0.0, 1.0);
  auto mix = [](uint32_t a, uint32_t b, double f) {
    uint32_t out = 0;
    for (int s = 16; s >= 0; s -= 8) {
      double ca = (a >> s) & 255, cb = (b >> s) & 255;
      out |= uint32_t(std::lround(ca + (cb - ca) * f)) << s;
    }
    return out;
  };
  const uint32_t stops[] = {0xffffff, 0xffe680, 0xf08030, 0x800000};
  double at = t * 3;
  int i = std::min(2, int(at));
  return mix(stops[i], stops[i + 1], at - i);
}

} // namespace

std::string renderPng(const MeshPlot &plot) {
  const uint32_t ink = 0x222222, idle = 0xe8e8e8, route = 0x1f5fbf;
  int64_t cols = std::max<int64_t>(1, plot.columns);
  int64_t rows = std::max<int64_t>(1, plot.rows);
  int cell = int(std::clamp<int64_t>((plot.maxWidth - 40) / cols, 2, 24));
  int left = 20, top = 50;
  int width = std::max<int>(left * 2 + int(cols) * cell, 640);
  int legend = 60;
  int height = top + int(rows) * cell + legend;
  plot::Canvas c(width, height);

  double vmax = 0;
  for (const MeshPlot::Cell &k : plot.cells)
    vmax = std::max(vmax, k.value);
  // Linear: the cores of a mapping differ by a few times, not decades.
  auto shade = [&](double v) {
    return v > 0 && vmax > 0 ? std::clamp(v / vmax, 0.02, 1.0) : 0.0;
  };
  c.rect(left, top, left + int(cols) * cell - 1, top + int(rows) * cell - 1,
         idle);
  for (const MeshPlot::Cell &k : plot.cells) {
    int x = left + int(k.x) * cell, y = top + int(k.y) * cell;
    c.rect(x, y, x + cell - 2, y + cell - 2, heat(shade(k.value)));
  }
  if (plot.chipColumns > 0)
    for (int64_t x = plot.chipColumns; x < cols; x += plot.chipColumns)
      c.line(left + int(x) * cell - 1, top, left + int(x) * cell - 1,
             top + int(rows) * cell - 1, ink);
  double wmax = 0;
  for (const MeshPlot::Route &r : plot.routes)
    wmax = std::max(wmax, r.weight);
  for (const MeshPlot::Route &r : plot.routes) {
    int thick = wmax > 0 ? 1 + int(std::lround(3 * r.weight / wmax)) : 1;
    c.line(left + int(r.x0) * cell + cell / 2,
           top + int(r.y0) * cell + cell / 2,
           left + int(r.x1) * cell + cell / 2,
           top + int(r.y1) * cell + cell / 2, route, thick);
  }
  c.text(left, 15, plot.title, ink);
  // Legend: the colour scale and the route colour.
  int ly = top + int(rows) * cell + 15;
  for (int i = 0; i < 100; ++i)
    c.rect(left + i * 2, ly, left + i * 2 + 1, ly + 14, heat(i / 99.0));
  std::string scale = plot.valueLabel + ": 0 to " +
                      plot::formatNumber(vmax, 3) + "; grey: idle";
  c.text(left + 210, ly, scale, ink);
  c.line(left, ly + 30, left + 40, ly + 30, route, 3);
  c.text(left + 50, ly + 24, "busiest routes", ink);
  return plot::encodePng(c);
}

} // namespace spike::core
