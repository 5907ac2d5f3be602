// The fixed request context the Responses fixture pairs were recorded with.
import type { ResponseContext, ToolTarget } from '../../../src/dialects/responses/types.ts';

/** A context with counter ids (`msg_1`, `fc_1`, ...), a fixed clock and the tools the fixtures call. */
export function fixtureContext(): ResponseContext {
  const counters = new Map<string, number>();
  const toolTargets = new Map<string, ToolTarget>([
    ['apply_patch', { kind: 'custom', name: 'apply_patch' }],
    ['multi_agent_v1__spawn_agent', { kind: 'function', name: 'spawn_agent', namespace: 'multi_agent_v1' }],
  ]);
  return {
    id: 'resp_fixture',
    model: 'openai/gpt-4o',
    createdAt: 1767225600,
    echo: {
      instructions: null, tools: [], tool_choice: 'auto', parallel_tool_calls: true, temperature: null, top_p: null,
      max_output_tokens: null, reasoning: null, text: { format: { type: 'text' } }, metadata: {}, store: false,
    },
    toolTargets,
    newId: (prefix) => {
      const next = (counters.get(prefix) ?? 0) + 1;
      counters.set(prefix, next);
      return `${prefix}_${next}`;
    },
  };
}
