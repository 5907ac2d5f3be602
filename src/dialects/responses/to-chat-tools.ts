import { isPlainObject } from '../../convert/field-validators.ts';
import { HttpError } from '../../http/errors.ts';
import type { ChatTool } from '../../openrouter/types.ts';

export interface ChatTools {
  tools: ChatTool[];
  /** Names of `custom` tools, whose calls must come back as `custom_tool_call` items. */
  customTools: Set<string>;
  /** Tool types this proxy cannot serve (hosted tools such as `web_search`, Codex's `local_shell`), once each. */
  droppedTools: string[];
}

function name(tool: Record<string, unknown>, where: string): string {
  if (typeof tool.name !== 'string' || tool.name === '') throw new HttpError(400, `${where}.name is required`);
  return tool.name;
}

function description(tool: Record<string, unknown>): string | undefined {
  return typeof tool.description === 'string' && tool.description !== '' ? tool.description : undefined;
}

/**
 * A freeform (`custom`) tool as a function tool: chat models can only call JSON-argument tools, so
 * its raw text travels as `{"input": "..."}`. A grammar (Codex's apply_patch sends Lark) cannot be
 * enforced upstream, so the model is shown it in the description instead.
 */
function customToFunction(tool: Record<string, unknown>, where: string): ChatTool {
  const format = isPlainObject(tool.format) ? tool.format : undefined;
  const grammar = format?.type === 'grammar' && typeof format.definition === 'string'
    ? `\n\nThe input must follow this ${typeof format.syntax === 'string' ? format.syntax : ''} grammar:\n${format.definition}`
    : '';
  const text = `${description(tool) ?? ''}${grammar}`.trim();
  return {
    type: 'function',
    function: {
      name: name(tool, where),
      ...(text !== '' ? { description: text } : {}),
      parameters: { type: 'object', properties: { input: { type: 'string', description: 'The raw input for this tool.' } }, required: ['input'] },
    },
  };
}

// `strict` is left out on purpose: OpenAI's strict mode rejects the loose schemas many clients send.
function functionTool(tool: Record<string, unknown>, where: string): ChatTool {
  const text = description(tool);
  return {
    type: 'function',
    function: { name: name(tool, where), ...(text !== undefined ? { description: text } : {}), parameters: tool.parameters ?? { type: 'object', properties: {} } },
  };
}

/** Responses tools → chat tools: function tools as they are, custom tools as wrapped functions, the rest dropped. */
export function toChatTools(tools: unknown): ChatTools {
  const result: ChatTools = { tools: [], customTools: new Set(), droppedTools: [] };
  if (tools === undefined || tools === null) return result;
  if (!Array.isArray(tools)) throw new HttpError(400, 'tools must be an array');
  tools.forEach((tool, index) => {
    const where = `tools[${index}]`;
    if (!isPlainObject(tool)) throw new HttpError(400, `${where} must be an object`);
    if (tool.type === 'function') result.tools.push(functionTool(tool, where));
    else if (tool.type === 'custom') {
      result.tools.push(customToFunction(tool, where));
      result.customTools.add(name(tool, where));
    } else if (typeof tool.type === 'string') {
      if (!result.droppedTools.includes(tool.type)) result.droppedTools.push(tool.type);
    } else throw new HttpError(400, `${where}.type is required`);
  });
  return result;
}

/** Responses `tool_choice` → chat `tool_choice`; a choice naming a dropped tool falls back to the default. */
export function toChatToolChoice(choice: unknown, tools: ChatTools): unknown {
  if (choice === undefined || choice === null || tools.tools.length === 0) return undefined;
  if (choice === 'auto' || choice === 'none' || choice === 'required') return choice;
  if (isPlainObject(choice) && (choice.type === 'function' || choice.type === 'custom') && typeof choice.name === 'string') {
    return tools.tools.some((tool) => tool.function.name === choice.name) ? { type: 'function', function: { name: choice.name } } : undefined;
  }
  if (typeof choice === 'string') throw new HttpError(400, "tool_choice must be 'auto', 'none', 'required' or a tool");
  return undefined;
}
