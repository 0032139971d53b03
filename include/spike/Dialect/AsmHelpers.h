//===- AsmHelpers.h - Custom assembly directives shared by dialects -*- C++ -*-//

#ifndef SPIKE_DIALECT_ASMHELPERS_H
#define SPIKE_DIALECT_ASMHELPERS_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/OpImplementation.h"

namespace spike {

/// `custom<ExactF64List>($attr)`: a `[a, b, ...]` list of f64 printed with the
/// fewest digits that parse back to the same double. (The default
/// DenseF64ArrayAttr printer keeps 7 digits, which would silently change
/// calibrated thresholds on a round trip.)
mlir::ParseResult parseExactF64List(mlir::OpAsmParser &parser,
                                    mlir::DenseF64ArrayAttr &attr);
void printExactF64List(mlir::OpAsmPrinter &printer, mlir::Operation *op,
                       mlir::DenseF64ArrayAttr attr);

} // namespace spike

#endif // SPIKE_DIALECT_ASMHELPERS_H
