package dev.keymeter.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The test helpers {@link RedisServer} and {@link RedisClusterServers} against real redis-server
 * processes (Debian's redis-server package, installed by {@code bash .ci/test}). Each test starts
 * and stops its own servers.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class RedisServersTest {

    @Test
    void start_standalone_answersPing() {
        try (RedisServer server = RedisServer.start()) {
            assertEquals("redis://127.0.0.1:" + server.port(), server.uri());
            assertTrue(server.isRunning());
            assertEquals("+PONG", server.command("PING"));
            assertEquals("+OK", server.command("SET", "km:abc", "värde 1"));
            assertEquals("värde 1", server.command("GET", "km:abc"));
            assertNull(server.command("GET", "km:missing"));
            assertEquals(":1", server.command("DBSIZE"));
            assertEquals(":7", server.command("INCRBY", "km:count", "7"));
            assertTrue(server.command("FOO").startsWith("-ERR"), "unknown command is an error reply");
            assertEquals("+OK", server.command("FLUSHALL"));
            assertEquals(":0", server.command("DBSIZE"));
            assertTrue(Files.isRegularFile(server.logFile()), "log captured in " + server.logFile());
        }
    }

    @Test
    void start_noPersistence_loopbackOnly() {
        try (RedisServer server = RedisServer.start()) {
            String persistence = server.command("INFO", "persistence");
            assertTrue(persistence.contains("aof_enabled:0"), persistence);
            String server0 = server.command("INFO", "server");
            assertTrue(server0.contains("tcp_port:" + server.port()), server0);
            assertTrue(server0.contains("redis_mode:standalone"), server0);
            assertTrue(server0.contains("config_file:\r\n"), "no config file, only arguments: " + server0);
            assertTrue(server.command("CLUSTER", "INFO").startsWith("-ERR"), "cluster mode is off");
        }
    }

    @Test
    void start_withPassword_requiresAuth() {
        try (RedisServer server = RedisServer.start("s3cret pass")) {
            String unauthenticated = RedisServer.command(server.port(), null, "PING");
            assertTrue(unauthenticated.startsWith("-NOAUTH"), unauthenticated);
            String wrong = RedisServer.command(server.port(), null, "AUTH", "wrong");
            assertTrue(wrong.startsWith("-WRONGPASS"), wrong);
            assertEquals("+PONG", server.command("PING"));
            assertEquals("+OK", server.command("SET", "k", "v"));
            assertEquals("v", server.command("GET", "k"));
        }
    }

    @Test
    void start_twoServers_differentPortsAndData() {
        try (RedisServer a = RedisServer.start(); RedisServer b = RedisServer.start()) {
            assertNotEquals(a.port(), b.port());
            assertNotEquals(a.dir(), b.dir());
            assertEquals("+OK", a.command("SET", "only-in-a", "1"));
            assertEquals(":1", a.command("EXISTS", "only-in-a"));
            assertEquals(":0", b.command("EXISTS", "only-in-a"));
        }
    }

    @Test
    void killAndRestart_samePort_answersAgain() {
        try (RedisServer server = RedisServer.start()) {
            int port = server.port();
            Path dir = server.dir();
            String pidBefore = field(server.command("INFO", "server"), "process_id");
            assertEquals("+OK", server.command("SET", "km:abc", "1"));

            server.kill();
            assertFalse(server.isRunning());
            UncheckedIOException refused = assertThrows(UncheckedIOException.class, () -> server.command("PING"));
            assertInstanceOf(ConnectException.class, refused.getCause(), refused::toString);

            server.restart();
            assertTrue(server.isRunning());
            assertEquals(port, server.port());
            assertEquals(dir, server.dir());
            assertEquals("+PONG", server.command("PING"));
            assertNotEquals(pidBefore, field(server.command("INFO", "server"), "process_id"), "a new process");
            assertEquals(":0", server.command("DBSIZE"), "no persistence: the killed server's data is gone");
            assertEquals("+OK", server.command("SET", "km:abc", "2"));
            assertEquals("2", server.command("GET", "km:abc"));
        }
    }

    @Test
    void close_killsServer_andDeletesDir() {
        RedisServer server = RedisServer.start();
        Path dir = server.dir();
        assertTrue(Files.isDirectory(dir));
        server.close();
        assertFalse(Files.exists(dir), dir::toString);
        assertThrows(UncheckedIOException.class, () -> server.command("PING"));
        server.close(); // idempotent
    }

    @Test
    void cluster_threeMasters_stateOk_andKeysSpreadOverSlots() {
        try (RedisClusterServers cluster = RedisClusterServers.start()) {
            List<Integer> ports = cluster.ports();
            assertEquals(3, ports.size());
            assertEquals(3, new HashSet<>(ports).size());
            assertEquals("redis-cluster://127.0.0.1:" + ports.get(0) + ",127.0.0.1:" + ports.get(1)
                    + ",127.0.0.1:" + ports.get(2), cluster.uri());
            for (int i = 0; i < 3; i++) {
                assertTrue(ports.get(i) <= 55535, "cluster bus port fits: " + ports);
                String info = cluster.node(i).command("CLUSTER", "INFO");
                assertTrue(info.contains("cluster_state:ok"), info);
                assertTrue(info.contains("cluster_known_nodes:3"), info);
                assertTrue(info.contains("cluster_size:3"), "three masters serving slots: " + info);
                assertTrue(info.contains("cluster_slots_assigned:16384"), info);
            }

            RedisServer any = cluster.node(0);
            long rpm = integer(any.command("CLUSTER", "KEYSLOT", "{km:abc}:rpm"));
            assertEquals(rpm, integer(any.command("CLUSTER", "KEYSLOT", "{km:abc}:tokens")),
                    "same hash tag, same slot");
            assertEquals(rpm, integer(any.command("CLUSTER", "KEYSLOT", "km:abc")),
                    "the slot of a tagged key is the slot of its tag");
            assertNotEquals(rpm, integer(any.command("CLUSTER", "KEYSLOT", "{km:abd}:rpm")));

            // Each key is accepted by exactly one master; the others redirect to it with -MOVED.
            Map<Integer, Integer> keysPerPort = new TreeMap<>();
            for (int k = 0; k < 30; k++) {
                String key = "{km:" + k + "}:rpm";
                long slot = integer(any.command("CLUSTER", "KEYSLOT", key));
                List<String> replies = new ArrayList<>();
                Integer owner = null;
                for (int i = 0; i < 3; i++) {
                    String reply = cluster.node(i).command("SET", key, "1");
                    replies.add(reply);
                    if ("+OK".equals(reply)) {
                        assertNull(owner, "two owners for " + key + ": " + replies);
                        owner = ports.get(i);
                    }
                }
                assertTrue(owner != null, "no owner for " + key + ": " + replies);
                for (String reply : replies) {
                    if (!"+OK".equals(reply)) {
                        assertEquals("-MOVED " + slot + " 127.0.0.1:" + owner, reply);
                    }
                }
                keysPerPort.merge(owner, 1, Integer::sum);
            }
            assertEquals(3, keysPerPort.size(), "every master owns some of the keys: " + keysPerPort);
            int total = 0;
            for (int i = 0; i < 3; i++) {
                total += (int) integer(cluster.node(i).command("DBSIZE"));
            }
            assertEquals(30, total);
        }
    }

    @Test
    void cluster_killAndRestartNode_rejoinsAsSameNode() {
        try (RedisClusterServers cluster = RedisClusterServers.start()) {
            RedisServer node = cluster.node(1);
            String id = node.command("CLUSTER", "MYID");
            assertEquals(40, id.length(), id);

            node.kill();
            node.restart();
            assertEquals(id, node.command("CLUSTER", "MYID"), "identity kept in nodes.conf in the same dir");
            for (int i = 0; i < 3; i++) {
                RedisServer n = cluster.node(i);
                awaitTrue(() -> n.command("CLUSTER", "INFO").contains("cluster_state:ok"),
                        () -> n.port() + ": " + n.command("CLUSTER", "INFO"));
                assertTrue(n.command("CLUSTER", "INFO").contains("cluster_known_nodes:3"));
            }
        }
    }

    private static long integer(String reply) {
        assertTrue(reply != null && reply.startsWith(":"), "integer reply expected: " + reply);
        return Long.parseLong(reply.substring(1));
    }

    private static String field(String info, String name) {
        return info.lines()
                .filter(l -> l.startsWith(name + ":"))
                .map(l -> l.substring(name.length() + 1))
                .findFirst()
                .orElseThrow(() -> new AssertionError(name + " not in " + info));
    }

    private static void awaitTrue(BooleanSupplier condition, Supplier<String> message) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not within 60 s: " + message.get());
            }
            RedisServer.sleep(100);
        }
    }
}
