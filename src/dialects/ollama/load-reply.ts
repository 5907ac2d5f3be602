import type { CatalogModel } from '../../catalog/model-info.ts';
import { HttpError } from '../../errors.ts';
import type { Reply } from '../../http/url-router.ts';
import type { HandlerContext } from '../../serving/context.ts';
import { DEFAULT_KEEP_ALIVE_MS } from '../../store/recent-models.ts';
import type { OllamaLineFormat } from './to-ollama-lines.ts';
import { toOllamaTimestamp } from './to-ollama.ts';

const NO_METRICS = { total_duration: 0, load_duration: 0, prompt_eval_count: 0, prompt_eval_duration: 0, eval_count: 0, eval_duration: 0 };

/** Empty messages or prompt: Ollama's load request, or an unload with `keep_alive: 0`. Nothing goes upstream. */
export function loadReply(context: HandlerContext, intent: { requestedModel: string; keepAliveMs?: number; format: OllamaLineFormat }): Reply {
  const name = intent.requestedModel;
  const unload = intent.keepAliveMs === 0;
  const model = context.router.findVisible(name) ?? (context.config.freeMode ? servingModel(context, name) : undefined);
  if (model === undefined && !context.config.freeMode) throw new HttpError(404, `model '${name}' not found`);
  if (unload) context.recent.unload(name);
  else if (model !== undefined) context.recent.touch(name, model, intent.keepAliveMs ?? DEFAULT_KEEP_ALIVE_MS);
  const line = intent.format.final(toOllamaTimestamp(context.clock.wall()), unload ? 'unload' : 'load', NO_METRICS);
  // Ollama's load answer has no metrics at all: it ran nothing.
  for (const key of Object.keys(NO_METRICS)) delete line[key];
  return { json: line };
}

/** In free mode any name is served: the model that would answer it first, if one can (for /api/ps). */
function servingModel(context: HandlerContext, name: string): CatalogModel | undefined {
  try {
    return context.router.plan(name, { kind: 'chat', tools: false, vision: false }).candidates[0];
  } catch {
    // No model can serve it right now (cooldowns, account limits): a load still succeeds, as in Ollama.
    return undefined;
  }
}
