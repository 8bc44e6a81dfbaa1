/**
 * A small ONNX graph builder: writes ModelProto bytes from TypeScript, with no Python and no
 * download. Used to build tiny random-weight models (text decoders, diffusion parts, the CPPN
 * generator) with exactly the input/output signatures of real exports.
 *
 * Why a hand-written protobuf encoder: ONNX needs only a small, stable subset of onnx.proto
 * (Model, Graph, Node, Attribute, Tensor, ValueInfo); writing those fields directly is ~200 lines,
 * has no schema file to ship, and streams large initializers without copying them through objects.
 *
 * Usage:
 *
 *   import { OnnxGraph, writeOnnxModel } from './onnx-builder';
 *   const g = new OnnxGraph('cppn');
 *   g.input('coords', 'float32', ['batch_size', 'num_points', 3]);      // symbolic + fixed dims
 *   g.initializer('w1', 'float32', [3, 16], new Float32Array(48));       // float32 | float16 | int64 | int32
 *   const h = g.op('MatMul', ['coords', 'w1']);                          // returns the output name
 *   const t = g.op('Tanh', [h]);
 *   const sm = g.op('Softmax', [t], { axis: -1 });                       // attributes inferred by type
 *   g.node('Identity', [sm], ['rgb']);                                   // explicit output names
 *   g.output('rgb', 'float32', ['batch_size', 'num_points', 16]);
 *   const bytes = g.toBytes({ opset: 17 });                              // Uint8Array of a ModelProto
 *   await writeOnnxModel('/models/x/onnx/model.onnx', g, { opset: 17, externalData: true });
 *
 * Attributes: number → INT when integral, else FLOAT (force with `attr.float(1)` / `attr.int(1)`);
 * string → STRING; number[] → INTS (or `attr.floats([...])`); string[] → STRINGS;
 * `attr.tensor(...)` → TENSOR; `attr.graph(g)` → GRAPH (for If/Loop bodies).
 * External data: `writeOnnxModel(..., { externalData: true })` puts every initializer above
 * `externalThreshold` bytes (default 1 KiB) into `<model file>_data` beside the model, as Optimum
 * exports do, 64-byte aligned; ONNX Runtime must then load the model by path.
 */
