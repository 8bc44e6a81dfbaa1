/**
 * Load-time graph edit that lets the engine fetch only the new position's key/value each step.
 *
 * An Optimum-style decoder computes `present.N.key = Concat(past_key_values.N.key, new, axis=2)`.
 * Returning `present.*` from `run()` makes ONNX Runtime hand back (and onnxruntime-node copy) the
 * whole cache every step: about half of a batch-16 decode step. This module finds those Concats in
 * model.onnx and adds each one's second input (the new positions, [batch, heads, length, head_dim])
 * as an extra graph output, so the engine fetches `logits` + those small slices and appends them to
 * its own cache buffer. Nothing else in the graph changes, so the numbers are the model's own.
 *
 * The file is read with positional reads and only the graph's nodes and outputs are decoded:
 * initializers are skipped over, never held in memory. The patched model is the original bytes
 * with a few ValueInfoProto entries appended to the GraphProto (protobuf merges repeated fields in
 * any order) and the graph's length prefix rewritten. A small model file (weights in external
 * data) is patched in memory; a big one (inline weights) is streamed to a temporary file in
 * chunks, so the load-time peak stays one chunk above ONNX Runtime's own.
 * When any present.* output is not such a Concat (fused attention, other exports) the result is
 * null and the engine keeps fetching present.*.
 */
import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';

/** Names of the outputs added for layer N: the new positions' key and value. */
export interface CacheSliceNames {
  key: string;
  value: string;
}

export interface PatchedDecoder {
  slices: CacheSliceNames[];
  /** The patched model bytes (small models), or null when written to `file`. */
  bytes: Buffer | null;
  /** Path of the patched copy (big models); the caller deletes it once the session exists. */
  file: string | null;
}

/** Model files up to this size are patched in memory (the weights are in external data). */
const IN_MEMORY_LIMIT = 32 * 1024 * 1024;
const COPY_CHUNK = 4 * 1024 * 1024;

const WIRE_VARINT = 0;
const WIRE_I64 = 1;
const WIRE_LEN = 2;
const WIRE_I32 = 5;

/** A length-delimited field of a message: where its payload lies in the file. */
interface Field {
  number: number;
  wire: number;
  /** Offset of the tag. */
  start: number;
  /** Offset of the payload (length-delimited) or of the value. */
  dataStart: number;
  dataEnd: number;
  /** Varint value (wire type 0). */
  value?: bigint;
}

/** Reads protobuf fields from a byte source without loading it whole. */
class FieldReader {
  constructor(private readonly read: (offset: number, length: number) => Buffer) {}

  varint(offset: number): { value: bigint; next: number } {
    const bytes = this.read(offset, 10);
    let value = 0n;
    for (let i = 0; i < bytes.length; i++) {
      value |= BigInt(bytes[i] & 0x7f) << BigInt(7 * i);
      if ((bytes[i] & 0x80) === 0) return { value, next: offset + i + 1 };
    }
    throw new Error('bad varint');
  }

  /** Fields of the message occupying [start, end). */
  *fields(start: number, end: number): Generator<Field> {
    let offset = start;
    while (offset < end) {
      const tag = this.varint(offset);
      const number = Number(tag.value >> 3n);
      const wire = Number(tag.value & 7n);
      if (wire === WIRE_LEN) {
        const length = this.varint(tag.next);
        const dataEnd = length.next + Number(length.value);
        yield { number, wire, start: offset, dataStart: length.next, dataEnd };
        offset = dataEnd;
      } else if (wire === WIRE_VARINT) {
        const v = this.varint(tag.next);
        yield { number, wire, start: offset, dataStart: tag.next, dataEnd: v.next, value: v.value };
        offset = v.next;
      } else if (wire === WIRE_I64 || wire === WIRE_I32) {
        const size = wire === WIRE_I64 ? 8 : 4;
        yield { number, wire, start: offset, dataStart: tag.next, dataEnd: tag.next + size };
        offset = tag.next + size;
      } else {
        throw new Error(`unsupported wire type ${wire}`);
      }
    }
    if (offset !== end) throw new Error('message overruns its length');
  }

  text(field: Field): string {
    return this.read(field.dataStart, field.dataEnd - field.dataStart).toString('utf8');
  }
}

/** A Concat node as far as the pattern needs it. */
interface NodeFacts {
  opType: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  axis: bigint | null;
}

