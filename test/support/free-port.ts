import { createServer } from 'node:net';

/**
 * A TCP port free right now on loopback: for a service that must come back on the same address
 * after a kill (its peers keep dialling it), which port 0 cannot give.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