import { mkdirSync, openSync, writeSync, closeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export type OnnxDataType = 'float32' | 'float16' | 'bfloat16' | 'int64' | 'int32' | 'int8' | 'uint8' | 'bool' | 'double';
export type OnnxDim = number | string;

/** ONNX TensorProto.DataType codes. */
const DATA_TYPE: Record<OnnxDataType, number> = {
  float32: 1,
  uint8: 2,
  int8: 3,
  int32: 6,
  int64: 7,
  bool: 9,
  float16: 10,
  double: 11,
  bfloat16: 16,
};

export type TensorValues =
  Float32Array | Uint16Array /* float16 bits */ | BigInt64Array | Int32Array | Int8Array | Uint8Array | Float64Array | number[];

export interface OnnxTensor {
  name: string;
  type: OnnxDataType;
  dims: number[];
  values: TensorValues;
}

type AttributeValue =
  | number
  | string
  | number[]
  | string[]
  | { kind: 'float'; value: number }
  | { kind: 'int'; value: number }
  | { kind: 'floats'; value: number[] }
  | { kind: 'tensor'; value: OnnxTensor }
  | { kind: 'graph'; value: OnnxGraph };

export type OnnxAttributes = Record<string, AttributeValue>;

/** Explicit attribute kinds, for when the inferred one is wrong (e.g. a float that is integral). */
export const attr = {
  float: (value: number) => ({ kind: 'float' as const, value }),
  int: (value: number) => ({ kind: 'int' as const, value }),
  floats: (value: number[]) => ({ kind: 'floats' as const, value }),
  tensor: (value: OnnxTensor) => ({ kind: 'tensor' as const, value }),
  graph: (value: OnnxGraph) => ({ kind: 'graph' as const, value }),
};

interface ValueInfo {
  name: string;
  type: OnnxDataType;
  dims: OnnxDim[];
}

interface NodeSpec {
  opType: string;
  inputs: string[];
  outputs: string[];
  name: string;
  domain: string;
  attributes: OnnxAttributes;
}

export interface OnnxModelOptions {
  /** Default opset of the ai.onnx domain (default 17). */
  opset?: number;
  /** Extra opset imports, e.g. { 'com.microsoft': 1 }. */
  extraOpsets?: Record<string, number>;
  /** ONNX IR version (default: 8 for opset ≤ 17, 9 for ≤ 20, 10 otherwise). */
  irVersion?: number;
  producerName?: string;
  /** Free-form metadata_props of the ModelProto. */
  metadata?: Record<string, string>;
}

export interface WriteOnnxOptions extends OnnxModelOptions {
  /** Store large initializers in a side file (`<file>_data`), as Optimum does for big models. */
  externalData?: boolean;
  /** Initializers at least this many bytes go external (default 1024). */
  externalThreshold?: number;
}

export class OnnxGraph {
  readonly inputs: ValueInfo[] = [];
  readonly outputs: ValueInfo[] = [];
  readonly initializers: OnnxTensor[] = [];
  readonly nodes: NodeSpec[] = [];
  private counter = 0;

  constructor(readonly name: string) {}

  input(name: string, type: OnnxDataType, dims: OnnxDim[]): string {
    this.inputs.push({ name, type, dims });
    return name;
  }

  output(name: string, type: OnnxDataType, dims: OnnxDim[]): string {
    this.outputs.push({ name, type, dims });
    return name;
  }

  initializer(name: string, type: OnnxDataType, dims: number[], values: TensorValues): string {
    const count = dims.reduce((a, b) => a * b, 1);
    if (values.length !== count) {
      throw new Error(`initializer ${name}: ${values.length} values for dims [${dims.join(', ')}]`);
    }
    this.initializers.push({ name, type, dims, values });
    return name;
  }

  /** A small constant as an initializer with a generated name (shapes, axes, scalars). */
  constant(type: OnnxDataType, dims: number[], values: number[] | TensorValues, hint = 'const'): string {
    const name = this.uniqueName(hint);
    const typed = Array.isArray(values) && type === 'int64' ? BigInt64Array.from(values.map((v) => BigInt(v))) : values;
    return this.initializer(name, type, dims, typed);
  }

  /** Adds a node with explicit output names. */
  node(opType: string, inputs: string[], outputs: string[], attributes: OnnxAttributes = {}, domain = ''): void {
    this.nodes.push({ opType, inputs, outputs, name: this.uniqueName(opType), domain, attributes });
  }

  /** Adds a single-output node and returns its generated output name. */
  op(opType: string, inputs: string[], attributes: OnnxAttributes = {}, domain = ''): string {
    const out = this.uniqueName(`${opType.toLowerCase()}_out`);
    this.node(opType, inputs, [out], attributes, domain);
    return out;
  }

  /** Adds a multi-output node and returns its generated output names. */
  opN(opType: string, inputs: string[], outputCount: number, attributes: OnnxAttributes = {}, domain = ''): string[] {
    const outs = Array.from({ length: outputCount }, (_, i) => this.uniqueName(`${opType.toLowerCase()}_out${i}`));
    this.node(opType, inputs, outs, attributes, domain);
    return outs;
  }

  uniqueName(hint: string): string {
    return `${hint}_${this.counter++}`;
  }

  /** Number of scalar weights across all initializers. */
  parameterCount(): number {
    return this.initializers.reduce((n, t) => n + t.values.length, 0);
  }

  toBytes(options: OnnxModelOptions = {}): Uint8Array {
    return encodeModel(this, options, new Map());
  }
}

/** Writes the model (and, when asked, its external data file) to disk. */
export function writeOnnxModel(file: string, graph: OnnxGraph, options: WriteOnnxOptions = {}): void {
  mkdirSync(dirname(file), { recursive: true });
  const external = new Map<OnnxTensor, ExternalRef>();
  if (options.externalData) {
    const threshold = options.externalThreshold ?? 1024;
    const dataName = `${basename(file)}_data`;
    const fd = openSync(join(dirname(file), dataName), 'w');
    try {
      let offset = 0;
      for (const tensor of graph.initializers) {
        const bytes = tensorBytes(tensor);
        if (bytes.byteLength < threshold) continue;
        const pad = (64 - (offset % 64)) % 64;
        if (pad) writeSync(fd, new Uint8Array(pad));
        offset += pad;
        writeSync(fd, bytes);
        external.set(tensor, { location: dataName, offset, length: bytes.byteLength });
        offset += bytes.byteLength;
      }
    } finally {
      closeSync(fd);
    }
  }
  const bytes = encodeModel(graph, options, external);
  const fd = openSync(file, 'w');
  try {
    writeSync(fd, bytes);
  } finally {
    closeSync(fd);
  }
}

/** IEEE 754 half-precision bits of a float32 value (round to nearest even). */
export function toFloat16Bits(value: number): number {
  const f32 = new Float32Array(1);
  const u32 = new Uint32Array(f32.buffer);
  f32[0] = value;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && half & 1)) half++;
    return sign | half;
  }
  let half = sign | (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half++;
  return half;
}

