package dev.keymeter.server;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;

/**
 * NoPhoneHomeIT's control, run as a child JVM: connects to each URL given, the way Chronicle's
 * analytics does ({@code HttpURLConnection}), to show that the trap sees such a connection.
 *
 * <p>It refuses to run unless its HTTP and HTTPS proxies are on 127.0.0.1, so that it can never
 * reach, or even look up, a real host.
 */
public final class ConnectOut {

    private ConnectOut() {}

    public static void main(String[] urls) throws IOException {
        if (!"127.0.0.1".equals(System.getProperty("http.proxyHost"))
                || !"127.0.0.1".equals(System.getProperty("https.proxyHost"))) {
            System.err.println("ConnectOut runs only behind a loopback proxy");
            System.exit(2);
        }
        for (String url : urls) {
            HttpURLConnection connection = (HttpURLConnection) URI.create(url).toURL().openConnection();
            connection.setConnectTimeout(5_000);
            connection.setReadTimeout(5_000);
            try {
                connection.connect();
                System.out.println("connected " + url);
            } catch (IOException expected) {
                System.out.println("tried " + url + ": " + expected);
            } finally {
                connection.disconnect();
            }
        }
    }
}
