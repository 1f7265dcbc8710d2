/**
 * The console's workflow graph, as pure functions: a document becomes nodes (containers holding their
 * bodies) and the edges the interpreter can follow; the layout places every body without overlaps, inside
 * its container, with room for edge labels; a run's steps become each node's state, a map's items counted.
 */
import { describe, expect, it } from 'vitest';
import { type GraphEdge, workflowGraph } from '../../console/src/pages/workflows/workflow-graph.js';
import { type Box, layoutGraph, splinePath } from '../../console/src/pages/workflows/workflow-layout.js';
import { edgeStates, runStates } from '../../console/src/pages/workflows/workflow-run-state.js';
import type { WorkflowDocument, WorkflowRun, WorkflowRunStep } from '../../console/src/pages/workflows/workflow-types.js';

const document: WorkflowDocument = {
  apiVersion: 'tokenhub.dev/v1',
  kind: 'Workflow',
  metadata: { name: 'refunds' },
  spec: {
    steps: [
      { id: 'triage', kind: 'agent', agent: 'triage', input: 'Triage the message' },
      {
        id: 'route',
        kind: 'branch',
        cases: [
          { when: "steps.triage.output.json.intent == 'refund'", next: 'refund' },
          { when: "steps.triage.output.json.intent == 'quote'", next: 'quotes' },
        ],
        default: 'other',
      },
      { id: 'refund', kind: 'llm', model: 'scripted', prompt: 'Refund', on_error: 'apologise', end: true },
      {
        id: 'other',
        kind: 'parallel',
        branches: [
          {
            name: 'left',
            steps: [
              { id: 'l1', kind: 'llm', model: 'scripted', prompt: 'Left' },
              { id: 'l2', kind: 'tool', tool: { type: 'builtin', name: 'calculator' } },
            ],
          },
          { name: 'right', steps: [{ id: 'r1', kind: 'workflow', workflow: 'summarise' }] },
        ],
        next: 'approve',
      },
      {
        id: 'quotes',
        kind: 'map',
        items: 'input.suppliers',
        steps: [{ id: 'ask', kind: 'llm', model: 'scripted', prompt: 'Ask for a quote' }],
      },
      {
        id: 'refine',
        kind: 'loop',
        until: "steps.draft.output.text == 'good'",
        max_iterations: 3,
        exhausted: 'give_up',
        steps: [{ id: 'draft', kind: 'llm', model: 'scripted', prompt: 'Draft', if: 'iteration > 0' }],
      },
      { id: 'approve', kind: 'human', title: 'Approve the refund', queue: 'refunds', timeout_s: 60, on_timeout: 'give_up' },
      { id: 'pause', kind: 'wait', seconds: 5 },
      { id: 'done', kind: 'llm', model: 'scripted', prompt: 'Done', end: true },
      { id: 'give_up', kind: 'llm', model: 'scripted', prompt: 'Give up', end: true },
      { id: 'apologise', kind: 'llm', model: 'scripted', prompt: 'Sorry' },
    ],
  },
};

const edgeList = (edges: GraphEdge[]) =>
  edges.map((edge) => `${edge.source} -${edge.kind}-> ${edge.target}${edge.condition ? ` [${edge.condition}]` : ''}`);
const overlaps = (a: Box, b: Box) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
const labelOf = (edge: GraphEdge) =>
  edge.kind === 'case'
    ? edge.condition
    : edge.kind === 'next' || edge.kind === 'start' || edge.kind === 'end'
      ? null
      : edge.kind.replace('_', ' ');

