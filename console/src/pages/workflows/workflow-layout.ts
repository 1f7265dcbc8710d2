import dagre, { type EdgeLabel, type GraphLabel, type NodeLabel } from '@dagrejs/dagre';
import { childrenByParent, type GraphEdge, type GraphNode, type WorkflowGraph } from './workflow-graph.js';

/**
 * Places a workflow graph: each body is laid out on its own by dagre (top to bottom, edge labels given room),
 * innermost first, so a container is exactly as large as the body it holds; a parallel's lanes stand side by
 * side. Positions are relative to the node's container (as React Flow wants them); edge points are absolute.
 */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PlacedNode {
  node: GraphNode;
  /** Relative to the container (or the canvas at the top level). */
  position: { x: number; y: number };
  /** On the canvas. */
  absolute: { x: number; y: number };
  width: number;
  height: number;
}

export interface PlacedEdge {
  edge: GraphEdge;
  /** On the canvas, from the source's border to the target's. */
  points: { x: number; y: number }[];
  label: { text: string; x: number; y: number; width: number; height: number } | null;
}

export interface GraphLayout {
  nodes: PlacedNode[];
  edges: PlacedEdge[];
  width: number;
  height: number;
}

export const STEP_SIZE = { width: 220, height: 64 } as const;
export const TERMINAL_SIZE = { width: 88, height: 32 } as const;
/** The room above a container's body for its title, and around the body. */
export const CONTAINER_HEADER = 56;
export const CONTAINER_PADDING = 20;
const LANE_GAP = 20;
const LABEL_HEIGHT = 22;
const LABEL_MAX_CHARS = 36;
/** A generous average advance of the console's font at the label size, so a label's box holds its text. */
const CHAR_WIDTH = 7.2;

/** A label as shown: long conditions are cut (the full text is in the edge's title). */
export function shortLabel(text: string): string {
  return text.length > LABEL_MAX_CHARS ? `${text.slice(0, LABEL_MAX_CHARS - 1)}…` : text;
}

const labelWidth = (text: string): number => Math.ceil([...text].reduce((sum, char) => sum + (char.charCodeAt(0) > 0x2e80 ? 2 : 1), 0) * CHAR_WIDTH) + 16;

/**
 * `labelOf` gives an edge's label text (a case's condition, or the words for `on_error`…), null for none.
 */
export function layoutGraph(graph: WorkflowGraph, labelOf: (edge: GraphEdge) => string | null): GraphLayout {
  const children = childrenByParent(graph);
  const sizes = new Map<string, { width: number; height: number }>();
  /** Per body (by its container, null at the top): where its nodes sit and its edges run, relative to the body. */
  const bodies = new Map<string | null, { boxes: Map<string, Box>; edges: PlacedEdge[]; width: number; height: number }>();
  const byId = new Map(graph.nodes.map((node) => [node.id, node]));

  const layOut = (parentId: string | null): { width: number; height: number } => {
    const members = children.get(parentId) ?? [];
    for (const member of members) {
      if (member.container) {
        const inner = layOut(member.id);
        sizes.set(member.id, {
          width: Math.max(inner.width + 2 * CONTAINER_PADDING, STEP_SIZE.width + 2 * CONTAINER_PADDING),
          height: inner.height + CONTAINER_HEADER + CONTAINER_PADDING,
        });
      } else {
        sizes.set(member.id, member.kind === 'start' || member.kind === 'end' ? TERMINAL_SIZE : STEP_SIZE);
      }
    }
    const parent = parentId === null ? null : byId.get(parentId);
    const body = parent?.kind === 'parallel' ? laneRow(members, sizes) : dagreBody(members, graph.edges, sizes, labelOf);
    bodies.set(parentId, body);
    return { width: body.width, height: body.height };
  };
  const top = layOut(null);

  const nodes: PlacedNode[] = [];
  const edges: PlacedEdge[] = [];
  /** `origin`: where the body's own coordinates start on the canvas. */
  const place = (parentId: string | null, origin: { x: number; y: number }) => {
    const body = bodies.get(parentId);
    if (!body) return;
    const shift = (point: { x: number; y: number }) => ({ x: point.x + origin.x, y: point.y + origin.y });
    for (const placed of body.edges) {
      edges.push({ ...placed, points: placed.points.map(shift), label: placed.label ? { ...placed.label, ...shift(placed.label) } : null });
    }
    // Inside a container the body starts below its title, inset by the padding.
    const inset = parentId === null ? { x: 0, y: 0 } : { x: CONTAINER_PADDING, y: CONTAINER_HEADER };
    for (const member of children.get(parentId) ?? []) {
      const box = body.boxes.get(member.id) as Box;
      const absolute = shift(box);
      nodes.push({ node: member, position: { x: box.x + inset.x, y: box.y + inset.y }, absolute, width: box.width, height: box.height });
      if (member.container) place(member.id, { x: absolute.x + CONTAINER_PADDING, y: absolute.y + CONTAINER_HEADER });
    }
  };
  place(null, { x: 0, y: 0 });
  return { nodes, edges, width: top.width, height: top.height };
}

