// A TCP proxy that can be stopped and started on the same port: a downstream server "going away".
// With `delayMs`, every chunk from the client waits that long before it is passed on (in order): a slow
// network, so that work through it is still in flight when a test kills the process doing it.
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface TcpProxyOptions {
  /** Delay of each client-to-server chunk (ms); 0 passes them on at once. */
  readonly delayMs?: number;
}

export class TcpProxy {
  #server: Server | undefined;
  readonly #sockets = new Set<Socket>();

  constructor(readonly port: number, readonly targetPort: number, readonly host = '127.0.0.1', readonly options: TcpProxyOptions = {}) {}

  async start(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(this.targetPort, this.host);
      for (const s of [client, upstream]) { this.#sockets.add(s); s.on('close', () => this.#sockets.delete(s)); s.on('error', () => s.destroy()); }
      upstream.pipe(client);
      const delayMs = this.options.delayMs ?? 0;
      if (delayMs === 0) { client.pipe(upstream); return; }
      let chain = Promise.resolve();
      client.on('data', (chunk: Buffer) => {
        chain = chain.then(() => new Promise<void>((resolve) => setTimeout(() => { if (!upstream.destroyed) upstream.write(chunk); resolve(); }, delayMs)));
      });
      client.on('end', () => { void chain.then(() => upstream.end()); });
    });
    await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(this.port, this.host, resolve); });
    this.#server = server;
  }

  /** Refuses new connections and cuts the open ones. */
  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    for (const s of this.#sockets) s.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
