package dev.keymeter.server;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A listening socket on 127.0.0.1 that a child JVM is told to use as its SOCKS, HTTP and HTTPS
 * proxy, so that any connection the child makes through {@code java.net} (sockets,
 * {@code HttpURLConnection}, which Chronicle's analytics uses) lands here instead of leaving the
 * machine. It accepts, counts and closes each connection at once, so a caller fails fast.
 *
 * <p>Counting is exact without sleeping: {@link #connectionsSoFar()} connects once itself (a
 * fence) and reads accepted connections until it sees the fence; the accept queue is first in,
 * first out, so every connection made before the call has been counted by then.
 *
 * <p>What it cannot see: connections that bypass {@code java.net} proxies (NIO
 * {@code SocketChannel}, UDP, DNS lookups). Chronicle's only phone-home path is
 * {@code HttpURLConnection}, which it does see (checked by hand with chronicle-analytics on the
 * classpath: one proxied CONNECT to www.google-analytics.com:443 per map created or recovered).
 */
final class ConnectionTrap implements AutoCloseable {

    private final ServerSocket server;
    private final BlockingQueue<Integer> acceptedFromPorts = new LinkedBlockingQueue<>();
    private final Thread acceptor;
    private int counted;

    private ConnectionTrap(ServerSocket server) {
        this.server = server;
        this.acceptor = new Thread(this::acceptUntilClosed, "connection-trap");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    static ConnectionTrap open() throws IOException {
        return new ConnectionTrap(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
    }

    /** JVM options that send every proxied {@code java.net} connection to this trap. */
    List<String> proxyFlags() {
        String host = "127.0.0.1";
        String port = Integer.toString(server.getLocalPort());
        return List.of(
                "-DsocksProxyHost=" + host, "-DsocksProxyPort=" + port,
                "-Dhttp.proxyHost=" + host, "-Dhttp.proxyPort=" + port,
                "-Dhttps.proxyHost=" + host, "-Dhttps.proxyPort=" + port);
    }

    /** Connections accepted since the trap opened, its own fences not counted. */
    int connectionsSoFar() throws IOException, InterruptedException {
        try (Socket fence = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
            int fencePort = fence.getLocalPort();
            while (true) {
                Integer port = acceptedFromPorts.poll(30, TimeUnit.SECONDS);
                if (port == null) {
                    throw new AssertionError("the trap never accepted its own fence connection");
                }
                if (port == fencePort) {
                    return counted;
                }
                counted++;
            }
        }
    }

    private void acceptUntilClosed() {
        while (!server.isClosed()) {
            try (Socket connection = server.accept()) {
                acceptedFromPorts.add(connection.getPort());
            } catch (IOException closedOrReset) {
                // Closed: the loop ends. Reset by a client that gave up: the accept already counted it.
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        try {
            acceptor.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
