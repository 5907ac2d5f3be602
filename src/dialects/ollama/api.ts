// Ollama's own API, as one record: everything that is not under /v1.
import type { ClientApi } from '../../serving/client-api.ts';
import { ollamaChat, ollamaGenerate } from './chat-dialect.ts';
import { handleOllamaEmbed, handleOllamaEmbeddings } from './embeddings.ts';
import { toOllamaError } from './errors.ts';
import { handlePs, handlePull, handleShow, handleTags, handleUnmanaged } from './models.ts';

/** The Ollama version this server claims: Copilot needs at least 0.6.4, and Open WebUI parses it as integers. */
// Codex's `--oss` refuses servers older than 0.13.4.
export const OLLAMA_VERSION = '0.15.2';

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
