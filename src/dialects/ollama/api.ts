// Ollama's own API, as one record: everything that is not under /v1.
import type { Reply } from '../../http/url-router.ts';
import type { ClientApi } from '../../serving/client-api.ts';
import { ollamaChat, ollamaGenerate } from './chat-dialect.ts';
import { handleOllamaEmbed, handleOllamaEmbeddings } from './embeddings.ts';
import { toOllamaError } from './errors.ts';
import { handlePs, handlePull, handleShow, handleTags, handleUnmanaged } from './models.ts';

/**
 * The Ollama version whose API this server serves (server/routes.go and api/types.go at that tag):
 * `capabilities` in /api/tags (0.30), `think: "max"` (0.22), /api/status (0.16.2), `context_length` in
 * /api/ps; the cloud routes answer as an Ollama with cloud disabled. Copilot needs at least 0.6.4,
 * Codex's `--oss` 0.13.4, and Open WebUI parses it as integers.
 */
export const OLLAMA_VERSION = '0.32.15';

/** `POST /api/experimental/web_search|web_fetch`: what Ollama answers with cloud disabled (they are cloud services). */
function handleCloudOnly(request: { path: string }): Reply {
  const operation = request.path.endsWith('web_fetch') ? 'web fetch is unavailable' : 'web search is unavailable';
  return { status: 403, json: { error: `ollama cloud is disabled: ${operation}` } };
}

const GET = ['GET', 'HEAD'];
const POST = ['POST'];

export const ollamaApi: ClientApi = {
  name: 'ollama',
  label: 'Ollama',
  errorReply: toOllamaError,
  claims: (path) => path !== '/v1' && !path.startsWith('/v1/'),
  chats: { '/api/chat': ollamaChat, '/api/generate': ollamaGenerate },
  routes: (context) => [
    // The liveness answer every Ollama client probes.
    { methods: GET, path: '/', handler: () => ({ text: 'Ollama is running' }) },
    { methods: GET, path: '/api/version', handler: () => ({ json: { version: OLLAMA_VERSION } }) },
    // Claude Code probes its base URL with `HEAD /api/hello` on every start.
    { methods: GET, path: '/api/hello', handler: () => ({ status: 200, empty: true }) },
    // This server has no Ollama cloud, so it reports cloud as disabled (by its configuration).
    { methods: GET, path: '/api/status', handler: () => ({ json: { cloud: { disabled: true, source: 'config' } } }) },
    { methods: POST, path: '/api/experimental/web_search', handler: handleCloudOnly },
    { methods: POST, path: '/api/experimental/web_fetch', handler: handleCloudOnly },
    { methods: GET, path: '/api/tags', handler: () => handleTags(context) },
    { methods: GET, path: '/api/ps', handler: () => handlePs(context) },
    { methods: POST, path: '/api/show', handler: (request) => handleShow(context, request) },
    { methods: POST, path: '/api/embed', handler: (request) => handleOllamaEmbed(context, request) },
    { methods: POST, path: '/api/embeddings', handler: (request) => handleOllamaEmbeddings(context, request) },
    { methods: POST, path: '/api/pull', handler: (request) => handlePull(context, request) },
    { methods: POST, path: '/api/push', handler: handleUnmanaged },
    { methods: POST, path: '/api/create', handler: handleUnmanaged },
    { methods: POST, path: '/api/copy', handler: handleUnmanaged },
    { methods: ['DELETE'], path: '/api/delete', handler: handleUnmanaged },
    // A blob upload may be gigabytes of GGUF: never read it, just say no.
    { methods: ['HEAD', 'POST'], path: '/api/blobs/:digest', handler: handleUnmanaged, body: 'ignore' },
  ],
};