/** bfloat16 bits of a float32 value (the top half of its bits, rounded to nearest even). */
export function toBfloat16Bits(value: number): number {
  const u32 = new Uint32Array(new Float32Array([value]).buffer)[0];
  if ((u32 & 0x7fffffff) > 0x7f800000) return 0x7fc0;
  return (u32 + 0x7fff + ((u32 >>> 16) & 1)) >>> 16;
}

/** Float32 values → float16 bit patterns, for float16 initializers. */
export function toFloat16Array(values: ArrayLike<number>): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = toFloat16Bits(values[i]);
  return out;
}

/** Float16 bit pattern → number. */
export function fromFloat16Bits(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

// ---------------------------------------------------------------------------------------------
// Protobuf encoding of the onnx.proto subset.

interface ExternalRef {
  location: string;
  offset: number;
  length: number;
}

class ProtoWriter {
  private chunks: Uint8Array[] = [];
  private scratch: number[] = [];

  private flushScratch(): void {
    if (this.scratch.length) {
      this.chunks.push(Uint8Array.from(this.scratch));
      this.scratch = [];
    }
  }

  private varint(value: number | bigint): void {
    let v = BigInt.asUintN(64, BigInt(value));
    if (typeof value === 'number' && value >= 0 && value < 2 ** 31) {
      let n = value;
      while (n > 0x7f) {
        this.scratch.push((n & 0x7f) | 0x80);
        n >>>= 7;
      }
      this.scratch.push(n);
      return;
    }
    while (v > 0x7fn) {
      this.scratch.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.scratch.push(Number(v));
  }

  private tag(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }

  int(field: number, value: number | bigint): this {
    this.tag(field, 0);
    this.varint(value);
    return this;
  }

  float(field: number, value: number): this {
    this.tag(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    this.scratch.push(...b);
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.tag(field, 2);
    this.varint(value.byteLength);
    this.flushScratch();
    this.chunks.push(value);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, Buffer.from(value, 'utf8'));
  }

  message(field: number, build: (w: ProtoWriter) => void): this {
    const inner = new ProtoWriter();
    build(inner);
    return this.bytes(field, inner.finish());
  }

  finish(): Uint8Array {
    this.flushScratch();
    return Buffer.concat(this.chunks);
  }
}

function tensorBytes(t: OnnxTensor): Uint8Array {
  const v = t.values;
  if (!Array.isArray(v)) {
    const expected = expectedArray(t.type);
    if (!(v instanceof expected)) {
      throw new Error(`initializer ${t.name}: ${t.type} needs a ${expected.name}, got ${v.constructor.name}`);
    }
    return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  }
  const converted = convertArray(t.type, v);
  return new Uint8Array(converted.buffer, converted.byteOffset, converted.byteLength);
}

function expectedArray(type: OnnxDataType): { new (n: number): ArrayBufferView; name: string } {
  switch (type) {
    case 'float32':
      return Float32Array;
    case 'float16':
    case 'bfloat16':
      return Uint16Array;
    case 'int64':
      return BigInt64Array;
    case 'int32':
      return Int32Array;
    case 'int8':
      return Int8Array;
    case 'uint8':
    case 'bool':
      return Uint8Array;
    case 'double':
      return Float64Array;
  }
}

function convertArray(type: OnnxDataType, v: number[]): ArrayBufferView {
  switch (type) {
    case 'float32':
      return Float32Array.from(v);
    case 'float16':
      return toFloat16Array(v);
    case 'bfloat16':
      return Uint16Array.from(v, toBfloat16Bits);
    case 'int64':
      return BigInt64Array.from(v.map((x) => BigInt(x)));
    case 'int32':
      return Int32Array.from(v);
    case 'int8':
      return Int8Array.from(v);
    case 'uint8':
    case 'bool':
      return Uint8Array.from(v);
    case 'double':
      return Float64Array.from(v);
  }
}

function encodeTensor(w: ProtoWriter, t: OnnxTensor, external?: ExternalRef): void {
  for (const d of t.dims) w.int(1, d);
  w.int(2, DATA_TYPE[t.type]);
  w.string(8, t.name);
  if (external) {
    for (const [key, value] of [
      ['location', external.location],
      ['offset', String(external.offset)],
      ['length', String(external.length)],
    ]) {
      w.message(13, (e) => e.string(1, key).string(2, value));
    }
    w.int(14, 1);
  } else {
    w.bytes(9, tensorBytes(t));
  }
}

function encodeValueInfo(w: ProtoWriter, v: ValueInfo): void {
  w.string(1, v.name);
  w.message(2, (type) =>
    type.message(1, (tensor) => {
      tensor.int(1, DATA_TYPE[v.type]);
      tensor.message(2, (shape) => {
        for (const d of v.dims) {
          shape.message(1, (dim) => (typeof d === 'number' ? dim.int(1, d) : dim.string(2, d)));
        }
      });
    }),
  );
}

function encodeAttribute(w: ProtoWriter, name: string, value: AttributeValue, external: Map<OnnxTensor, ExternalRef>): void {
  w.string(1, name);
  if (typeof value === 'number') {
    value = Number.isInteger(value) ? attr.int(value) : attr.float(value);
  }
  if (typeof value === 'string') {
    w.bytes(4, Buffer.from(value, 'utf8')).int(20, 3);
  } else if (Array.isArray(value)) {
    if (value.length > 0 && typeof value[0] === 'string') {
      for (const s of value as string[]) w.bytes(9, Buffer.from(s, 'utf8'));
      w.int(20, 8);
    } else {
      for (const n of value as number[]) w.int(8, n);
      w.int(20, 7);
    }
  } else if (value.kind === 'float') {
    w.float(2, value.value).int(20, 1);
  } else if (value.kind === 'int') {
    w.int(3, value.value).int(20, 2);
  } else if (value.kind === 'floats') {
    for (const f of value.value) w.float(7, f);
    w.int(20, 6);
  } else if (value.kind === 'tensor') {
    const t = value.value;
    w.message(5, (tw) => encodeTensor(tw, t)).int(20, 4);
  } else {
    const g = value.value;
    w.message(6, (gw) => encodeGraph(gw, g, external)).int(20, 5);
  }
}

function encodeGraph(w: ProtoWriter, g: OnnxGraph, external: Map<OnnxTensor, ExternalRef>): void {
  for (const n of g.nodes) {
    w.message(1, (nw) => {
      for (const i of n.inputs) nw.string(1, i);
      for (const o of n.outputs) nw.string(2, o);
      nw.string(3, n.name).string(4, n.opType);
      for (const [k, v] of Object.entries(n.attributes)) nw.message(5, (aw) => encodeAttribute(aw, k, v, external));
      if (n.domain) nw.string(7, n.domain);
    });
  }
  w.string(2, g.name);
  for (const t of g.initializers) w.message(5, (tw) => encodeTensor(tw, t, external.get(t)));
  for (const i of g.inputs) w.message(11, (vw) => encodeValueInfo(vw, i));
  for (const o of g.outputs) w.message(12, (vw) => encodeValueInfo(vw, o));
}

function encodeModel(g: OnnxGraph, options: OnnxModelOptions, external: Map<OnnxTensor, ExternalRef>): Uint8Array {
  const opset = options.opset ?? 17;
  const ir = options.irVersion ?? (opset <= 17 ? 8 : opset <= 20 ? 9 : 10);
  const w = new ProtoWriter();
  w.int(1, ir);
  w.string(2, options.producerName ?? 'brandwright-onnx-builder');
  w.string(3, '1');
  w.message(7, (gw) => encodeGraph(gw, g, external));
  w.message(8, (o) => o.string(1, '').int(2, opset));
  for (const [domain, version] of Object.entries(options.extraOpsets ?? {})) {
    w.message(8, (o) => o.string(1, domain).int(2, version));
  }
  for (const [key, value] of Object.entries(options.metadata ?? {})) {
    w.message(14, (m) => m.string(1, key).string(2, value));
  }
  return w.finish();
}
