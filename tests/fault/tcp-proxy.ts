// A TCP proxy on loopback in front of PostgreSQL that a test can cut and restore. Cutting resets every open
// connection and stops listening, so new connections are refused: the database has gone away, as when its
// server crashes, restarts or fails over. Restoring listens again on the same port.
import { createServer, connect, type AddressInfo, type Server, type Socket } from "node:net";

export interface TcpProxy {
  /** `databaseUrl` with its host and port replaced by the proxy's. */
  url(databaseUrl: string): string;
  /** Resets every connection and refuses new ones until `restore()`. */
  cut(): Promise<void>;
  restore(): Promise<void>;
  readonly isCut: boolean;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const open = new Set<Socket>();
  const track = (socket: Socket) => {
    open.add(socket);
    socket.once("close", () => open.delete(socket));
    socket.on("error", () => socket.destroy());
  };
  const onClient = (client: Socket) => {
    track(client);
    const upstream = connect(target);
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    client.once("close", () => upstream.destroy());
    upstream.once("close", () => client.destroy());
  };
  const listen = (port: number) => new Promise<Server>((resolve, reject) => {
    const server = createServer(onClient);
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(server));
  });

  let server: Server | undefined = await listen(0);
  const { port } = server.address() as AddressInfo;
  const stop = () => new Promise<void>((resolve) => {
    const closing = server;
    server = undefined;
    for (const socket of open) socket.resetAndDestroy();
    if (closing) closing.close(() => resolve());
    else resolve();
  });
  return {
    url(databaseUrl) {
      const url = new URL(databaseUrl);
      url.hostname = "127.0.0.1";
      url.port = String(port);
      return url.toString();
    },
    cut: stop,
    async restore() {
      server ??= await listen(port);
    },
    get isCut() {
      return server === undefined;
    },
    close: stop,
  };
}
