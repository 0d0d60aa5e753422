package dev.keymeter.bench;

import java.nio.file.Path;

/**
 * Writes the gRPC-framed Check request h2load sends to a running sidecar: {@code POST
 * /v1/chat/completions} with {@code authorization: Bearer TOKEN} and no body.
 *
 * <pre>java -cp benchmarks.jar dev.keymeter.bench.CheckRequestFile TOKEN OUT</pre>
 */
public final class CheckRequestFile {

    private CheckRequestFile() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: CheckRequestFile TOKEN OUT");
            System.exit(2);
        }
        CheckLoadServers.writeGrpcFrame(Path.of(args[1]), CheckWithQuotaBenchmark.request(args[0], null));
    }
}
