// Ollama's model management: the list, `show`, `ps` and `pull`, and a plain no for what this
// server cannot do (push, create, copy, delete, blobs).
import { isPlainObject, missing, reject, requireBody } from '../field-validators.ts';
import { toOllamaDigest, toOllamaListEntry, toOllamaPsEntry, toOllamaShowResponse } from './to-ollama-model.ts';
import { HttpError } from '../../errors.ts';
import type { ParsedRequest, Reply } from '../../http/url-router.ts';
import type { HandlerContext } from '../../serving/context.ts';
import { listedAliases } from '../../serving/listed-aliases.ts';
import { ndjsonEncoderStage } from '../../streams/ndjson-encoder.ts';
import { stageStream } from '../../streams/stage.ts';

/** `GET /api/tags`: the visible models in priority order. */
export function handleTags(context: HandlerContext): Reply {
  // Aliases first, so pickers show the names agent tools ask for (Codex skips its pull when listed).
  const aliases = listedAliases(context).map(({ alias, model }) => ({ ...toOllamaListEntry(model), name: alias, model: alias }));
  return { json: { models: [...aliases, ...context.router.visibleModels().map(toOllamaListEntry)] } };
}

/** `GET /api/ps`: models used recently, longest-lived first. */
export function handlePs(context: HandlerContext): Reply {
  const recent = context.recent.list(context.clock.wall());
  return { json: { models: recent.map((entry) => toOllamaPsEntry(entry.model, entry.name, entry.expiresAt)) } };
}

/** Reads `model` (or its legacy alias `name`) from a body, as Ollama's management endpoints do. */
export function modelNameFrom(body: unknown): string {
  const fields = requireBody(body);
  const name = fields.model ?? fields.name;
  if (name !== undefined && typeof name !== 'string') reject('model', 'a string');
  if (name === undefined || name.trim() === '') missing('model');
  return name;
}

/** `POST /api/show`: real metadata from the catalog. */
export function handleShow(context: HandlerContext, request: ParsedRequest): Reply {
  const name = modelNameFrom(request.body);
  const model = context.router.findVisible(name);
  if (model === undefined) throw new HttpError(404, `model '${name.includes(':') ? name : `${name}:latest`}' not found`);
  // Copilot shows `general.basename` as the model's display name, so give it the name it asked for.
  const copilot = request.headers['user-agent']?.startsWith('GitHubCopilotChat/') === true;
  return { json: toOllamaShowResponse(model, copilot ? name : model.name) };
}

/** `POST /api/pull`: nothing to download, but clients call it before first use, so answer as a finished pull. */
export function handlePull(context: HandlerContext, request: ParsedRequest): Reply {
  const name = modelNameFrom(request.body);
  const stream = !(isPlainObject(request.body) && request.body.stream === false);
  // In free mode chat answers any name with a free model (the named one first when it is visible), so
  // a pull must succeed for any name too: Codex --oss pulls gpt-oss:20b before anything else and stops
  // when that fails, even though its chats would be served.
  const visible = context.router.visibleModels();
  const model = context.router.findVisible(name) ?? (context.config.freeMode ? visible[0] : undefined);
  const known = context.catalog.current()?.find(name);
  const failure =
    model !== undefined ? undefined
    : context.config.freeMode ? `pull model manifest: no free model matches the filter (0 free models visible; see GET /status)`
    : known !== undefined ? `pull model manifest: '${name}' is not available here (TOOL_USE_ONLY or the model filter hides it)`
    : `pull model manifest: model '${name}' not found in the OpenRouter catalog`;
  if (!stream) {
    if (failure !== undefined) throw new HttpError(404, failure);
    return { json: { status: 'success' } };
  }
  const lines: unknown[] = [{ status: 'pulling manifest' }];
  if (failure !== undefined) lines.push({ error: failure });
  else {
    const digest = `sha256:${toOllamaDigest(model as NonNullable<typeof model>)}`;
    lines.push({ status: `pulling ${digest.slice(7, 19)}`, digest, total: 1, completed: 1 }, { status: 'verifying sha256 digest' }, { status: 'writing manifest' }, { status: 'success' });
  }
  return { stream: ReadableStream.from([lines]).pipeThrough(stageStream(ndjsonEncoderStage())), contentType: 'application/x-ndjson' };
}

/** `push`, `create`, `copy`, `delete` and `blobs`: this server has no local models, and says so. */
export function handleUnmanaged(request: ParsedRequest): Reply {
  const action = request.path.split('/')[2] ?? 'this operation';
  if (request.method === 'HEAD') return { status: 404, empty: true };
  // 5xx messages are hidden by default; this one is the whole point of the answer.
  throw new HttpError(501, `${action} is not supported: ollama-openrouter-proxy serves OpenRouter's models and does not manage local models`, { expose: true });
}