describe('the workflow graph of a document', () => {
  it('has a node per step, containers before the bodies they hold, and every path the interpreter can take', () => {
    const graph = workflowGraph(document);
    expect(graph.nodes.map((node) => [node.id, node.kind, node.parentId])).toEqual([
      ['__start', 'start', null],
      ['triage', 'agent', null],
      ['route', 'branch', null],
      ['refund', 'llm', null],
      ['other', 'parallel', null],
      ['other/left', 'lane', 'other'],
      ['l1', 'llm', 'other/left'],
      ['l2', 'tool', 'other/left'],
      ['other/right', 'lane', 'other'],
      ['r1', 'workflow', 'other/right'],
      ['quotes', 'map', null],
      ['ask', 'llm', 'quotes'],
      ['refine', 'loop', null],
      ['draft', 'llm', 'refine'],
      ['approve', 'human', null],
      ['pause', 'wait', null],
      ['done', 'llm', null],
      ['give_up', 'llm', null],
      ['apologise', 'llm', null],
      ['__end', 'end', null],
    ]);
    expect(graph.nodes.find((node) => node.id === 'triage')?.detail).toBe('triage');
    expect(graph.nodes.find((node) => node.id === 'l2')?.detail).toBe('calculator');
    expect(graph.nodes.find((node) => node.id === 'draft')?.conditional).toBe(true);
    expect(graph.nodes.filter((node) => node.container).map((node) => node.id)).toEqual([
      'other',
      'other/left',
      'other/right',
      'quotes',
      'refine',
    ]);
    expect(edgeList(graph.edges).sort()).toEqual(
      [
        '__start -start-> triage',
        'triage -next-> route',
        "route -case-> refund [steps.triage.output.json.intent == 'refund']",
        "route -case-> quotes [steps.triage.output.json.intent == 'quote']",
        'route -default-> other',
        'refund -end-> __end',
        'refund -on_error-> apologise',
        'l1 -next-> l2',
        'other -next-> approve',
        'quotes -next-> refine',
        'refine -next-> approve',
        'refine -exhausted-> give_up',
        'approve -next-> pause',
        'approve -on_timeout-> give_up',
        'pause -next-> done',
        'done -end-> __end',
        'give_up -end-> __end',
        'apologise -end-> __end',
      ].sort(),
    );
    expect(new Set(graph.edges.map((edge) => edge.id)).size).toBe(graph.edges.length);
  });

  it('falls through a branch without a default to the next step, and leaves out an edge to another body', () => {
    const graph = workflowGraph({
      ...document,
      spec: {
        steps: [
          { id: 'pick', kind: 'branch', cases: [{ when: 'input.big', next: 'big' }] },
          { id: 'small', kind: 'llm', model: 'm', prompt: 'p', next: 'inner' },
          { id: 'big', kind: 'loop', until: 'true', max_iterations: 1, steps: [{ id: 'inner', kind: 'llm', model: 'm', prompt: 'p' }] },
        ],
      },
    });
    expect(edgeList(graph.edges)).toEqual([
      '__start -start-> pick',
      'pick -case-> big [input.big]',
      'pick -default-> small',
      'big -end-> __end',
    ]);
  });
});

