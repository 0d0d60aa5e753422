package dev.keymeter.admin;

import io.grpc.stub.StreamObserver;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * One request on a new bidirectional stream (e.g. gRPC reflection's {@code ServerReflectionInfo}) and
 * the first answer to it, waited for up to 10 s; an error or no answer fails the test.
 */
public final class OneStreamAnswer {

    private OneStreamAnswer() {
    }

    /** Opens the stream with {@code open}, sends {@code request}, half-closes, returns the first answer. */
    public static <Q, A> A of(Function<StreamObserver<A>, StreamObserver<Q>> open, Q request)
            throws InterruptedException {
        LinkedBlockingQueue<Object> answers = new LinkedBlockingQueue<>();
        StreamObserver<Q> requests = open.apply(new StreamObserver<>() {
            @Override
            public void onNext(A value) {
                answers.add(value);
            }

            @Override
            public void onError(Throwable t) {
                answers.add(t);
            }

            @Override
            public void onCompleted() {
            }
        });
        requests.onNext(request);
        requests.onCompleted();
        Object answer = answers.poll(10, TimeUnit.SECONDS);
        if (answer == null || answer instanceof Throwable) {
            throw new AssertionError("no answer on the stream: " + answer);
        }
        @SuppressWarnings("unchecked")
        A typed = (A) answer;
        return typed;
    }
}
