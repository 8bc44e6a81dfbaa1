/** Float tensors in whatever element type a session's metadata asks for (float32 or float16). */
import * as ort from 'onnxruntime-node';
import { fromFloat16Bits, toFloat16Array } from '../../models/onnx-builder';

export function floatTensor(type: string, data: Float32Array, dims: number[]): ort.Tensor {
  if (type === 'float16') return new ort.Tensor('float16', toFloat16Array(data), dims);
  return new ort.Tensor('float32', data, dims);
}

export function readFloats(tensor: ort.Tensor): Float32Array {
  if (tensor.type === 'float16') {
    const bits = tensor.data as Uint16Array;
    return Float32Array.from(bits, (b) => fromFloat16Bits(b));
  }
  return tensor.data as Float32Array;
}

/** Integer or float tensor of the given type from plain numbers (ids, timesteps). */
export function numericTensor(type: string, values: number[], dims: number[]): ort.Tensor {
  switch (type) {
    case 'int64':
      return new ort.Tensor('int64', BigInt64Array.from(values.map((v) => BigInt(Math.round(v)))), dims);
    case 'int32':
      return new ort.Tensor('int32', Int32Array.from(values.map(Math.round)), dims);
    case 'float16':
      return new ort.Tensor('float16', toFloat16Array(values), dims);
    case 'float32':
      return new ort.Tensor('float32', Float32Array.from(values), dims);
    case 'double':
      return new ort.Tensor('float64', Float64Array.from(values), dims);
    default:
      throw new Error(`unsupported tensor type ${type}`);
  }
}
