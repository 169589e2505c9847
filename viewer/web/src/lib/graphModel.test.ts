import { describe, expect, it } from "vitest";
import { GraphModel } from "./graphModel";

describe("GraphModel", () => {
  it("reads a merged TF2 op graph: library functions and prefixed control inputs", () => {
    const m = new GraphModel(`node {
  name: "graph_1/x"
  op: "Placeholder"
}
node {
  name: "graph_1/PartitionedCall"
  op: "PartitionedCall"
  input: "graph_1/x"
  input: "graph_1/^x"
}
library {
  function {
    signature {
      name: "graph_1___inference_step_101"
    }
  }
}
versions {
  producer: 1645
}
`);
    expect(m.functions).toEqual(["graph_1___inference_step_101"]);
    expect(m.ops.get("graph_1/PartitionedCall")!.inputs).toEqual(["graph_1/x", "graph_1/x"]);
  });

  it("takes a Keras conceptual node's type from its keras_class", () => {
    const m = new GraphModel(`node {
  name: "sequential/dense"
  input: "sequential/dense_input"
  attr {
    key: "keras_class"
    value {
      s: "Dense"
    }
  }
}
`);
    expect(m.ops.get("sequential/dense")!.op).toBe("Dense");
  });
});
