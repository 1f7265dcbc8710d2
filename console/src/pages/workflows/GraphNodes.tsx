import { BaseEdge, type Edge, EdgeLabelRenderer, type EdgeProps, Handle, type Node, type NodeProps, Position } from '@xyflow/react';
import { useTranslation } from 'react-i18next';
import type { GraphEdgeKind, GraphNode, GraphNodeKind } from './workflow-graph';
import { splinePath } from './workflow-layout';
import type { NodeRunState } from './workflow-run-state';

/** What a node of the canvas carries: the graph node, and the run's state there when the canvas shows a run. */
export type StepNodeData = { node: GraphNode; state: NodeRunState | null };
export type StepFlowNode = Node<StepNodeData>;

export type StepEdgeData = {
  kind: GraphEdgeKind;
  points: { x: number; y: number }[];
  label: { text: string; x: number; y: number } | null;
  /** The label's whole text (a long condition is cut on the canvas). */
  title: string | null;
};
export type StepFlowEdge = Edge<StepEdgeData>;

function shapeOf(kind: GraphNodeKind): React.JSX.Element {
  switch (kind) {
    case 'agent':
      return (
        <>
          <rect x="3" y="5" width="10" height="8" rx="2" />
          <path d="M8 2v3M6 9h.01M10 9h.01" />
        </>
      );
    case 'llm':
      return <path d="M8 2l1.5 4.5L14 8l-4.5 1.5L8 14l-1.5-4.5L2 8l4.5-1.5z" />;
    case 'tool':
      return <path d="M10 2a3 3 0 0 0-2.8 4.1L2.5 10.8a1.4 1.4 0 0 0 2 2l4.7-4.7A3 3 0 0 0 13 5.5l-2 .5-.9-.9.5-2z" />;
    case 'human':
      return (
        <>
          <circle cx="8" cy="5" r="2.5" />
          <path d="M3 14c.5-3 2.5-4.5 5-4.5s4.5 1.5 5 4.5" />
        </>
      );
    case 'branch':
      return <path d="M4 2v12M4 8c0-3 8-2 8-6M4 8c0 3 8 2 8 6" />;
    case 'parallel':
      return <path d="M5 2v12M11 2v12M2 5h12M2 11h12" />;
    case 'map':
      return (
        <>
          <rect x="2" y="2" width="5" height="5" />
          <rect x="9" y="2" width="5" height="5" />
          <rect x="2" y="9" width="5" height="5" />
          <rect x="9" y="9" width="5" height="5" />
        </>
      );
    case 'loop':
      return <path d="M13 8a5 5 0 1 1-1.5-3.5M12 2v3h-3" />;
    case 'wait':
      return (
        <>
          <circle cx="8" cy="8" r="6" />
          <path d="M8 4.5V8l2.5 1.5" />
        </>
      );
    case 'workflow':
      return (
        <>
          <rect x="2" y="2" width="7" height="7" rx="1" />
          <rect x="7" y="7" width="7" height="7" rx="1" />
        </>
      );
    case 'lane':
      return <path d="M3 4h10M3 8h10M3 12h10" />;
    case 'start':
      return <path d="M5 3l8 5-8 5z" />;
    case 'end':
      return <rect x="4" y="4" width="8" height="8" />;
  }
}

/** A small glyph per kind, drawn in SVG so it needs no icon font. */
export function KindIcon({ kind }: { kind: GraphNodeKind }) {
  return (
    <svg className="wf-icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" focusable="false">
      {shapeOf(kind)}
    </svg>
  );
}

/** The words for a node's run state, and for a map its items (`18/20 completed`). */
function StateLine({ state }: { state: NodeRunState }) {
  const { t } = useTranslation('workflows');
  return (
    <span className={`wf-node-state wf-text-${state.status}`}>
      {t(`stepStatus.${state.status}`)}
      {state.instances.length > 1 ? ` · ${t('graph.times', { count: state.instances.length })}` : ''}
    </span>
  );
}

