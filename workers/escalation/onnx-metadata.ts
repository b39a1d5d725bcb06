// ONNX ModelProto field numbers (onnx/onnx.proto3): metadata_props = 14; StringStringEntryProto key = 1, value = 2.
const METADATA_PROPS = 14;
const ENTRY_KEY = 1;
const ENTRY_VALUE = 2;

/** The file is not a protobuf message, or ends in the middle of one. */
export class OnnxFormatError extends Error {
  override readonly name = "OnnxFormatError";
}

interface Field {
  readonly number: number;
  /** Set for length-delimited fields (wire type 2). */
  readonly bytes?: Uint8Array;
}

function* fields(buf: Uint8Array): Generator<Field> {
  let pos = 0;
  const varint = (): number => {
    let value = 0;
    for (let shift = 0; shift < 64; shift += 7) {
      const byte = buf[pos++];
      if (byte === undefined) throw new OnnxFormatError("truncated varint");
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
    }
    throw new OnnxFormatError("varint too long");
  };
  while (pos < buf.length) {
    const tag = varint();
    const [number, wire] = [Math.floor(tag / 8), tag % 8];
    if (number === 0) throw new OnnxFormatError("field number 0");
    if (wire === 0) varint();
    else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else if (wire === 2) {
      const length = varint();
      if (pos + length > buf.length) throw new OnnxFormatError("field runs past the end");
      yield { number, bytes: buf.subarray(pos, pos + length) };
      pos += length;
      continue;
    } else throw new OnnxFormatError(`unsupported wire type ${wire}`);
    if (pos > buf.length) throw new OnnxFormatError("field runs past the end");
    yield { number };
  }
}

/**
 * Reads an ONNX model's `metadata_props` without a protobuf library (onnxruntime-web does not expose them).
 * Throws OnnxFormatError on bytes that are not a protobuf message.
 */
export function readOnnxMetadata(model: Uint8Array): Map<string, string> {
  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
  const metadata = new Map<string, string>();
  for (const field of fields(model)) {
    if (field.number !== METADATA_PROPS || field.bytes === undefined) continue;
    let key = "";
    let value = "";
    for (const entry of fields(field.bytes)) {
      if (entry.bytes === undefined) continue;
      if (entry.number === ENTRY_KEY) key = decoder.decode(entry.bytes);
      if (entry.number === ENTRY_VALUE) value = decoder.decode(entry.bytes);
    }
    metadata.set(key, value);
  }
  return metadata;
}
