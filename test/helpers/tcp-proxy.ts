// A TCP proxy on 127.0.0.1 in front of a real server, to take it "down" and bring it back in tests
// without touching the shared service: stop() closes every connection and the listener; start() listens
// again on the same port.
import type { Socket, TCPSocketListener } from "bun";

/** A proxy that can be stopped and started again on the same port. */
export interface TcpProxy {
  port: number;
  stop(): void;
  start(): void;
}

type Pair = { peer?: Socket<Pair>; pending: Uint8Array[] };

/** Starts a proxy to `host:port`. */
export function startTcpProxy(targetHost: string, targetPort: number): TcpProxy {
  const open = new Set<Socket<any>>();
  let listener: TCPSocketListener<Pair> | undefined;
  let port = 0;
  const listen = () => {
    listener = Bun.listen<Pair>({
      hostname: "127.0.0.1",
      port,
      socket: {
        open(client) {
          open.add(client);
          client.data = { pending: [] };
          void Bun.connect<Pair>({
            hostname: targetHost,
            port: targetPort,
            socket: {
              open(server) {
                open.add(server);
                server.data = { peer: client, pending: [] };
                client.data.peer = server;
                for (const chunk of client.data.pending) server.write(chunk);
                client.data.pending = [];
              },
              data(server, chunk) {
                server.data.peer?.write(chunk);
              },
              close(server) {
                open.delete(server);
                server.data.peer?.end();
              },
              error(server) {
                server.data.peer?.end();
              },
            },
          }).catch(() => client.end());
        },
        data(client, chunk) {
          if (client.data.peer) client.data.peer.write(chunk);
          else client.data.pending.push(new Uint8Array(chunk));
        },
        close(client) {
          open.delete(client);
          client.data.peer?.end();
        },
        error(client) {
          client.data.peer?.end();
        },
      },
    });
    port = listener.port;
  };
  listen();
  return {
    get port() {
      return port;
    },
    stop() {
      listener?.stop(true);
      listener = undefined;
      for (const s of open) s.terminate();
      open.clear();
    },
    start() {
      if (!listener) listen();
    },
  };
}
