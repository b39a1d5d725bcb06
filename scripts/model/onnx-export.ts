/** Writes the models as ONNX graphs with onnx-proto (no Python needed): logistic regression (MatMul → Add → Sigmoid) and tree ensembles (ONNX-ML). */
import onnxProto from "onnx-proto";
import { MODEL_METADATA_KEYS } from "../../core/features";
import type { GbtModel, TreeNode } from "./gbt";
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
  return encodeModel(graph, [{ domain: "", version: OPSET }], info);
}

/**
 * The ONNX bytes of a tree ensemble: ONNX-ML `TreeEnsembleRegressor` (sum of the trees' leaves plus the base logit,
 * `x <= threshold` goes to the true branch) → `Sigmoid`. Input "features" float [N, F], output "score" float [N, 1].
 */
export function exportGbtOnnx(model: GbtModel, featureCount: number, info: ExportInfo): Uint8Array {
  if (featureCount !== info.featureNames.length)
    throw new Error(`model has ${featureCount} inputs for ${info.featureNames.length} features`);
  const nodes = {
    treeIds: [] as number[],
    nodeIds: [] as number[],
    featureIds: [] as number[],
    modes: [] as string[],
    values: [] as number[],
    trueIds: [] as number[],
    falseIds: [] as number[],
    missingTrue: [] as number[],
  };
  const targets = { treeIds: [] as number[], nodeIds: [] as number[], ids: [] as number[], weights: [] as number[] };
  model.trees.forEach((tree, treeId) => {
    let next = 0;
    const visit = (node: TreeNode): number => {
      const id = next++;
      const at = nodes.nodeIds.length;
      nodes.treeIds.push(treeId);
      nodes.nodeIds.push(id);
      nodes.missingTrue.push(0);
      if ("value" in node) {
        nodes.featureIds.push(0);
        nodes.modes.push("LEAF");
        nodes.values.push(0);
        nodes.trueIds.push(0);
        nodes.falseIds.push(0);
        targets.treeIds.push(treeId);
        targets.nodeIds.push(id);
        targets.ids.push(0);
        targets.weights.push(node.value);
        return id;
      }
      nodes.featureIds.push(node.feature);
      nodes.modes.push("BRANCH_LEQ");
      nodes.values.push(node.threshold);
      nodes.trueIds.push(-1);
      nodes.falseIds.push(-1);
      nodes.trueIds[at] = visit(node.left);
      nodes.falseIds[at] = visit(node.right);
      return id;
    };
    visit(tree);
  });
  const ints = (name: string, values: readonly number[]) => ({ name, type: onnx.AttributeProto.AttributeType.INTS, ints: [...values] });
  const floats = (name: string, values: readonly number[]) => ({
    name,
    type: onnx.AttributeProto.AttributeType.FLOATS,
    floats: [...values],
  });
  const strings = (name: string, values: readonly string[]) => ({
    name,
    type: onnx.AttributeProto.AttributeType.STRINGS,
    strings: values.map((v) => new TextEncoder().encode(v)),
  });
  const graph = onnx.GraphProto.create({
    name: "edge_guard_gbt",
    node: [
      onnx.NodeProto.create({
        name: "trees",
        opType: "TreeEnsembleRegressor",
        domain: "ai.onnx.ml",
        input: ["features"],
        output: ["logit"],
        attribute: [
          { name: "aggregate_function", type: onnx.AttributeProto.AttributeType.STRING, s: new TextEncoder().encode("SUM") },
          floats("base_values", [model.base]),
          { name: "n_targets", type: onnx.AttributeProto.AttributeType.INT, i: 1 },
          ints("nodes_treeids", nodes.treeIds),
          ints("nodes_nodeids", nodes.nodeIds),
          ints("nodes_featureids", nodes.featureIds),
          strings("nodes_modes", nodes.modes),
          floats("nodes_values", nodes.values),
          ints("nodes_truenodeids", nodes.trueIds),
          ints("nodes_falsenodeids", nodes.falseIds),
          ints("nodes_missing_value_tracks_true", nodes.missingTrue),
          { name: "post_transform", type: onnx.AttributeProto.AttributeType.STRING, s: new TextEncoder().encode("NONE") },
          ints("target_treeids", targets.treeIds),
          ints("target_nodeids", targets.nodeIds),
          ints("target_ids", targets.ids),
          floats("target_weights", targets.weights),
        ],
      }),
      onnx.NodeProto.create({ name: "sigmoid", opType: "Sigmoid", input: ["logit"], output: ["score"] }),
    ],
    input: [floatInput("features", ["N", featureCount])],
    output: [floatInput("score", ["N", 1])],
  });
  return encodeModel(
    graph,
    [
      { domain: "", version: OPSET },
      { domain: "ai.onnx.ml", version: 1 },
    ],
    info,
  );
}

/** A model's bytes: the graph, its operator sets, and edge-guard's metadata (version, feature list, extras). */
function encodeModel(
  graph: ReturnType<typeof onnx.GraphProto.create>,
  opsetImport: readonly { readonly domain: string; readonly version: number }[],
  info: ExportInfo,
): Uint8Array {
  const metadata = {
    [MODEL_METADATA_KEYS.version]: info.version,
    [MODEL_METADATA_KEYS.features]: info.featureNames.join(","),
    ...info.extra,
  };
  const proto = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [...opsetImport],
    producerName: "edge-guard scripts/model/train-model.ts",
    producerVersion: info.version,
    docString: info.docString,
    graph,
    metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value })),
  });
  return onnx.ModelProto.encode(proto).finish();
}
