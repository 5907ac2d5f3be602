import { isPlainObject, missing, reject } from '../field-validators.ts';
import type { ChatTool } from '../../chat/wire.ts';
import type { ToolTarget } from './types.ts';

export interface ChatTools {
  tools: ChatTool[];
  /** What each upstream function name stands for, so calls go back as the item type the client declared. */
  targets: Map<string, ToolTarget>;
  /** Tool types this proxy cannot serve (hosted tools such as `web_search`, Codex's `local_shell`), once each. */
  droppedTools: string[];
}

/**
 * The upstream function name of a tool. Chat tools have no namespaces, so a namespaced tool (Codex
 * groups its multi-agent tools so) is flattened to `<namespace>__<name>`, which chat names allow.
 */
export function toUpstreamToolName(name: string, namespace: string | undefined): string {
  return namespace === undefined || namespace === '' ? name : `${namespace}__${name}`;
}

function name(tool: Record<string, unknown>, where: string): string {
  if (typeof tool.name !== 'string' || tool.name === '') missing(`${where}.name`);
  return tool.name;
}

function description(tool: Record<string, unknown>): string | undefined {
  return typeof tool.description === 'string' && tool.description !== '' ? tool.description : undefined;
}

/**
 * A freeform (`custom`) tool's upstream parameters and description: chat models can only call
 * JSON-argument tools, so its raw text travels as `{"input": "..."}`. A grammar (Codex's apply_patch
 * sends Lark) cannot be enforced upstream, so the model is shown it in the description instead.
 */
function customShape(tool: Record<string, unknown>): { description: string; parameters: unknown } {
  const format = isPlainObject(tool.format) ? tool.format : undefined;
  const grammar = format?.type === 'grammar' && typeof format.definition === 'string'
    ? `\n\nThe input must follow this ${typeof format.syntax === 'string' ? format.syntax : ''} grammar:\n${format.definition}`
    : '';
  return {
    description: `${description(tool) ?? ''}${grammar}`.trim(),
    parameters: { type: 'object', properties: { input: { type: 'string', description: 'The raw input for this tool.' } }, required: ['input'] },
  };
}

// `strict` is left out on purpose: OpenAI's strict mode rejects the loose schemas many clients send.
function addTool(result: ChatTools, tool: Record<string, unknown>, where: string, namespace: string | undefined) {
  const kind = tool.type === 'custom' ? 'custom' : 'function';
  const shape = kind === 'custom' ? customShape(tool) : { description: description(tool) ?? '', parameters: tool.parameters ?? { type: 'object', properties: {} } };
  const upstreamName = toUpstreamToolName(name(tool, where), namespace);
  result.tools.push({ type: 'function', function: { name: upstreamName, ...(shape.description !== '' ? { description: shape.description } : {}), parameters: shape.parameters } });
  result.targets.set(upstreamName, { kind, name: name(tool, where), ...(namespace !== undefined ? { namespace } : {}) });
}

function addEntry(result: ChatTools, tool: unknown, where: string, namespace?: string) {
  if (!isPlainObject(tool)) reject(where, 'an object');
  if (tool.type === 'function' || tool.type === 'custom') return addTool(result, tool, where, namespace);
  if (tool.type === 'namespace' && namespace === undefined && Array.isArray(tool.tools)) {
    const inner = name(tool, where);
    return tool.tools.forEach((entry, index) => addEntry(result, entry, `${where}.tools[${index}]`, inner));
  }
  if (typeof tool.type !== 'string') missing(`${where}.type`);
  result.droppedTools.push(tool.type);
}

/** Responses tools → chat tools: function tools as they are, custom tools as wrapped functions, namespaces flattened, the rest dropped. */
export function toChatTools(tools: unknown): ChatTools {
  const result: ChatTools = { tools: [], targets: new Map(), droppedTools: [] };
  if (tools === undefined || tools === null) return result;
  if (!Array.isArray(tools)) reject('tools', 'an array');
  tools.forEach((tool, index) => addEntry(result, tool, `tools[${index}]`));
  // Each type once; a Set, because a client may send thousands of them.
  result.droppedTools = [...new Set(result.droppedTools)];
  return result;
}

/** Responses `tool_choice` → chat `tool_choice`; a choice naming a dropped tool falls back to the default. */
export function toChatToolChoice(choice: unknown, tools: ChatTools): unknown {
  if (choice === undefined || choice === null || tools.tools.length === 0) return undefined;
  if (choice === 'auto' || choice === 'none' || choice === 'required') return choice;
  if (isPlainObject(choice) && (choice.type === 'function' || choice.type === 'custom') && typeof choice.name === 'string') {
    const upstreamName = toUpstreamToolName(choice.name, typeof choice.namespace === 'string' ? choice.namespace : undefined);
    return tools.targets.has(upstreamName) ? { type: 'function', function: { name: upstreamName } } : undefined;
  }
  if (typeof choice === 'string') reject('tool_choice', "'auto', 'none', 'required' or a tool");
  return undefined;
}
