import { FEATURE_NAMES, MODEL_METADATA_KEYS } from "../../core/features";
import { PathModelSchema, compilePathModel, type CompiledPathModel } from "../../core/path-sequence";

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

/** The model was built for other features, or lacks the metadata escalation needs. */
export class ModelContractError extends Error {
  override readonly name = "ModelContractError";
}

/**
 * The model's version and path model, after checking it was trained on exactly FEATURE_NAMES (else serving would
 * drift) and carries a valid path model. Escalation loads its model through this, and `eval:model` scores a model
 * file through it too, so both read a model the same way.
 */
export function checkModelContract(bytes: Uint8Array): { version: string; pathModel: CompiledPathModel } {
  const metadata = readOnnxMetadata(bytes);
  const version = metadata.get(MODEL_METADATA_KEYS.version);
  const features = metadata.get(MODEL_METADATA_KEYS.features);
  if (!version) throw new ModelContractError(`model has no ${MODEL_METADATA_KEYS.version} metadata`);
  if (features !== FEATURE_NAMES.join(",")) {
    throw new ModelContractError(
      `model ${version} expects features [${features ?? ""}], core/features.ts has [${FEATURE_NAMES.join(",")}]`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(metadata.get(MODEL_METADATA_KEYS.pathModel) ?? "null");
  } catch {
    json = null;
  }
  const pathModel = PathModelSchema.safeParse(json);
  if (!pathModel.success) throw new ModelContractError(`model ${version} has no valid ${MODEL_METADATA_KEYS.pathModel} metadata`);
  return { version, pathModel: compilePathModel(pathModel.data) };
}
