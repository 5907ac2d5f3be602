// OpenAI's `/v1/embeddings`.
import { HttpError } from '../../errors.ts';
import type { ParsedRequest, Reply } from '../../http/url-router.ts';
import { routingHeaders, type HandlerContext } from '../../serving/context.ts';
import { embed, inputsFrom } from '../../serving/embed.ts';
import { isPlainObject } from '../field-validators.ts';

/**
 * OpenAI's `encoding_format: "base64"`: the vector as little-endian float32 bytes. The `openai`
 * client asks for it by default and decodes it itself, so plain arrays would reach users as garbage.
 */
export function toBase64Floats(vector: readonly number[]): string {
  const bytes = Buffer.alloc(vector.length * 4);
  // writeFloatLE, not a Float32Array view: the byte order must not depend on the host (s390x is big-endian).
  vector.forEach((value, index) => bytes.writeFloatLE(value, index * 4));
  return bytes.toString('base64');
}

/** `POST /v1/embeddings`, in OpenAI's shape; vectors are fetched as floats and encoded here when asked. */
export async function handleOpenAIEmbeddings(context: HandlerContext, request: ParsedRequest): Promise<Reply> {
  if (!isPlainObject(request.body)) throw new HttpError(400, 'request body must be a JSON object');
  const model = request.body.model;
  if (typeof model !== 'string' || model === '') throw new HttpError(400, 'model is required');
  const inputs = request.body.input === '' ? [''] : inputsFrom(request.body.input, 'input');
  if (inputs.length === 0) throw new HttpError(400, 'invalid input: input must not be empty');
  const format = request.body.encoding_format ?? 'float';
  if (format !== 'float' && format !== 'base64') throw new HttpError(400, 'encoding_format must be "float" or "base64"');
  const routed = await embed(context, request, model, inputs, request.body.dimensions);
  const tokens = routed.value.promptTokens;
  return {
    json: {
      object: 'list',
      data: routed.value.vectors.map((vector, index) => ({ object: 'embedding', embedding: format === 'base64' ? toBase64Floats(vector) : vector, index })),
      model,
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    },
    headers: routingHeaders(routed.model, routed.attempts),
  };
}
