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

/**
 * A float input fed on every step: the caller writes `values` (float32) and calls `sync()`; the
 * same tensor is passed to every run. For float16 inputs the values are converted into one reused
 * buffer instead of a new one per step.
 */
export class FloatFeed {
  readonly values: Float32Array;
  readonly tensor: ort.Tensor;
  private readonly half: Uint16Array | null;

  constructor(type: string, length: number, dims: number[]) {
    this.values = new Float32Array(length);
    if (type === 'float16') {
      this.half = new Uint16Array(length);
      this.tensor = new ort.Tensor('float16', this.half, dims);
    } else {
      this.half = null;
      this.tensor = new ort.Tensor('float32', this.values, dims);
    }
  }

  sync(): void {
    if (this.half) this.half.set(toFloat16Array(this.values));
  }
}

/** A one-element input (the timestep) in the session's dtype, rewritten in place each step. */
export class ScalarFeed {
  readonly tensor: ort.Tensor;
  private readonly write: (value: number) => void;

  constructor(type: string) {
    switch (type) {
      case 'int64': {
        const data = new BigInt64Array(1);
        this.write = (v) => (data[0] = BigInt(Math.round(v)));
        this.tensor = new ort.Tensor('int64', data, [1]);
        break;
      }
      case 'int32': {
        const data = new Int32Array(1);
        this.write = (v) => (data[0] = Math.round(v));
        this.tensor = new ort.Tensor('int32', data, [1]);
        break;
      }
      case 'float16': {
        const data = new Uint16Array(1);
        this.write = (v) => data.set(toFloat16Array([v]));
        this.tensor = new ort.Tensor('float16', data, [1]);
        break;
      }
      case 'float32': {
        const data = new Float32Array(1);
        this.write = (v) => (data[0] = v);
        this.tensor = new ort.Tensor('float32', data, [1]);
        break;
      }
      case 'double': {
        const data = new Float64Array(1);
        this.write = (v) => (data[0] = v);
        this.tensor = new ort.Tensor('float64', data, [1]);
        break;
      }
      default:
        throw new Error(`unsupported tensor type ${type}`);
    }
  }

  set(value: number): void {
    this.write(value);
  }
}