function readNode(reader: FieldReader, node: Field): NodeFacts {
  const facts: NodeFacts = { opType: '', domain: '', inputs: [], outputs: [], axis: null };
  for (const f of reader.fields(node.dataStart, node.dataEnd)) {
    if (f.wire !== WIRE_LEN) continue;
    if (f.number === 1) facts.inputs.push(reader.text(f));
    else if (f.number === 2) facts.outputs.push(reader.text(f));
    else if (f.number === 4) facts.opType = reader.text(f);
    else if (f.number === 7) facts.domain = reader.text(f);
    else if (f.number === 5 && facts.opType !== '' && facts.opType !== 'Concat') continue;
    else if (f.number === 5) {
      // AttributeProto: name = 1, i = 3.
      let name = '';
      let value: bigint | null = null;
      for (const a of reader.fields(f.dataStart, f.dataEnd)) {
        if (a.number === 1 && a.wire === WIRE_LEN) name = reader.text(a);
        else if (a.number === 3 && a.wire === WIRE_VARINT) value = BigInt.asIntN(64, a.value!);
      }
      if (name === 'axis') facts.axis = value;
    }
  }
  return facts;
}

/** elem_type of a ValueInfoProto (type = 2 → TypeProto.tensor_type = 1 → elem_type = 1), or null. */
function elemType(reader: FieldReader, info: Field): { name: string; elemType: number | null } {
  let name = '';
  let type: number | null = null;
  for (const f of reader.fields(info.dataStart, info.dataEnd)) {
    if (f.number === 1 && f.wire === WIRE_LEN) name = reader.text(f);
    if (f.number === 2 && f.wire === WIRE_LEN) {
      for (const t of reader.fields(f.dataStart, f.dataEnd)) {
        if (t.number !== 1 || t.wire !== WIRE_LEN) continue;
        for (const e of reader.fields(t.dataStart, t.dataEnd)) if (e.number === 1 && e.wire === WIRE_VARINT) type = Number(e.value);
      }
    }
  }
  return { name, elemType: type };
}

