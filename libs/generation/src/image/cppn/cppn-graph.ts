/**
 * The built-in brand background generator as an ONNX graph: a compositional pattern-producing
 * network (CPPN) maps each pixel's coordinates through tanh / sin layers to a soft choice among
 * the brand's palette colours, so every picture is painted in the brand's colours.
 *
 * Weights are graph inputs rather than initializers: a seed picks new weights without building a
 * new model, so one session serves every seed and palette.
 *
 *   coords    float32 [num_points, 3]          (x, y, r), shorter side spans [-1, 1]
 *   w1 [3, H], b1 [1, H], w2 [H, H], b2 [1, H], w3 [H, H], w_out [H, palette_size]
 *   palette   float32 [palette_size, 3]        colours in 0..255
 *   sharpness float32 [1]                      softmax temperature: higher = flatter colour areas
 *   → rgb     uint8   [num_points, 3]
 */
import { OnnxGraph } from '../../models/onnx-builder';

export const CPPN_HIDDEN = 16;
export const CPPN_MODEL_ID = 'brandwright/cppn';
/** Bump when the graph or the weight sampling changes, so provenance tells outputs apart. */
export const CPPN_VERSION = 'cppn-1';

export function buildCppnGraph(): Uint8Array {
  const H = CPPN_HIDDEN;
  const g = new OnnxGraph('brand_cppn');
  g.input('coords', 'float32', ['num_points', 3]);
  g.input('w1', 'float32', [3, H]);
  g.input('b1', 'float32', [1, H]);
  g.input('w2', 'float32', [H, H]);
  g.input('b2', 'float32', [1, H]);
  g.input('w3', 'float32', [H, H]);
  g.input('w_out', 'float32', [H, 'palette_size']);
  g.input('palette', 'float32', ['palette_size', 3]);
  g.input('sharpness', 'float32', [1]);
  const h1 = g.op('Tanh', [g.op('Add', [g.op('MatMul', ['coords', 'w1']), 'b1'])]);
  const h2 = g.op('Sin', [g.op('Add', [g.op('MatMul', [h1, 'w2']), 'b2'])]);
  const h3 = g.op('Tanh', [g.op('MatMul', [h2, 'w3'])]);
  const logits = g.op('Mul', [g.op('MatMul', [h3, 'w_out']), 'sharpness']);
  const weights = g.op('Softmax', [logits], { axis: 1 });
  const colour = g.op('MatMul', [weights, 'palette']);
  const rounded = g.op('Add', [
    g.op('Clip', [colour, g.constant('float32', [], [0]), g.constant('float32', [], [255])]),
    g.constant('float32', [], [0.5]),
  ]);
  g.node('Cast', [rounded], ['rgb'], { to: 2 });
  g.output('rgb', 'uint8', ['num_points', 3]);
  return g.toBytes({ opset: 17 });
}
