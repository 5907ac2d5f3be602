// Fixed ids and contexts for the Responses fixtures, so that expected files never change.
import type { IdSource } from '../../../src/dialects/responses/chat-dialect.ts';
import type { ResponseContext, ToolTarget } from '../../../src/dialects/responses/types.ts';

/** Counter ids per prefix (`resp_1`, `msg_1`, `fc_1`, `fc_2`, ...), fresh for every answer. */
export const counterIds: IdSource = () => {
  const counters = new Map<string, number>();
  return (prefix) => {
    const next = (counters.get(prefix) ?? 0) + 1;
    counters.set(prefix, next);
    return `${prefix}_${next}`;
  };
};

/** A context with counter ids, a fixed clock and two client tools: a custom `apply_patch` and a namespaced `spawn_agent`. */
export function fixtureContext(): ResponseContext {
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
    newId: counterIds(),
  };
}
