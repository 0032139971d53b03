//===- AsmHelpers.cpp - Custom assembly directives shared by dialects -----===//

#include "spike/Dialect/AsmHelpers.h"

#include <cstdio>
#include <cstdlib>

using namespace mlir;

ParseResult spike::parseExactF64List(OpAsmParser &parser,
                                     DenseF64ArrayAttr &attr) {
  SmallVector<double> values;
  if (parser.parseCommaSeparatedList(OpAsmParser::Delimiter::Square, [&] {
        double v;
        if (parser.parseFloat(v))
          return failure();
        values.push_back(v);
        return success();
      }))
    return failure();
  attr = DenseF64ArrayAttr::get(parser.getContext(), values);
  return success();
}

void spike::printExactF64List(OpAsmPrinter &printer, Operation *,
                              DenseF64ArrayAttr attr) {
  printer << '[';
  llvm::interleaveComma(attr.asArrayRef(), printer, [&](double v) {
    char buf[32];
    for (int digits = 6; digits <= 17; ++digits) {
      std::snprintf(buf, sizeof(buf), "%.*e", digits, v);
      if (std::strtod(buf, nullptr) == v)
        break;
    }
    printer << buf;
  });
  printer << ']';
}
