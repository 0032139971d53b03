//===- MeshPlot.h - A core mesh as a PNG heat map ---------------*- C++ -*-===//
//
// The picture of a mapping: one cell per core on the mesh (chips side by
// side in x), coloured by a per-core value on a log scale (white for
// zero, to dark red for the largest), chip borders, and the busiest routes
// drawn as lines between core centres, thicker for more traffic.
//
//===----------------------------------------------------------------------===//

#ifndef SPIKE_CORE_PLOT_MESHPLOT_H
#define SPIKE_CORE_PLOT_MESHPLOT_H

#include <cstdint>
#include <string>
#include <vector>

namespace spike::core {

struct MeshPlot {
  struct Cell {
    int64_t x = 0, y = 0; ///< mesh position
    double value = 0;     ///< >= 0
  };
  struct Route {
    int64_t x0 = 0, y0 = 0, x1 = 0, y1 = 0;
    double weight = 0; ///< > 0; the heaviest is drawn thickest
  };
  std::string title, valueLabel;
  int64_t columns = 1, rows = 1; ///< mesh size in cells
  int64_t chipColumns = 0;       ///< a chip border every this many columns
  std::vector<Cell> cells;       ///< cells not listed are idle (grey)
  std::vector<Route> routes;
  int maxWidth = 1600; ///< pixels; cells shrink to fit, at least 2 px
};

/// The PNG file's bytes.
std::string renderPng(const MeshPlot &plot);

} // namespace spike::core

#endif // SPIKE_CORE_PLOT_MESHPLOT_H
