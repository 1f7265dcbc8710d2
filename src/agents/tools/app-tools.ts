import type { AgentTool } from './tool.js';

/** Builds an app's tool for one run of one tenant (an app keeps its own per-tenant state, e.g. a demo store). */
export type AppToolFactory = (context: { tenantId: string; runId: string }) => AgentTool | Promise<AgentTool>;

/**
 * Tools that shipped apps register in process (the support agent's store tools, with their own guards).
 * An agent refers to one with `{ type: 'app', name }`; its definition is refused when no app registered it.
 */
export class AppToolRegistry {
  private readonly factories = new Map<string, AppToolFactory>();

  register(name: string, factory: AppToolFactory): void {
    if (this.factories.has(name)) throw new Error(`an app tool named ${name} is registered already`);
    this.factories.set(name, factory);
  }

  has(name: string): boolean {
    return this.factories.has(name);
  }

  names(): string[] {
    return [...this.factories.keys()].sort();
  }

  async create(name: string, context: { tenantId: string; runId: string }): Promise<AgentTool | undefined> {
    const factory = this.factories.get(name);
    return factory ? factory(context) : undefined;
  }
}