function encodeVarint(value: number): Buffer {
  const bytes: number[] = [];
  let v = value;
  while (v >= 0x80) {
    bytes.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  bytes.push(v);
  return Buffer.from(bytes);
}

function lengthDelimited(number: number, payload: Buffer): Buffer {
  return Buffer.concat([encodeVarint((number << 3) | WIRE_LEN), encodeVarint(payload.length), payload]);
}

/** GraphProto.output entry (field 12): ValueInfoProto { name, type: { tensor_type: { elem_type } } }, shape left open. */
function graphOutput(name: string, type: number): Buffer {
  const tensor = Buffer.concat([encodeVarint((1 << 3) | WIRE_VARINT), encodeVarint(type)]);
  const typeProto = lengthDelimited(1, tensor);
  return lengthDelimited(12, Buffer.concat([lengthDelimited(1, Buffer.from(name, 'utf8')), lengthDelimited(2, typeProto)]));
}

/** What the engine needs to know about a graph before ONNX Runtime loads it. */
export interface GraphFacts {
  /** Graph inputs and outputs with their ONNX elem_type (TensorProto.DataType), null when untyped. */
  inputs: { name: string; elemType: number | null }[];
  outputs: { name: string; elemType: number | null }[];
  /** Op types in the graph, as `domain:op` ("" domain for ai.onnx), e.g. `com.microsoft:GroupQueryAttention`. */
  ops: Set<string>;
}

interface GraphScan extends GraphFacts {
  graph: Field;
  concatByOutput: Map<string, NodeFacts>;
}

function scanGraph(reader: FieldReader, size: number): GraphScan | null {
  let graph: Field | null = null;
  for (const f of reader.fields(0, size)) if (f.number === 7 && f.wire === WIRE_LEN) graph = f;
  if (!graph) return null;
  const scan: GraphScan = { graph, concatByOutput: new Map(), inputs: [], outputs: [], ops: new Set() };
  for (const f of reader.fields(graph.dataStart, graph.dataEnd)) {
    if (f.wire !== WIRE_LEN) continue;
    if (f.number === 1) {
      const node = readNode(reader, f);
      scan.ops.add(`${node.domain === 'ai.onnx' ? '' : node.domain}:${node.opType}`);
      if (node.opType === 'Concat' && node.domain === '' && node.outputs.length === 1) scan.concatByOutput.set(node.outputs[0], node);
    } else if (f.number === 11) {
      const info = elemType(reader, f);
      scan.inputs.push({ name: info.name, elemType: info.elemType });
    } else if (f.number === 12) {
      const info = elemType(reader, f);
      scan.outputs.push({ name: info.name, elemType: info.elemType });
    }
  }
  return scan;
}

function openModel<T>(modelFile: string, use: (reader: FieldReader, size: number, fd: number) => T): T {
  const fd = openSync(modelFile, 'r');
  try {
    const size = fstatSync(fd).size;
    const read = (offset: number, length: number) => {
      const buffer = Buffer.allocUnsafe(Math.min(length, size - offset));
      readSync(fd, buffer, 0, buffer.length, offset);
      return buffer;
    };
    return use(new FieldReader(read), size, fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Inputs, outputs and op types of model.onnx, read without loading the weights. Initializers that
 * are also listed as graph inputs (old exporters do this) are not real inputs and are left out.
 */
export function readGraphFacts(modelFile: string): GraphFacts | null {
  try {
    return openModel(modelFile, (reader, size) => {
      const scan = scanGraph(reader, size);
      if (!scan) return null;
      const initializers = new Set<string>();
      for (const f of reader.fields(scan.graph.dataStart, scan.graph.dataEnd)) {
        if (f.number !== 5 || f.wire !== WIRE_LEN) continue;
        for (const t of reader.fields(f.dataStart, f.dataEnd)) if (t.number === 8 && t.wire === WIRE_LEN) initializers.add(reader.text(t));
      }
      return { inputs: scan.inputs.filter((i) => !initializers.has(i.name)), outputs: scan.outputs, ops: scan.ops };
    });
  } catch {
    return null;
  }
}

/** Layer numbers of the Optimum cache outputs (`present.N.key`), in order; N need not start at 0. */
function presentLayers(outputs: { name: string }[]): number[] {
  const layers = new Set<number>();
  for (const { name } of outputs) {
    const match = /^present\.(\d+)\.key$/.exec(name);
    if (match) layers.add(Number(match[1]));
  }
  return [...layers].sort((a, b) => a - b);
}

/**
 * Finds, for every layer's present key/value, the Concat that makes it, and writes a copy of the
 * model with each Concat's new-positions input added as a graph output. Null when the pattern is
 * not there for every present output (the engine then fetches present.*): stacked `present_N`
 * caches, fused attention ops that append to the cache themselves, anything else.
 * Slices come in the order of the layer numbers (`present.N.*`, whatever N starts at).
 * `tempFile` is where a model file bigger than `inMemoryLimit` bytes has its patched copy written.
 */
export function addCacheSliceOutputs(modelFile: string, tempFile: string, inMemoryLimit = IN_MEMORY_LIMIT): PatchedDecoder | null {
  try {
    return openModel(modelFile, (reader, size, fd) => {
      const scan = scanGraph(reader, size);
      if (!scan) return null;
      const { graph, concatByOutput } = scan;
      const outputTypes = new Map(scan.outputs.map((o) => [o.name, o.elemType]));
      const layers = presentLayers(scan.outputs);
      if (layers.length === 0) return null;
      const slices: CacheSliceNames[] = [];
      const added = new Map<string, number>();
      for (const l of layers) {
        const names: Partial<CacheSliceNames> = {};
        for (const kind of ['key', 'value'] as const) {
          const present = `present.${l}.${kind}`;
          const node = concatByOutput.get(present);
          const type = outputTypes.get(present);
          const ok =
            node &&
            type != null &&
            node.inputs.length === 2 &&
            node.inputs[0] === `past_key_values.${l}.${kind}` &&
            (node.axis === 2n || node.axis === -2n);
          if (!ok) return null;
          const slice = node.inputs[1];
          if (!slice || added.has(slice)) return null;
          added.set(slice, type);
          names[kind] = slice;
        }
        slices.push(names as CacheSliceNames);
      }
      // A slice that is already a graph output needs no new entry.
      const extra = Buffer.concat([...added].filter(([name]) => !outputTypes.has(name)).map(([name, type]) => graphOutput(name, type)));

      const read = (offset: number, length: number) => {
        const buffer = Buffer.allocUnsafe(length);
        readSync(fd, buffer, 0, length, offset);
        return buffer;
      };
      const graphLength = graph.dataEnd - graph.dataStart + extra.length;
      const head = Buffer.concat([encodeVarint((7 << 3) | WIRE_LEN), encodeVarint(graphLength)]);
      // Output = [0, graph tag) + new graph tag/length + graph payload + extra outputs + the rest.
      const pieces: (Buffer | [number, number])[] = [
        [0, graph.start],
        head,
        [graph.dataStart, graph.dataEnd],
        extra,
        [graph.dataEnd, size],
      ];
      if (size <= inMemoryLimit) {
        const bytes = Buffer.concat(pieces.map((p) => (Buffer.isBuffer(p) ? p : read(p[0], p[1] - p[0]))));
        return { slices, bytes, file: null };
      }
      const out = openSync(tempFile, 'w', 0o600);
      try {
        const chunk = Buffer.allocUnsafe(COPY_CHUNK);
        for (const p of pieces) {
          if (Buffer.isBuffer(p)) {
            writeSync(out, p);
            continue;
          }
          for (let offset = p[0]; offset < p[1];) {
            const n = readSync(fd, chunk, 0, Math.min(COPY_CHUNK, p[1] - offset), offset);
            writeSync(out, chunk, 0, n);
            offset += n;
          }
        }
      } finally {
        closeSync(out);
      }
      return { slices, bytes: null, file: tempFile } as PatchedDecoder;
    });
  } catch {
    // Anything unexpected in the file's structure: keep the model as it is.
    return null;
  }
}