function ItemCounts({ state }: { state: NodeRunState }) {
  const { t } = useTranslation('workflows');
  if (!state.items) return null;
  const { completed, total, totalKnown, failed } = state.items;
  return (
    <span className="wf-items">
      {t(totalKnown ? 'graph.itemsDone' : 'graph.itemsSoFar', { completed, total })}
      {failed > 0 ? ` · ${t('graph.itemsFailed', { count: failed })}` : ''}
    </span>
  );
}

const stateClass = (state: NodeRunState | null) => (state ? ` wf-state-${state.status}` : '');

function Handles() {
  return (
    <>
      <Handle type="target" position={Position.Top} isConnectable={false} className="wf-handle" />
      <Handle type="source" position={Position.Bottom} isConnectable={false} className="wf-handle" />
    </>
  );
}

export function StepNode({ data, selected }: NodeProps<StepFlowNode>) {
  const { t } = useTranslation('workflows');
  const { node, state } = data;
  return (
    <div className={`wf-node wf-kind-${node.kind}${stateClass(state)}${selected ? ' wf-selected' : ''}`} data-step={node.id}>
      <Handles />
      <div className="wf-node-head">
        <KindIcon kind={node.kind} />
        <strong className="wf-node-id">{node.label}</strong>
        <span className="wf-node-kind">{t(`kinds.${node.kind}`)}</span>
      </div>
      <div className="wf-node-foot">
        {node.detail ? (
          <span className="wf-node-detail" title={node.detail}>
            {node.detail}
          </span>
        ) : null}
        {node.conditional ? (
          <span className="wf-node-if" title={node.step?.if}>
            {t('graph.conditional')}
          </span>
        ) : null}
        {state ? <StateLine state={state} /> : null}
      </div>
    </div>
  );
}

/** A parallel, map or loop with its body inside; a parallel's lanes are its branches. */
export function GroupNode({ data, selected }: NodeProps<StepFlowNode>) {
  const { t } = useTranslation('workflows');
  const { node, state } = data;
  const lane = node.kind === 'lane';
  return (
    <div className={`wf-group wf-kind-${node.kind}${stateClass(state)}${selected ? ' wf-selected' : ''}`} data-step={node.id}>
      {lane ? null : <Handles />}
      <div className="wf-group-head">
        <div className="wf-group-row">
          <KindIcon kind={node.kind} />
          <strong className="wf-node-id">{node.label}</strong>
          {lane ? null : <span className="wf-node-kind">{t(`kinds.${node.kind}`)}</span>}
          {state && !lane ? <StateLine state={state} /> : null}
        </div>
        {node.detail || state?.items ? (
          <div className="wf-group-row">
            {node.detail ? (
              <code className="wf-node-detail" title={node.detail}>
                {node.detail}
              </code>
            ) : null}
            {state ? <ItemCounts state={state} /> : null}
          </div>
        ) : null}
      </div>
    </div>
  );
}

export function TerminalNode({ data }: NodeProps<StepFlowNode>) {
  const { t } = useTranslation('workflows');
  const { node } = data;
  return (
    <div className={`wf-terminal wf-kind-${node.kind}`}>
      {node.kind === 'start' ? <Handle type="source" position={Position.Bottom} isConnectable={false} className="wf-handle" /> : null}
      {node.kind === 'end' ? <Handle type="target" position={Position.Top} isConnectable={false} className="wf-handle" /> : null}
      {t(`kinds.${node.kind}`)}
    </div>
  );
}

/** An edge along dagre's points, its label where dagre left room for it. */
export function StepEdge({ id, data, markerEnd }: EdgeProps<StepFlowEdge>) {
  if (!data) return null;
  return (
    <>
      <BaseEdge id={id} path={splinePath(data.points)} {...(markerEnd ? { markerEnd } : {})} />
      {data.label ? (
        <EdgeLabelRenderer>
          <div
            className={`wf-edge-label wf-edge-label-${data.kind}`}
            style={{ transform: `translate(-50%, -50%) translate(${data.label.x}px, ${data.label.y}px)` }}
            title={data.title ?? undefined}
          >
            {data.label.text}
          </div>
        </EdgeLabelRenderer>
      ) : null}
    </>
  );
}