/** A parallel's lanes, side by side, tops aligned. */
function laneRow(members: readonly GraphNode[], sizes: Map<string, { width: number; height: number }>) {
  const boxes = new Map<string, Box>();
  let x = 0;
  let height = 0;
  for (const member of members) {
    const size = sizes.get(member.id) as { width: number; height: number };
    boxes.set(member.id, { x, y: 0, ...size });
    x += size.width + LANE_GAP;
    height = Math.max(height, size.height);
  }
  // Lanes as tall as the tallest, so the row reads as one.
  for (const box of boxes.values()) box.height = height;
  return { boxes, edges: [] as PlacedEdge[], width: Math.max(0, x - LANE_GAP), height };
}

/**
 * What dagre leaves on a node or an edge, spelled out: the root's NodeNext type check cannot follow dagre's
 * extensionless type imports, and would read them as `any`.
 */
interface Placed {
  x?: number;
  y?: number;
  points?: { x: number; y: number }[];
}

function dagreBody(
  members: readonly GraphNode[],
  allEdges: readonly GraphEdge[],
  sizes: Map<string, { width: number; height: number }>,
  labelOf: (edge: GraphEdge) => string | null,
) {
  const ids = new Set(members.map((member) => member.id));
  const own = allEdges.filter((edge) => ids.has(edge.source) && ids.has(edge.target));
  const layout = new dagre.graphlib.Graph<GraphLabel, NodeLabel, EdgeLabel>({ multigraph: true });
  layout.setGraph({ rankdir: 'TB', nodesep: 40, ranksep: 48, edgesep: 24, marginx: 0, marginy: 0 });
  layout.setDefaultEdgeLabel(() => ({}));
  for (const member of members) layout.setNode(member.id, { ...(sizes.get(member.id) as { width: number; height: number }) });
  const texts = new Map<string, string>();
  for (const edge of own) {
    const full = labelOf(edge);
    const text = full === null ? null : shortLabel(full);
    if (text !== null) texts.set(edge.id, text);
    layout.setEdge(
      edge.source,
      edge.target,
      text === null ? { minlen: 1 } : { width: labelWidth(text), height: LABEL_HEIGHT, labelpos: 'c', minlen: 1 },
      edge.id,
    );
  }
  dagre.layout(layout);
  const boxes = new Map<string, Box>();
  let width = 0;
  let height = 0;
  for (const member of members) {
    const placed: Placed = layout.node(member.id);
    const size = sizes.get(member.id) as { width: number; height: number };
    const x = (placed.x ?? 0) - size.width / 2;
    const y = (placed.y ?? 0) - size.height / 2;
    boxes.set(member.id, { x, y, ...size });
    width = Math.max(width, x + size.width);
    height = Math.max(height, y + size.height);
  }
  const edges: PlacedEdge[] = own.map((edge) => {
    const placed: Placed = layout.edge(edge.source, edge.target, edge.id);
    const text = texts.get(edge.id);
    const label =
      text !== undefined && placed.x !== undefined && placed.y !== undefined
        ? { text, x: placed.x, y: placed.y, width: labelWidth(text), height: LABEL_HEIGHT }
        : null;
    for (const point of placed.points ?? []) {
      width = Math.max(width, point.x);
      height = Math.max(height, point.y);
    }
    if (label) width = Math.max(width, label.x + label.width / 2);
    return { edge, points: (placed.points ?? []).map((point) => ({ x: point.x, y: point.y })), label };
  });
  return { boxes, edges, width, height };
}

/** A smooth path through dagre's points (a uniform B-spline, as d3's curveBasis draws it), in SVG path syntax. */
export function splinePath(points: readonly { x: number; y: number }[]): string {
  const [first, ...rest] = points;
  if (!first) return '';
  if (rest.length === 0) return `M${first.x},${first.y}`;
  if (rest.length === 1) return `M${first.x},${first.y}L${rest[0]?.x},${rest[0]?.y}`;
  const round = (value: number) => Math.round(value * 10) / 10;
  let path = `M${round(first.x)},${round(first.y)}`;
  let [x0, y0, x1, y1] = [first.x, first.y, rest[0]?.x ?? 0, rest[0]?.y ?? 0];
  path += `L${round((5 * x0 + x1) / 6)},${round((5 * y0 + y1) / 6)}`;
  for (const point of rest.slice(1)) {
    path += `C${round((2 * x0 + x1) / 3)},${round((2 * y0 + y1) / 3)} ${round((x0 + 2 * x1) / 3)},${round((y0 + 2 * y1) / 3)} ${round((x0 + 4 * x1 + point.x) / 6)},${round((y0 + 4 * y1 + point.y) / 6)}`;
    [x0, y0, x1, y1] = [x1, y1, point.x, point.y];
  }
  path += `C${round((2 * x0 + x1) / 3)},${round((2 * y0 + y1) / 3)} ${round((x0 + 2 * x1) / 3)},${round((y0 + 2 * y1) / 3)} ${round((x0 + 5 * x1) / 6)},${round((y0 + 5 * y1) / 6)}`;
  return `${path}L${round(x1)},${round(y1)}`;
}
