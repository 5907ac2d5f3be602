// Entry point. It checks the runtime before loading anything else: static imports would fail on an
// old Node with an obscure error about node:sqlite before this check could explain it.
const REQUIRED = [22, 18, 0];

function runtimeIsSupported(version: string): boolean {
  const parts = version.replace(/^v/, '').split('.').map(Number);
  for (let i = 0; i < REQUIRED.length; i++) {
    const have = parts[i] ?? 0;
    const need = REQUIRED[i] ?? 0;
    if (have !== need) return have > need;
  }
  return true;
}

if (!runtimeIsSupported(process.version)) {
  process.stderr.write(
    `ollama-openrouter-proxy needs Node.js >= ${REQUIRED.join('.')} (for node:sqlite and TypeScript type stripping), ` +
      `but this is Node.js ${process.version}. Run "npm install" and start it with "npm start" or "npx tsx src/main.ts" ` +
      'to use the Node 24 pinned in package.json, or install Node 24.\n',
  );
  process.exit(1);
}

// Node caches compiled (and type-stripped) modules on disk between runs: a restart skips that work.
const { enableCompileCache } = await import('node:module');
enableCompileCache?.();

const { runServer } = await import('./lifecycle.ts');
await runServer(process.argv.slice(2), process.env);
