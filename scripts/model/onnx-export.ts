/** Writes a logistic regression as an ONNX graph (MatMul → Add → Sigmoid) with onnx-proto; no Python needed. */
import onnxProto from "onnx-proto";
import { MODEL_METADATA_KEYS } from "../../core/features";
import type { LinearModel } from "./logistic-regression";

const { onnx } = onnxProto;

/** What to record in the model file besides the weights. */
export interface ExportInfo {
  readonly version: string;
  readonly featureNames: readonly string[];
  readonly docString: string;
  /** More `metadata_props` entries (string values). */
  readonly extra?: Readonly<Record<string, string>>;
}

const FLOAT = onnx.TensorProto.DataType.FLOAT;
const OPSET = 13;

function floatInput(name: string, dims: readonly (number | string)[]): InstanceType<typeof onnx.ValueInfoProto> {
  return onnx.ValueInfoProto.create({
    name,
    type: {
      tensorType: {
        elemType: FLOAT,
        shape: { dim: dims.map((d) => (typeof d === "string" ? { dimParam: d } : { dimValue: d })) },
      },
    },
  });
}

/** The ONNX bytes of `model`: input "features" float [N, F], output "score" float [N, 1] = P(bot). */
export function exportLogisticOnnx(model: LinearModel, info: ExportInfo): Uint8Array {
  const f = model.weights.length;
  if (f !== info.featureNames.length) throw new Error(`model has ${f} weights for ${info.featureNames.length} features`);
  const graph = onnx.GraphProto.create({
    name: "edge_guard_logistic",
    node: [
      onnx.NodeProto.create({ name: "matmul", opType: "MatMul", input: ["features", "W"], output: ["logit_w"] }),
      onnx.NodeProto.create({ name: "add_bias", opType: "Add", input: ["logit_w", "B"], output: ["logit"] }),
      onnx.NodeProto.create({ name: "sigmoid", opType: "Sigmoid", input: ["logit"], output: ["score"] }),
    ],
    initializer: [
      onnx.TensorProto.create({ name: "W", dataType: FLOAT, dims: [f, 1], floatData: [...model.weights] }),
      onnx.TensorProto.create({ name: "B", dataType: FLOAT, dims: [1], floatData: [model.bias] }),
    ],
    input: [floatInput("features", ["N", f])],
    output: [floatInput("score", ["N", 1])],
  });
  const metadata = {
    [MODEL_METADATA_KEYS.version]: info.version,
    [MODEL_METADATA_KEYS.features]: info.featureNames.join(","),
    ...info.extra,
  };
  const proto = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: "", version: OPSET }],
    producerName: "edge-guard scripts/model/train-model.ts",
    producerVersion: info.version,
    docString: info.docString,
    graph,
    metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value })),
  });
  return onnx.ModelProto.encode(proto).finish();
}