describe('the layout of a workflow graph', () => {
  const graph = workflowGraph(document);
  const layout = layoutGraph(graph, labelOf);
  const boxOf = (id: string): Box => {
    const placed = layout.nodes.find((entry) => entry.node.id === id);
    if (!placed) throw new Error(`no node ${id}`);
    return { ...placed.absolute, width: placed.width, height: placed.height };
  };

  it('places every node, siblings apart and each body inside its container', () => {
    expect(layout.nodes.map((placed) => placed.node.id).sort()).toEqual(graph.nodes.map((node) => node.id).sort());
    for (const placed of layout.nodes) {
      const siblings = layout.nodes.filter((other) => other !== placed && other.node.parentId === placed.node.parentId);
      for (const sibling of siblings)
        expect(overlaps(boxOf(placed.node.id), boxOf(sibling.node.id)), `${placed.node.id} and ${sibling.node.id}`).toBe(false);
      if (placed.node.parentId) {
        const parent = boxOf(placed.node.parentId);
        const box = boxOf(placed.node.id);
        expect(box.x, placed.node.id).toBeGreaterThanOrEqual(parent.x);
        expect(box.y, placed.node.id).toBeGreaterThan(parent.y);
        expect(box.x + box.width, placed.node.id).toBeLessThanOrEqual(parent.x + parent.width);
        expect(box.y + box.height, placed.node.id).toBeLessThanOrEqual(parent.y + parent.height);
        // React Flow reads a child's position relative to its parent.
        expect(placed.position.x).toBeCloseTo(box.x - parent.x);
        expect(placed.position.y).toBeCloseTo(box.y - parent.y);
      }
    }
    // A parallel's lanes stand side by side.
    expect(boxOf('other/right').x).toBeGreaterThanOrEqual(boxOf('other/left').x + boxOf('other/left').width);
    expect(boxOf('other/right').y).toBe(boxOf('other/left').y);
  });

  it('runs each edge from its source to its target, its label clear of every node', () => {
    expect(layout.edges).toHaveLength(graph.edges.length);
    for (const placed of layout.edges) {
      const source = boxOf(placed.edge.source);
      const target = boxOf(placed.edge.target);
      const first = placed.points[0];
      const last = placed.points.at(-1);
      if (!first || !last) throw new Error(`edge ${placed.edge.id} has no points`);
      const near = (point: { x: number; y: number }, box: Box) =>
        point.x >= box.x - 1 && point.x <= box.x + box.width + 1 && point.y >= box.y - 1 && point.y <= box.y + box.height + 1;
      expect(near(first, source), `${placed.edge.id} starts at its source`).toBe(true);
      expect(near(last, target), `${placed.edge.id} ends at its target`).toBe(true);
      if (labelOf(placed.edge) === null) expect(placed.label).toBeNull();
      else {
        const label = placed.label;
        if (!label) throw new Error(`edge ${placed.edge.id} has no label`);
        const box = { x: label.x - label.width / 2, y: label.y - label.height / 2, width: label.width, height: label.height };
        for (const node of layout.nodes.filter((entry) => !entry.node.container)) {
          expect(overlaps(box, boxOf(node.node.id)), `label of ${placed.edge.id} over ${node.node.id}`).toBe(false);
        }
      }
    }
    const condition = layout.edges.find((placed) => placed.edge.kind === 'case')?.label?.text ?? '';
    expect(condition.endsWith('…')).toBe(true);
    expect(condition.length).toBeLessThanOrEqual(36);
  });

  it('draws a smooth path through the points', () => {
    expect(
      splinePath([
        { x: 0, y: 0 },
        { x: 0, y: 60 },
      ]),
    ).toBe('M0,0L0,60');
    const path = splinePath([
      { x: 0, y: 0 },
      { x: 60, y: 30 },
      { x: 60, y: 90 },
    ]);
    expect(path.startsWith('M0,0L10,5C')).toBe(true);
    expect(path.endsWith('L60,90')).toBe(true);
  });
});

