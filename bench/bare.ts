// The startup yardstick: a bare node:http server in one TypeScript file, started the same way as the
// proxy (Node strips the types), answering GET / with 200. The benchmark prints its startup beside the proxy's.
import { createServer } from 'node:http';

const port: number = Number(process.env.PORT);
createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end('ok');
}).listen(port, '127.0.0.1');
