// CORS as Ollama does it: local web apps, desktop shells and editor webviews may call the API from
// a browser context, plus the origins named in CORS_ORIGINS (or OLLAMA_ORIGINS).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { startProxy, type Proxy } from '../helpers/harness.ts';
import { rawRequest } from '../helpers/fidelity-helpers.ts';

describe('CORS, as Ollama allows it', () => {
  const preflight = (proxy: Proxy, origin: string) =>
    rawRequest(proxy, '/api/chat', 'OPTIONS', { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization,content-type' });

  test('local web apps, desktop shells and webviews pass the preflight; other origins are refused', async (t) => {
    const proxy = await startProxy(t);
    for (const origin of ['http://localhost:3000', 'http://127.0.0.1:8080', 'https://localhost', 'app://obsidian.md', 'file://', 'tauri://localhost', 'vscode-webview://1abc2def', 'vscode-file://vscode-app']) {
      const response = await preflight(proxy, origin);
      assert.ok(response.status >= 200 && response.status < 300, `${origin}: ${response.status}`);
      assert.equal(response.headers['access-control-allow-origin'], origin);
      assert.match(String(response.headers['access-control-allow-headers']), /Authorization/);
      assert.match(String(response.headers['access-control-allow-headers']), /Content-Type/);
      assert.match(String(response.headers['access-control-allow-methods']), /POST/);
    }
    const refused = await preflight(proxy, 'https://evil.example');
    assert.equal(refused.status, 403);
    assert.equal(refused.headers['access-control-allow-origin'], undefined);

    const tags = await rawRequest(proxy, '/api/tags', 'GET', { Origin: 'http://localhost:5173' });
    assert.equal(tags.headers['access-control-allow-origin'], 'http://localhost:5173');
  });

  for (const variable of ['CORS_ORIGINS', 'OLLAMA_ORIGINS']) {
    test(`${variable} adds origins`, async (t) => {
      const proxy = await startProxy(t, { env: { [variable]: 'https://chat.example.com, https://*.corp.example' } });
      for (const origin of ['https://chat.example.com', 'https://team.corp.example', 'http://localhost:3000']) {
        const response = await preflight(proxy, origin);
        assert.equal(response.headers['access-control-allow-origin'], origin, origin);
      }
      assert.equal((await preflight(proxy, 'https://other.example')).status, 403);
    });
  }
});
