// A dataset's lineage as an SVG graph: ancestors in rows above it, descendants below, an arrow
// from each parent to each child (dashed from a version to the next, dotted to a model trained
// on it); every node links to its dataset page.
import { t } from "../i18n.js";

const NS = "http://www.w3.org/2000/svg";
const W = 170, H = 44, GAP_X = 24, GAP_Y = 46;
// an edge's colour by kind: a parent's data, a dataset's next version, a model trained on it
const STROKES = { parent: "#2f7d6d", version: "#555", trained: "#8a4fbf" };

function svg(tag, attributes, text) {
  const node = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attributes)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

// Rows by generation: the root at 0, parents at -1, -2…, children at 1, 2… (breadth first).
function levels(graph) {
  const level = new Map([[graph.root, 0]]);
  const up = new Map(), down = new Map();
  for (const { parent, child } of graph.edges) {
    (up.get(child) ?? up.set(child, []).get(child)).push(parent);
    (down.get(parent) ?? down.set(parent, []).get(parent)).push(child);
  }
  for (const [edges, sign] of [[up, -1], [down, 1]]) {
    const queue = [graph.root];
    while (queue.length) {
      const id = queue.shift();
      for (const next of edges.get(id) ?? []) {
        if (level.has(next)) continue;
        level.set(next, level.get(id) + sign);
        queue.push(next);
      }
    }
  }
  return level;
}

export function lineageGraph(graph) {
  const level = levels(graph);
  const rows = new Map();
  for (const node of graph.nodes) {
    const l = level.get(node.id) ?? 0;
    (rows.get(l) ?? rows.set(l, []).get(l)).push(node);
  }
  const order = [...rows.keys()].sort((a, b) => a - b);
  const widest = Math.max(...[...rows.values()].map((r) => r.length));
  const width = widest * (W + GAP_X) + GAP_X, height = order.length * (H + GAP_Y);
  // a group of links (each dataset's box), not one image: its links stay reachable by keyboard
  const root = svg("svg", { id: "lineage-graph", width, height, viewBox: `0 0 ${width} ${height}`, role: "group",
                            "aria-label": t("lineage.graph") });
  root.append(svg("defs", {}));
  root.firstChild.append(Object.assign(svg("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 10, refY: 5,
    markerWidth: 7, markerHeight: 7, orient: "auto" }), {}));
  root.querySelector("marker").append(svg("path", { d: "M0,0 L10,5 L0,10 z", fill: "#2f7d6d" }));
  const at = new Map();
  order.forEach((l, r) => {
    const row = rows.get(l);
    const offset = (width - row.length * (W + GAP_X) + GAP_X) / 2;
    row.forEach((node, i) => at.set(node.id, { x: offset + i * (W + GAP_X), y: GAP_Y / 2 + r * (H + GAP_Y) }));
  });
  for (const { parent, child, kind } of graph.edges) {
    const a = at.get(parent), b = at.get(child);
    if (!a || !b) continue;
    root.append(svg("line", { class: `edge ${kind ?? "parent"}`, "data-parent": parent, "data-child": child,
                              x1: a.x + W / 2, y1: a.y + H, x2: b.x + W / 2, y2: b.y, stroke: STROKES[kind ?? "parent"],
                              "marker-end": "url(#arrow)", ...(kind ? { "stroke-dasharray": kind === "version" ? "6 4" : "2 3" } : {}) }));
  }
  for (const node of graph.nodes) {
    const { x, y } = at.get(node.id);
    const a = svg("a", { href: `#/dataset/${node.id}`, class: "node", "data-id": node.id });
    a.append(svg("rect", { x, y, width: W, height: H, rx: 6, fill: node.id === graph.root ? "#dff3e4" : "#fff",
                           stroke: "#2f7d6d" }));
    const title = node.name || t("browse.unnamed", { id: node.id.slice(0, 10) });
    a.append(svg("text", { x: x + 8, y: y + 18, "font-size": 12 }, title.length > 24 ? title.slice(0, 23) + "…" : title));
    a.append(svg("text", { x: x + 8, y: y + 35, "font-size": 11, fill: "#555" }, `${node.license ?? ""} · ${node.status === "model" ? t("model.model") : t(`status.${node.status}`)}`));
    root.append(a);
  }
  return root;
}
