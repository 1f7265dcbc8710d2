import '@xyflow/react/dist/style.css';
import { Controls, MarkerType, type NodeChange, ReactFlow, useReactFlow } from '@xyflow/react';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { GroupNode, type StepFlowEdge, type StepFlowNode, StepEdge, StepNode, TerminalNode } from './GraphNodes';
import type { GraphEdge, GraphEdgeKind, WorkflowGraph as Graph } from './workflow-graph';
import { layoutGraph } from './workflow-layout';
import type { EdgeRunState, NodeRunState } from './workflow-run-state';

// Not React Flow's own `default`/`group` types, whose built-in styles (padding, border, width) would frame ours.
const NODE_TYPES = { wfStep: StepNode, wfContainer: GroupNode, wfTerminal: TerminalNode };
const EDGE_TYPES = { wfEdge: StepEdge };
const EDGE_COLOURS: Record<GraphEdgeKind, string> = {
  next: '#64748b',
  start: '#64748b',
  end: '#64748b',
  case: '#1d4ed8',
  default: '#475569',
  on_error: '#b91c1c',
  exhausted: '#b45309',
  on_timeout: '#b45309',
};
const MIN_HEIGHT = 320;
/** Tall enough that most workflows are drawn at full size; a longer one scales down to fit (and zooms). */
const MAX_HEIGHT = 1_800;
const PADDING = 24;

/**
 * How the canvas shows the whole layout, edges and labels included (React Flow's fitView sees only the
 * nodes): at full size when it fits the width, smaller when not, and the canvas as tall as that makes it.
 */
export function fitLayout(layout: { width: number; height: number }, canvasWidth: number) {
  let zoom = Math.min(1, (canvasWidth - 2 * PADDING) / Math.max(layout.width, 1));
  let height = layout.height * zoom + 2 * PADDING;
  if (height > MAX_HEIGHT) {
    zoom = (MAX_HEIGHT - 2 * PADDING) / layout.height;
    height = MAX_HEIGHT;
  }
  height = Math.max(MIN_HEIGHT, height);
  return { zoom, height, x: (canvasWidth - layout.width * zoom) / 2, y: (height - layout.height * zoom) / 2 };
}

/** Inside the canvas: sets the viewport whenever the layout or the canvas's width changes. */
function FitViewport({ view }: { view: { zoom: number; x: number; y: number } }) {
  const flow = useReactFlow();
  useEffect(() => {
    void flow.setViewport(view);
  }, [flow, view]);
  return null;
}

/**
 * A workflow drawn as a graph (React Flow, laid out by dagre): steps as nodes, bodies inside their
 * containers, edges labelled by what takes them. Read-only: nodes are selected, not moved. With `states`
 * (a run), each node is coloured and named by what the run did there; `edgeStates` draws the path it took bold
 * and the paths it did not take faint.
 */
export function WorkflowGraph({
  graph,
  states,
  edgeStates,
  selected,
  onSelect,
  label,
}: {
  graph: Graph;
  states?: ReadonlyMap<string, NodeRunState>;
  edgeStates?: ReadonlyMap<string, EdgeRunState>;
  selected: string | null;
  onSelect: (id: string | null) => void;
  label: string;
}) {
  const { t } = useTranslation('workflows');
  const labelOf = useCallback(
    (edge: GraphEdge): string | null => {
      if (edge.kind === 'case') return edge.condition;
      if (edge.kind === 'next' || edge.kind === 'start' || edge.kind === 'end') return null;
      return t(`edges.${edge.kind}`);
    },
    [t],
  );
  const layout = useMemo(() => layoutGraph(graph, labelOf), [graph, labelOf]);
  const nodes = useMemo<StepFlowNode[]>(
    () =>
      layout.nodes.map((placed) => {
        const { node } = placed;
        const terminal = node.kind === 'start' || node.kind === 'end';
        return {
          id: node.id,
          type: terminal ? 'wfTerminal' : node.container ? 'wfContainer' : 'wfStep',
          position: placed.position,
          width: placed.width,
          height: placed.height,
          ...(node.parentId ? { parentId: node.parentId } : {}),
          data: { node, state: states?.get(node.id) ?? null },
          selectable: !terminal && node.kind !== 'lane',
          selected: node.id === selected,
          draggable: false,
          connectable: false,
          ariaLabel: terminal ? t(`kinds.${node.kind}`) : t('graph.nodeLabel', { id: node.label, kind: t(`kinds.${node.kind}`) }),
        };
      }),
    [layout, states, selected, t],
  );
  const edges = useMemo<StepFlowEdge[]>(
    () =>
      layout.edges.map((placed) => {
        const { edge } = placed;
        const went = edgeStates?.get(edge.id);
        return {
          id: edge.id,
          source: edge.source,
          target: edge.target,
          type: 'wfEdge',
          className: `wf-edge wf-edge-${edge.kind}${went ? ` wf-edge-${went}` : ''}`,
          // Above the containers' backgrounds, so an edge inside a body is never hidden by it.
          zIndex: 1,
          focusable: false,
          selectable: false,
          // In the canvas's units, so a thicker (taken) edge does not get a bigger arrowhead.
          markerEnd: { type: MarkerType.ArrowClosed, color: EDGE_COLOURS[edge.kind], width: 26, height: 26, markerUnits: 'userSpaceOnUse' },
          data: {
            kind: edge.kind,
            points: placed.points,
            label: placed.label ? { text: placed.label.text, x: placed.label.x, y: placed.label.y } : null,
            title: labelOf(edge),
          },
        };
      }),
    [layout, edgeStates, labelOf],
  );
  const onNodesChange = useCallback(
    (changes: NodeChange<StepFlowNode>[]) => {
      for (const change of changes) if (change.type === 'select' && change.selected) onSelect(change.id);
    },
    [onSelect],
  );
  const frame = useRef<HTMLElement>(null);
  const [width, setWidth] = useState(0);
  useEffect(() => {
    const element = frame.current;
    if (!element) return;
    const observer = new ResizeObserver(([entry]) => setWidth(Math.round(entry?.contentRect.width ?? 0)));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  const view = useMemo(() => fitLayout(layout, width || 800), [layout, width]);
  return (
    <section
      ref={frame}
      className="wf-canvas"
      style={{ height: view.height }}
      aria-label={label}
      data-nodes={layout.nodes.length}
      data-edges={layout.edges.length}
    >
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={NODE_TYPES}
        edgeTypes={EDGE_TYPES}
        onNodesChange={onNodesChange}
        onPaneClick={() => onSelect(null)}
        defaultViewport={view}
        minZoom={0.2}
        maxZoom={1.5}
        nodesDraggable={false}
        nodesConnectable={false}
        edgesFocusable={false}
        zoomOnScroll={false}
        preventScrolling={false}
        zoomOnDoubleClick={false}
        ariaLabelConfig={{
          'node.a11yDescription.default': t('graph.a11y.node'),
          'node.a11yDescription.keyboardDisabled': t('graph.a11y.node'),
          'edge.a11yDescription.default': t('graph.a11y.edge'),
          'controls.ariaLabel': t('graph.a11y.controls'),
          'controls.zoomIn.ariaLabel': t('graph.a11y.zoomIn'),
          'controls.zoomOut.ariaLabel': t('graph.a11y.zoomOut'),
          'controls.fitView.ariaLabel': t('graph.a11y.fitView'),
        }}
      >
        <FitViewport view={view} />
        <Controls position="top-right" showInteractive={false} fitViewOptions={{ padding: 0.05, maxZoom: 1 }} />
      </ReactFlow>
    </section>
  );
}
