// OpenAI's `/v1/embeddings`.
import type { ParsedRequest, Reply } from '../../http/url-router.ts';
import { routingHeaders, type HandlerContext } from '../../serving/context.ts';
import { embed } from '../../serving/embed.ts';
import { badRequest, inputsFrom, missing, reject, requireBody } from '../field-validators.ts';

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
  const body = requireBody(request.body);
  const model = body.model;
  if (typeof model !== 'string' || model === '') return missing('model');
  const inputs = body.input === '' ? [''] : inputsFrom(body.input, 'input');
  if (inputs.length === 0) badRequest('invalid input: input must not be empty');
  const format = body.encoding_format ?? 'float';
  if (format !== 'float' && format !== 'base64') reject('encoding_format', '"float" or "base64"');
  const routed = await embed(context, request, model, inputs, body.dimensions);
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