describe("a run's state on the graph", () => {
  const step = (key: string, id: string, kind: string, status: WorkflowRunStep['status'], output: unknown = null): WorkflowRunStep => ({
    key,
    id,
    kind,
    status,
    attempt: 1,
    started_at: '2026-01-01T00:00:00.000Z',
    finished_at: status === 'running' ? null : '2026-01-01T00:00:01.000Z',
    duration_ms: status === 'running' ? null : 1000,
    output,
    error: null,
    cost_usd: null,
  });
  const run = (status: WorkflowRun['status'], steps: WorkflowRunStep[]): WorkflowRun => ({
    id: 'run_1',
    object: 'workflow.run',
    workflow: 'refunds',
    version: 1,
    status,
    input: {},
    output: null,
    error: null,
    parent_run_id: null,
    metadata: {},
    usage: { input_tokens: 0, output_tokens: 0, cost_usd: '0', model_calls: 0 },
    created_at: '2026-01-01T00:00:00.000Z',
    finished_at: null,
    steps,
  });
  const graph = workflowGraph(document);

  it('counts a running map by its items and shows each step by its most pressing instance', () => {
    const moving = run('running', [
      step('triage', 'triage', 'agent', 'completed'),
      step('route', 'route', 'branch', 'completed'),
      step('quotes', 'quotes', 'map', 'running'),
      step('quotes[0].ask', 'ask', 'llm', 'completed'),
      step('quotes[1].ask', 'ask', 'llm', 'failed'),
      step('quotes[2].ask', 'ask', 'llm', 'running'),
    ]);
    const states = runStates(graph, moving);
    expect(states.get('triage')?.status).toBe('completed');
    expect(states.get('refund')?.status).toBe('not_reached');
    expect(states.get('ask')?.status).toBe('running');
    expect(states.get('ask')?.instances.map((instance) => instance.key)).toEqual(['quotes[0].ask', 'quotes[1].ask', 'quotes[2].ask']);
    expect(states.get('quotes')?.items).toEqual({
      total: 3,
      totalKnown: false,
      completed: 1,
      failed: 1,
      items: [
        { key: 'quotes[0]', index: 0, status: 'completed' },
        { key: 'quotes[1]', index: 1, status: 'failed' },
        { key: 'quotes[2]', index: 2, status: 'running' },
      ],
    });
    const went = edgeStates(graph, states, moving);
    expect(went.get('triage->route:next')).toBe('taken');
    expect(went.get('route->refund:case')).toBe('not_taken');
    expect(went.get('quotes->refine:next')).toBe('not_taken');
  });

  it('counts every item of a finished map as done, and shows a lane by its steps', () => {
    const finished = run('completed', [
      step('other', 'other', 'parallel', 'completed'),
      step('other.left.l1', 'l1', 'llm', 'completed'),
      step('other.left.l2', 'l2', 'tool', 'completed'),
      step('quotes', 'quotes', 'map', 'completed'),
      ...['a', 'b', 'c'].map((_, index) => step(`quotes[${index}].ask`, 'ask', 'llm', 'completed')),
      // An item whose step failed and took its error path still finished.
      step('quotes[3].ask', 'ask', 'llm', 'failed'),
      step('refine', 'refine', 'loop', 'exhausted'),
      step('refine#1.draft', 'draft', 'llm', 'skipped'),
    ]);
    const states = runStates(graph, finished);
    expect(states.get('quotes')?.items).toMatchObject({ total: 4, totalKnown: true, completed: 4, failed: 0 });
    expect(states.get('ask')?.status).toBe('failed');
    expect(states.get('other/left')?.status).toBe('completed');
    expect(states.get('other/right')?.status).toBe('not_reached');
    expect(states.get('refine')?.status).toBe('exhausted');
    expect(states.get('draft')?.status).toBe('skipped');
    const went = edgeStates(graph, states, finished);
    expect(went.get('refine->give_up:exhausted')).toBe('not_taken');
    expect(went.get('__start->triage:start')).toBe('not_taken');
  });

  it('cannot tell which way a branch went when both of its targets were reached', () => {
    const both = run('running', [
      step('triage', 'triage', 'agent', 'completed'),
      step('route', 'route', 'branch', 'completed'),
      step('quotes', 'quotes', 'map', 'completed'),
      step('refine', 'refine', 'loop', 'completed'),
      step('approve', 'approve', 'human', 'completed'),
      step('other', 'other', 'parallel', 'running'),
    ]);
    const went = edgeStates(graph, runStates(graph, both), both);
    expect(went.get('route->quotes:case')).toBe('unknown');
    expect(went.get('route->other:default')).toBe('unknown');
    expect(went.get('route->refund:case')).toBe('not_taken');
    expect(went.get('quotes->refine:next')).toBe('taken');
    expect(went.get('other->approve:next')).toBe('not_taken');
  });
});
