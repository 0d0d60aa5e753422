package dev.keymeter.http;

/**
 * Time limits for the JDK HTTP server, which by default waits for ever. It reads a request's line
 * and headers on one of its handler threads, so a client that opens a connection and never finishes
 * its request (slowloris) holds a thread: a few dozen such connections would stop the listener for
 * everyone. With these limits the server closes a connection whose request is not read within
 * {@value #REQUEST_SECONDS} s, or whose response is not taken within {@value #RESPONSE_SECONDS} s.
 *
 * <p>The JDK reads these system properties once, when its first HTTP server is created, for every
 * server of the process (the metrics listener's too); so this runs before any is created, and an
 * operator's own {@code -Dsun.net.httpserver.*} setting wins. Held by {@code HttpFrontSlowClientTest}.
 */
public final class SlowClients {

    static final int REQUEST_SECONDS = 10;
    static final int RESPONSE_SECONDS = 60;

    private SlowClients() {
    }

    /** Sets the limits unless they are set already; idempotent. */
    public static void limit() {
        setIfAbsent("sun.net.httpserver.maxReqTime", REQUEST_SECONDS);
        setIfAbsent("sun.net.httpserver.maxRspTime", RESPONSE_SECONDS);
        // How often the server looks for connections over their time (default 1 s).
        setIfAbsent("sun.net.httpserver.timerMillis", 500);
    }

    private static void setIfAbsent(String property, int value) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, Integer.toString(value));
        }
    }
}
