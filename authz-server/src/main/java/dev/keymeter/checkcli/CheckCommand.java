package dev.keymeter.checkcli;

import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code keymeter check}: one Check to a sidecar, and what it decided. Exit code 0 when the request
 * would pass, 4 when it would be refused, 6 when the sidecar did not answer, 2 for bad input.
 */
@Command(name = "check", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Send one Check to a sidecar, as Envoy would, and print the decision, the HTTP status, "
                + "the precise reason, the headers Envoy would set and the key's budgets.",
            "The token comes from $KEYMETER_TOKEN or, with --token-stdin, from the first line of stdin; "
                + "it is never printed. Exit code: 0 allowed, 4 denied, 6 sidecar unreachable, 2 bad input."})
public final class CheckCommand implements Callable<Integer> {

    static final int ALLOWED = 0;
    static final int DENIED = 4;
    static final int UNREACHABLE = 6;
    /** The shipped envoy.yaml's with_request_body.max_request_bytes (allow_partial_message: true). */
    static final int ENVOY_BODY_BYTES = 8192;

    @Option(names = "--addr", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:9191",
            description = "The sidecar's ext_authz address (default: 127.0.0.1:9191).")
    String address;

    @Option(names = "--method", paramLabel = "METHOD", defaultValue = "GET",
            description = "The request's HTTP method (default: GET).")
    String method;

    @Option(names = "--path", paramLabel = "PATH", required = true,
            description = "The request's path, with its query string if any, e.g. /v1/chat/completions.")
    String path;

    @Option(names = "--token-stdin",
            description = "Read the API key from the first line of stdin instead of $KEYMETER_TOKEN.")
    boolean tokenStdin;

    @Option(names = "--token-header", paramLabel = "NAME", defaultValue = "authorization",
            description = "The header that carries the key: authorization (as Bearer KEY, the default) or "
                    + "another of the sidecar's --token-headers, e.g. x-api-key.")
    String tokenHeader;

    @Option(names = "--header", paramLabel = "NAME=VALUE",
            description = "A request header; repeat for several (a header named like the token's wins).")
    Map<String, String> headers = new LinkedHashMap<>();

    @Option(names = "--body", paramLabel = "FILE",
            description = "The request body, e.g. a chat completion's JSON (Envoy sends the first 8 KiB).")
    Path body;

    @Option(names = "--output", paramLabel = "table|json", defaultValue = "table",
            description = "table for people (default), json for scripts.")
    String output;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "5",
            description = "Deadline of the call in seconds, 1-60 (default: 5).")
    int timeoutSeconds;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        ProbeRequest request = ProbeRequest.of(method, path, tokenHeader, token(), headers, bodyBytes());
        boolean json = validatedOutput();
        CheckResponse response;
        try {
            response = send(request);
        } catch (StatusRuntimeException e) {
            spec.commandLine().getErr().println("error: the sidecar at " + address + " did not answer the Check: "
                    + e.getStatus().getCode() + (e.getStatus().getDescription() == null ? ""
                            : " (" + e.getStatus().getDescription() + ")"));
            spec.commandLine().getErr().flush();
            return UNREACHABLE;
        }
        CheckOutcome outcome = CheckOutcome.of(response);
        if (json) {
            OutcomePrinter.json(outcome, spec.commandLine().getOut());
        } else {
            OutcomePrinter.text(outcome, request, spec.commandLine().getOut());
        }
        return outcome.allowed() ? ALLOWED : DENIED;
    }

    private CheckResponse send(ProbeRequest request) {
        ManagedChannel channel;
        try {
            channel = ManagedChannelBuilder.forTarget(address).usePlaintext().build();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--addr '" + address + "' is not a valid address");
        }
        try {
            return AuthorizationGrpc.newBlockingStub(channel).withDeadlineAfter(timeoutSeconds, TimeUnit.SECONDS)
                    .check(request.toCheckRequest());
        } finally {
            channel.shutdownNow();
        }
    }

    private boolean validatedOutput() {
        if (!output.equals("table") && !output.equals("json")) {
            throw new ParameterException(spec.commandLine(), "--output must be table or json, not '" + output + "'");
        }
        if (timeoutSeconds < 1 || timeoutSeconds > Duration.ofMinutes(1).toSeconds()) {
            throw new ParameterException(spec.commandLine(), "--timeout must be 1-60 seconds, not " + timeoutSeconds);
        }
        if (!path.startsWith("/")) {
            throw new ParameterException(spec.commandLine(), "--path must start with /, not '" + path + "'");
        }
        return output.equals("json");
    }

    /** $KEYMETER_TOKEN, or stdin's first line with --token-stdin; null: the request carries no key. */
    private String token() throws IOException {
        String token;
        if (tokenStdin) {
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            token = in.readLine();
            if (token == null || token.isBlank()) {
                throw new ParameterException(spec.commandLine(), "--token-stdin: stdin held no token");
            }
        } else {
            token = System.getenv("KEYMETER_TOKEN");
        }
        return token == null || token.isBlank() ? null : token.strip();
    }

    private byte[] bodyBytes() throws IOException {
        if (body == null) {
            return null;
        }
        if (!Files.isRegularFile(body)) {
            throw new ParameterException(spec.commandLine(), "--body: " + body + " is not a readable file");
        }
        byte[] all = Files.readAllBytes(body);
        if (all.length > ENVOY_BODY_BYTES) {
            headers.putIfAbsent("x-envoy-auth-partial-body", "true");
            return Arrays.copyOf(all, ENVOY_BODY_BYTES);
        }
        return all;
    }
}
